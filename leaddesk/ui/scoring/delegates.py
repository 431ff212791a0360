"""Cell editors of the rule tables: pickers limited to what the field allows.

The field picker lists the scorable fields by label; the condition picker only the operators
of the field's type; the value cell opens the editor that fits (see ``value_editor``). A pick
in a combo box applies at once, so choosing with the keyboard takes one Enter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from leaddesk.core.scoring import editing
from leaddesk.core.scoring.model import OPERATOR_LABELS
from leaddesk.ui.scoring.rules_model import ActivityTableModel, RuleTableModel
from leaddesk.ui.scoring.value_editor import ValueEditor

Index = QModelIndex | QPersistentModelIndex
LIST_EDITOR_SIZE = (300, 240)


def points_box(parent: QWidget) -> QDoubleSpinBox:
    """Points: one decimal, negative allowed (a rule may take points away)."""
    box = QDoubleSpinBox(parent)
    box.setRange(-1000, 1000)
    box.setDecimals(1)
    box.setSingleStep(1)
    return box


class _Delegate(QStyledItemDelegate):
    """Pickers (combo boxes) and spin boxes, shared by both rule tables."""

    def _combo(self, parent: QWidget, items: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox(parent)
        combo.setMaxVisibleItems(20)
        for text, data in items:
            combo.addItem(text, data)
        combo.activated.connect(lambda _=0, c=combo: self._pick_done(c))
        return combo

    def _pick_done(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)

    @staticmethod
    def _select(combo: QComboBox, data: Any) -> None:
        row = combo.findData(data)
        combo.setCurrentIndex(max(row, 0))

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            self._select(editor, value)
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        elif isinstance(editor, QDoubleSpinBox):
            editor.interpretText()
            model.setData(index, editor.value())
        else:
            super().setModelData(editor, model, index)


class RuleDelegate(_Delegate):
    """Editors for fit and engagement rules."""

    def __init__(
        self, model: RuleTableModel, values: Callable[[str], list[str]], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.values = values

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        m = self.model
        column = index.column()
        if column == m.COL_FIELD:
            fields = sorted(m.session.registry.scorable(), key=lambda f: f.label.casefold())
            return self._combo(parent, [(f.label, f.name) for f in fields])
        f = m.field(index.row())
        if column == m.COL_OP and f is not None:
            ops = editing.operators_for(f)
            return self._combo(parent, [(OPERATOR_LABELS[op], op) for op in ops])
        if column == m.COL_VALUE and f is not None:
            rule = m.rule(index.row())
            return ValueEditor(f, rule.op, self.values(f.name), parent)
        if column == m.COL_POINTS:
            return points_box(parent)
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, ValueEditor):
            editor.set_value(index.data(Qt.ItemDataRole.EditRole))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, ValueEditor):
            model.setData(index, editor.value())
        else:
            super().setModelData(editor, model, index)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        rect = QRect(option.rect)
        if isinstance(editor, ValueEditor):
            if editor.is_list:
                # A pick-list needs room: it opens over the rows below, like a drop-down.
                rect.setWidth(max(rect.width(), LIST_EDITOR_SIZE[0]))
                rect.setHeight(LIST_EDITOR_SIZE[1])
            else:
                rect.setWidth(max(rect.width(), 240 if editor.op == "between" else 140))
        editor.setGeometry(rect)


class ActivityDelegate(_Delegate):
    """Editors for activity rules."""

    def __init__(
        self,
        model: ActivityTableModel,
        choices: Callable[[], list[tuple[str, str | None]]],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.choices = choices

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        m = self.model
        column = index.column()
        if column == m.COL_ACTIVITY:
            items = [(editing.activity_choice_label(k, o), (k, o)) for k, o in self.choices()]
            return self._combo(parent, items)
        if column == m.COL_POINTS:
            return points_box(parent)
        if column in (m.COL_HALF_LIFE, m.COL_CAP):
            box = QDoubleSpinBox(parent)
            box.setDecimals(1)
            box.setRange(0, 3650 if column == m.COL_HALF_LIFE else 1000)
            if column == m.COL_HALF_LIFE:
                box.setSpecialValueText("no fading")
                box.setSuffix(" days")
            else:
                box.setSpecialValueText("no cap")
            return box
        return super().createEditor(parent, option, index)
