"""The lead's editable fields as one form, grouped as a person thinks of a lead: who it is,
where the work stands, the company, what the lead did, the team's own fields, and notes.

The form shows values and reports what the user changed; checking and normalising them is
``core.lead_record.validate_changes``'s job, and the form shows its messages under the
fields. A field's message appears once the user has left the field (or tried to save), so
nobody is told off for an address they are still typing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.fields import Field, FieldType, Group
from leaddesk.core.lead_record import REASON_STATUSES, stored_value
from leaddesk.ui import theme
from leaddesk.ui.queue.call_dialogs import LOST_REASONS, qt_zone

_SECTIONS = {
    Group.CONTACT: "Contact",
    Group.PIPELINE: "Pipeline",
    Group.FIT: "Company",
    Group.ENGAGEMENT: "Engagement",
}
_SECTION_ORDER = ("Contact", "Pipeline", "Company", "Engagement", "Custom fields", "Notes")
_PLACEHOLDERS = {
    FieldType.EMAIL: "name@company.com",
    FieldType.PHONE: "+44 20 7946 0958, or as dialled in the lead's country",
    FieldType.COUNTRY: "Name or code: Germany, DE",
    FieldType.DATE: "2026-03-31",
}
_NOT_SET = "Not set"


def _section(field: Field) -> str:
    if field.custom:
        return "Custom fields"
    if field.name == "notes":
        return "Notes"
    return _SECTIONS[field.group]


def _ordered(fields: Sequence[Field]) -> list[Field]:
    """Registry order, but the lost reason under the status it explains, and an id from
    another system after the person's name and numbers."""
    order: dict[str, float] = {f.name: i for i, f in enumerate(fields)}
    order["lost_reason"] = order.get("status", 0) + 0.5
    order["external_id"] = len(fields)
    return sorted(fields, key=lambda f: order[f.name])


def edit_text(value: Any) -> str:
    """A stored value as the text to edit: numbers with thousands separators, no ".0"."""
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return str(value)


@dataclass(slots=True)
class Editor:
    """One field's editor: the widget laid out, the one taking the keyboard, and how to read
    and fill it."""

    widget: QWidget
    focus: QWidget
    get: Callable[[], Any]
    put: Callable[[Any], None]


class DateTimeEditor(QWidget):
    """A moment that may be unset (no follow-up): a check box, and the date and time in the
    user's time zone."""

    changed = Signal()

    def __init__(self, zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self.box = QCheckBox()
        self.box.setToolTip("Set a date")
        self.edit = QDateTimeEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setTimeZone(qt_zone(zone))
        self.edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.unset = QLabel(_NOT_SET)
        self.unset.setEnabled(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.box)
        row.addWidget(self.edit, 1)
        row.addWidget(self.unset, 1)
        self.box.toggled.connect(self._toggled)
        self.edit.dateTimeChanged.connect(self.changed)
        self._toggled(False)

    def value(self) -> datetime | None:
        if not self.box.isChecked():
            return None
        return datetime.fromtimestamp(self.edit.dateTime().toSecsSinceEpoch(), UTC)

    def set_value(self, value: Any) -> None:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment is None:  # offered when the box is ticked: tomorrow at 9:00, the user's time
            tomorrow = datetime.now(self._zone).date() + timedelta(days=1)
            moment = datetime.combine(tomorrow, time(9), self._zone)
        self.edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(moment.timestamp())))
        self.box.setChecked(value is not None)

    def _toggled(self, on: bool) -> None:
        self.edit.setVisible(on)
        self.unset.setVisible(not on)
        self.changed.emit()


class _Row(QWidget):
    """An editor with its problem message under it."""

    def __init__(self, editor: Editor) -> None:
        super().__init__()
        self.editor = editor
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.hide()
        self._shown: str | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor.widget)
        column.addWidget(self.problem)

    def show_problem(self, text: str | None) -> None:
        if text == self._shown:
            return  # restyling every row on every key press is not free
        self._shown = text
        color = theme.bad_color(self)
        self.problem.setText(text or "")
        self.problem.setStyleSheet(f"color: {color};")
        self.problem.setVisible(bool(text))
        frame = f"border: 1px solid {color}; border-radius: 3px; padding: 2px;"
        self.editor.focus.setStyleSheet(f"QLineEdit, QPlainTextEdit {{ {frame} }}" if text else "")


