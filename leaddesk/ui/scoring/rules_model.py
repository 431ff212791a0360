"""Qt item models over the rule lists of the model being edited.

The models only show the session's rules and turn cell edits into session edits, so every
change goes through undo. When the session's rules change, the models compare the old and
new lists and report rows inserted, removed or changed, not a reset, so the view keeps its
current cell and scroll position.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from leaddesk.core.fields import Field
from leaddesk.core.scoring import editing
from leaddesk.core.scoring.model import NO_VALUE_OPS, OPERATOR_LABELS, ActivityRule, Rule
from leaddesk.ui import theme
from leaddesk.ui.scoring.session import EditSession

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
PROBLEM_BACKGROUND = QColor(220, 38, 38, 28)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _number(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def points_text(points: float) -> str:
    return ("+" if points > 0 else "\N{MINUS SIGN}" if points < 0 else "") + _number(abs(points))


def value_text(rule: Rule) -> str:
    """The value as the table shows it when the cell is not being edited."""
    value = rule.value
    if rule.op in NO_VALUE_OPS or value is None:
        return ""
    if rule.op == "between" and isinstance(value, list) and len(value) == 2:
        return f"{_show(value[0])} and {_show(value[1])}"
    if rule.op in editing.DAYS_OPS:
        return f"{_show(value)} days" + (" ago" if rule.op == "more_than_days_ago" else "")
    if rule.op in editing.DATE_OPS and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d %b %Y")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "(choose values)"
    return _show(value) if value != "" else "(type a value)"


def _show(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(float(value))
    return str(value)


def _problem_icon() -> QIcon:
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


class _RulesModel(QAbstractTableModel):
    """Rows are the rules of one group of the session's model."""

    group = ""  # "fit", "engagement" or "activity"
    HEADERS: tuple[str, ...] = ()
    COL_ON = 0

    def __init__(self, session: EditSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._rows: list[Any] = list(self._current())
        session.changed.connect(self._follow)

    @property
    def attribute(self) -> str:
        return f"{self.group}_rules"

    def _current(self) -> list[Any]:
        return list(getattr(self.session.model, self.attribute))

    def rule(self, row: int) -> Any:
        return self._rows[row]

    def problems(self, row: int) -> list[str]:
        return self.session.problems.for_rule(self.group, row)

    # -- structure --------------------------------------------------------------------------
    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.COL_ON:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if self._editable(index.row(), index.column()):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def _editable(self, row: int, column: int) -> bool:
        return True

    def _common_data(self, index: Index, role: int) -> Any:
        rule = self._rows[index.row()]
        problems = self.problems(index.row())
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == self.COL_ON:
            return Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return PROBLEM_BACKGROUND
        if role == Qt.ItemDataRole.ToolTipRole and problems:
            return "\n".join(problems)
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 1 and problems:
            return _problem_icon()
        if role == Qt.ItemDataRole.ForegroundRole and not rule.enabled:
            return QColor("#9ca3af")
        return None

    # -- editing ----------------------------------------------------------------------------
    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == self.COL_ON:
            enabled = Qt.CheckState(value) == Qt.CheckState.Checked
            verb = "Turn on" if enabled else "Turn off"
            self.edit_rule(row, f"{verb} a rule", lambda r: setattr(r, "enabled", enabled))
            return True
        if role != Qt.ItemDataRole.EditRole:
            return False
        return self._set_cell(row, column, value)

    def _set_cell(self, row: int, column: int, value: Any) -> bool:
        raise NotImplementedError

    def edit_rule(self, row: int, text: str, change: Any, *, merge: str | None = None) -> None:
        """Change rule ``row`` in place as one undoable step."""

        def apply(model: Any) -> None:
            change(getattr(model, self.attribute)[row])

        self.session.edit(text, apply, merge=merge)

    def replace_rule(self, row: int, text: str, rule: Any) -> None:
        def apply(model: Any) -> None:
            getattr(model, self.attribute)[row] = rule

        self.session.edit(text, apply)

    # -- following the session --------------------------------------------------------------
    def _follow(self) -> None:
        """Report the difference between the rows shown and the session's rules."""
        new = self._current()
        old = self._rows
        prefix = 0
        while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < min(len(old), len(new)) - prefix
            and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
        ):
            suffix += 1
        removed = len(old) - prefix - suffix
        added = len(new) - prefix - suffix
        if removed != added:
            if removed:
                self.beginRemoveRows(ROOT, prefix, prefix + removed - 1)
                self._rows = old[:prefix] + old[len(old) - suffix :]
                self.endRemoveRows()
            if added:
                self.beginInsertRows(ROOT, prefix, prefix + added - 1)
                self._rows = new
                self.endInsertRows()
        self._rows = new
        if new:  # problems and greyed-out rows may change anywhere
            self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, len(self.HEADERS) - 1))


