"""One group's rules: the editable table and its add, duplicate, delete and move buttons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.scoring.model import ScoringModel
from leaddesk.ui import theme
from leaddesk.ui.scoring.rules_model import _RulesModel

ROW_HEIGHT = 30


class RulesPanel(QWidget):
    """A rule table for one group, kept usable from the keyboard.

    ``new_rule`` makes the rule "Add" inserts, from the model being edited.
    """

    def __init__(
        self,
        model: _RulesModel,
        delegate: QAbstractItemDelegate,
        new_rule: Callable[[ScoringModel], Any],
        empty_text: str,
        widths: dict[int, int],
        stretch: tuple[int, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.new_rule = new_rule
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setItemDelegate(delegate)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        # The value and the label share the spare width, so neither runs off the edge.
        for column in stretch:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

        self.empty = theme.muted(empty_text)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.add_button = self._button("Add rule", self.add, "Ctrl+N", "Add a rule (Ctrl+N)")
        self.duplicate_button = self._button(
            "Duplicate", self.duplicate, "Ctrl+D", "Copy the selected rule (Ctrl+D)"
        )
        self.delete_button = self._button(
            "Delete", self.delete, QKeySequence.StandardKey.Delete, "Delete the selected rule (Del)"
        )
        self.up_button = self._button("Move up", lambda: self.move_rule(-1), "Alt+Up", "Alt+Up")
        self.down_button = self._button(
            "Move down", lambda: self.move_rule(1), "Alt+Down", "Alt+Down"
        )
        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self.add_button)
        bar.addWidget(self.duplicate_button)
        bar.addWidget(self.delete_button)
        bar.addStretch()
        bar.addWidget(self.up_button)
        bar.addWidget(self.down_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        model.rowsInserted.connect(self._update)
        model.rowsRemoved.connect(self._update)
        model.dataChanged.connect(self._update)
        self.table.selectionModel().currentRowChanged.connect(self._update)
        self._update()

    def _button(
        self,
        text: str,
        slot: Callable[[], None],
        shortcut: str | QKeySequence.StandardKey,
        tip: str,
    ) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda: slot())
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda: slot())
        self.table.addAction(action)
        return button

    # -- state ------------------------------------------------------------------------------
    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row, 1)
            self.table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(index)

    def _update(self, *_: object) -> None:
        rows = self.model.rowCount()
        row = self.current_row()
        self.stack.setCurrentWidget(self.table if rows else self.empty)
        self.duplicate_button.setEnabled(row >= 0)
        self.delete_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < rows - 1)

    # -- commands ---------------------------------------------------------------------------
    def _rules(self, model: ScoringModel) -> list[Any]:
        rules: list[Any] = getattr(model, self.model.attribute)
        return rules

    def add(self) -> None:
        row = self.current_row() + 1 if self.current_row() >= 0 else self.model.rowCount()
        self.model.session.edit(
            "Add a rule", lambda m: self._rules(m).insert(row, self.new_rule(m))
        )
        self.select_row(row)
        self.table.setFocus()

    def duplicate(self) -> None:
        row = self.current_row()
        if row < 0:
            return

        def copy(model: ScoringModel) -> None:
            rules = self._rules(model)
            rules.insert(row + 1, replace(rules[row]))

        self.model.session.edit("Duplicate a rule", copy)
        self.select_row(row + 1)

    def delete(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        self.model.session.edit("Delete a rule", lambda m: self._rules(m).pop(row))
        self.select_row(min(row, self.model.rowCount() - 1))

    def move_rule(self, delta: int) -> None:
        row = self.current_row()
        target = row + delta
        if row < 0 or not 0 <= target < self.model.rowCount():
            return

        def swap(model: ScoringModel) -> None:
            rules = self._rules(model)
            rules[row], rules[target] = rules[target], rules[row]

        self.model.session.edit("Move a rule", swap)
        self.select_row(target)