class FieldsForm(QScrollArea):
    """Every editable field of one lead; ``edited`` when the user changes a value, ``left``
    (with the field's name) when they leave a text field."""

    edited = Signal()
    left = Signal(str)

    def __init__(
        self, fields: Sequence[Field], zone: tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._zone = zone
        self._fields = list(fields)
        self._rows: dict[str, _Row] = {}
        self._loaded: dict[str, Any] = {}
        self._touched: set[str] = set()
        self._loading = False
        inner = QWidget()
        # One form for all sections, so the fields line up from top to bottom.
        self._form = QFormLayout(inner)
        self._form.setContentsMargins(4, 0, 16, 8)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setVerticalSpacing(8)
        sections: dict[str, list[Field]] = {}
        for field in _ordered(fields):
            sections.setdefault(_section(field), []).append(field)
        for title in _SECTION_ORDER:
            if title in sections:
                self._add_section(title, sections[title])
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field

    def _add_section(self, title: str, fields: list[Field]) -> None:
        heading = theme.heading(title, 1.15)
        if self._rows:
            heading.setContentsMargins(0, 12, 0, 0)
        self._form.addRow(heading)
        for field in fields:
            row = _Row(self._editor(field))
            if field.name == "notes":  # its heading says it: the whole width for the text
                self._form.addRow(row)
            else:
                label = QLabel(field.label)
                label.setBuddy(row.editor.focus)
                self._form.addRow(label, row)
            self._rows[field.name] = row

    def _editor(self, field: Field) -> Editor:
        name = field.name

        def changed(*_: object) -> None:
            if not self._loading:
                self.edited.emit()
                if name == "status":
                    self._show_reason()

        if field.name == "status" or (field.custom and field.type is FieldType.BOOL):
            items = (
                [(s.capitalize(), s) for s in field.choices]
                if field.name == "status"
                else [(_NOT_SET, None), ("Yes", True), ("No", False)]
            )
            combo = QComboBox()
            for text, data in items:
                combo.addItem(text, data)
            combo.currentIndexChanged.connect(changed)
            return Editor(
                combo, combo, combo.currentData, lambda v: combo.setCurrentIndex(combo.findData(v))
            )
        if field.type is FieldType.BOOL:
            box = QCheckBox()
            box.toggled.connect(changed)
            return Editor(box, box, box.isChecked, lambda v: box.setChecked(bool(v)))
        if field.type is FieldType.DATETIME:
            moment = DateTimeEditor(self._zone)
            moment.changed.connect(changed)
            return Editor(moment, moment.box, moment.value, moment.set_value)
        if field.name == "lost_reason":
            reason = QComboBox()
            reason.setEditable(True)
            reason.addItems(LOST_REASONS)
            reason.currentTextChanged.connect(changed)
            return Editor(
                reason,
                reason,
                lambda: reason.currentText().strip(),
                lambda v: reason.setCurrentText(v or ""),
            )
        if field.name == "notes":
            notes = QPlainTextEdit()
            notes.setTabChangesFocus(True)  # Tab goes on to the next field, as in the others
            notes.setFixedHeight(notes.fontMetrics().lineSpacing() * 6 + 12)
            notes.textChanged.connect(changed)
            return Editor(notes, notes, notes.toPlainText, lambda v: notes.setPlainText(v or ""))
        line = QLineEdit()
        line.setPlaceholderText(
            "Tags, separated by commas" if name == "tags" else _PLACEHOLDERS.get(field.type, "")
        )
        line.textChanged.connect(changed)
        line.editingFinished.connect(lambda: self._left(name))
        return Editor(line, line, line.text, lambda v: line.setText(edit_text(v)))

    # -- values ----------------------------------------------------------------------------

    def load(self, lead: dict[str, Any]) -> None:
        """Show ``lead``'s values; what is shown now is what ``changes`` compares against."""
        self._loading = True
        try:
            for field in self._fields:
                self._rows[field.name].editor.put(stored_value(lead, field))
        finally:
            self._loading = False
        self._loaded = {name: row.editor.get() for name, row in self._rows.items()}
        self._touched.clear()
        self.show_problems({})
        self._show_reason()

    def put(self, name: str, value: Any) -> None:
        """Show ``value`` (as stored) in one field: the normalised form of what was typed."""
        self._loading = True
        try:
            self._rows[name].editor.put(value)
        finally:
            self._loading = False

    def changes(self) -> dict[str, Any]:
        """The fields the user changed, with their values as typed or picked."""
        current = {name: row.editor.get() for name, row in self._rows.items()}
        return {name: value for name, value in current.items() if value != self._loaded[name]}

    def focus_first(self) -> None:
        """Put the keyboard in the first field, where a person starts reading."""
        next(iter(self._rows.values())).editor.focus.setFocus()

    def editor(self, name: str) -> QWidget:
        """The widget that takes the keyboard for field ``name``."""
        return self._rows[name].editor.focus

    def problem_text(self, name: str) -> str:
        row = self._rows[name]
        return row.problem.text() if row.problem.isVisibleTo(self) else ""

    # -- problems --------------------------------------------------------------------------

    def show_problems(self, problems: dict[str, str], *, everywhere: bool = False) -> None:
        """Mark the fields with a problem; only those the user has left, unless ``everywhere``
        (a save was tried), which also moves the keyboard to the first of them."""
        if everywhere:
            self._touched |= set(problems)
        first: QWidget | None = None
        for name, row in self._rows.items():
            text = problems.get(name) if name in self._touched else None
            row.show_problem(text)
            if text and first is None:
                first = row.editor.focus
        if everywhere and first is not None:
            first.setFocus()
            self.ensureWidgetVisible(first)

    def _left(self, name: str) -> None:
        if name in self.changes():
            self._touched.add(name)
        self.left.emit(name)

    def _show_reason(self) -> None:
        if "lost_reason" in self._rows and "status" in self._rows:
            status = self._rows["status"].editor.get()
            self._form.setRowVisible(self._rows["lost_reason"], status in REASON_STATUSES)