class RuleTableModel(_RulesModel):
    """Fit or engagement rules: ``field · operator · value -> points``."""

    HEADERS = ("On", "Field", "Condition", "Value", "Points", "Label")
    COL_ON, COL_FIELD, COL_OP, COL_VALUE, COL_POINTS, COL_LABEL = range(6)

    def __init__(self, session: EditSession, group: str, parent: QObject | None = None) -> None:
        self.group = group
        super().__init__(session, parent)

    def field(self, row: int) -> Field | None:
        name = self._rows[row].field
        return self.session.registry.get(name) if name in self.session.registry else None

    def _editable(self, row: int, column: int) -> bool:
        if column == self.COL_VALUE:
            return self._rows[row].op not in NO_VALUE_OPS and self.field(row) is not None
        return not (column == self.COL_OP and self.field(row) is None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        common = self._common_data(index, role)
        if common is not None:
            return common
        rule: Rule = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            f = self.field(index.row())
            return {
                self.COL_ON: "",
                self.COL_FIELD: f.label if f is not None else rule.field,
                self.COL_OP: OPERATOR_LABELS.get(rule.op, rule.op),
                self.COL_VALUE: value_text(rule),
                self.COL_POINTS: points_text(rule.points),
                self.COL_LABEL: rule.label,
            }.get(column)
        if role == Qt.ItemDataRole.EditRole:
            return {
                self.COL_FIELD: rule.field,
                self.COL_OP: rule.op,
                self.COL_VALUE: rule.value,
                self.COL_POINTS: rule.points,
                self.COL_LABEL: rule.label,
            }.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_POINTS:
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_POINTS:
            return QColor(theme.good_color() if rule.points > 0 else theme.bad_color())
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_LABEL and not rule.label:
            return "Shown in explanations; leave empty to describe the rule automatically."
        if role == Qt.ItemDataRole.ToolTipRole and column in (self.COL_VALUE, self.COL_LABEL):
            return self.data(index) or None  # the whole text of a cut-off cell
        return None

    def _set_cell(self, row: int, column: int, value: Any) -> bool:
        rule: Rule = self._rows[row]
        registry = self.session.registry
        if column == self.COL_FIELD:
            if value not in registry or value == rule.field:
                return False
            new = editing.change_field(rule, registry.get(value))
            self.replace_rule(row, "Change a rule's field", new)
        elif column == self.COL_OP:
            f = self.field(row)
            if f is None or value == rule.op or value not in editing.operators_for(f):
                return False
            self.replace_rule(
                row, "Change a rule's condition", editing.change_operator(rule, f, value)
            )
        elif column == self.COL_VALUE:
            self.edit_rule(row, "Change a rule's value", lambda r: setattr(r, "value", value))
        elif column == self.COL_POINTS:
            points = round(float(value), 1)
            self.edit_rule(row, "Change points", lambda r: setattr(r, "points", points))
        elif column == self.COL_LABEL:
            label = str(value).strip()
            self.edit_rule(row, "Change a rule's label", lambda r: setattr(r, "label", label))
        else:
            return False
        return True


class ActivityTableModel(_RulesModel):
    """Activity rules: points per logged activity, fading with a half-life, capped."""

    group = "activity"
    HEADERS = ("On", "Activity", "Points each", "Half-life", "Cap", "Label")
    COL_ON, COL_ACTIVITY, COL_POINTS, COL_HALF_LIFE, COL_CAP, COL_LABEL = range(6)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        common = self._common_data(index, role)
        if common is not None:
            return common
        rule: ActivityRule = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                self.COL_ON: "",
                self.COL_ACTIVITY: editing.activity_choice_label(rule.activity, rule.outcome)
                if rule.activity
                else "(choose an activity)",
                self.COL_POINTS: points_text(rule.points),
                self.COL_HALF_LIFE: f"{_number(rule.half_life_days)} days"
                if rule.half_life_days
                else "no fading",
                self.COL_CAP: _number(rule.cap) if rule.cap else "no cap",
                self.COL_LABEL: rule.label,
            }.get(column)
        if role == Qt.ItemDataRole.EditRole:
            return {
                self.COL_ACTIVITY: (rule.activity, rule.outcome),
                self.COL_POINTS: rule.points,
                self.COL_HALF_LIFE: rule.half_life_days or 0.0,
                self.COL_CAP: rule.cap or 0.0,
                self.COL_LABEL: rule.label,
            }.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.COL_POINTS,
            self.COL_HALF_LIFE,
            self.COL_CAP,
        ):
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_POINTS:
            return QColor(theme.good_color() if rule.points > 0 else theme.bad_color())
        return None

    def _set_cell(self, row: int, column: int, value: Any) -> bool:
        if column == self.COL_ACTIVITY:
            kind, outcome = value

            def choose(rule: ActivityRule) -> None:
                rule.activity, rule.outcome = kind, outcome

            self.edit_rule(row, "Change the activity counted", choose)
        elif column == self.COL_POINTS:
            points = round(float(value), 1)
            self.edit_rule(row, "Change points", lambda r: setattr(r, "points", points))
        elif column == self.COL_HALF_LIFE:
            days = float(value) or None
            self.edit_rule(row, "Change a half-life", lambda r: setattr(r, "half_life_days", days))
        elif column == self.COL_CAP:
            cap = round(float(value), 1) or None
            self.edit_rule(row, "Change a cap", lambda r: setattr(r, "cap", cap))
        elif column == self.COL_LABEL:
            label = str(value).strip()
            self.edit_rule(row, "Change a rule's label", lambda r: setattr(r, "label", label))
        else:
            return False
        return True
