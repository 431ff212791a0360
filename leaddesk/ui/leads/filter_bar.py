"""The row of filter buttons above the leads table.

Each button opens a small popup that stays open while the user ticks values, and reads
"Status: New, Contacted" once something is chosen. The bar only edits a ``LeadFilter``;
what the filter means is core's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from leaddesk.core.fields import GRADES, LEAD_STATUSES, TIERS
from leaddesk.core.leads import LeadFilter

# A function that lists a field's common values with their counts (read by the page).
ValuesOf = Callable[[str], list[tuple[str, int]]]

NOBODY = "(nobody)"
ACTIVE_STYLE = (
    "QToolButton { border: 1px solid rgba(37, 99, 235, 0.6); border-radius: 6px;"
    " background: rgba(37, 99, 235, 0.12); padding: 3px 8px; }"
)
IDLE_STYLE = (
    "QToolButton { border: 1px solid palette(mid); border-radius: 6px; padding: 3px 8px; }"
    " QToolButton::menu-indicator { image: none; }"
)

# Which filter part each list button edits, its label, and its fixed choices (None: ask SQL).
LISTS: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("statuses", "Status", LEAD_STATUSES),
    ("tiers", "Tier", TIERS),
    ("grades", "Grade", GRADES),
    ("owners", "Owner", None),
    ("sources", "Source", None),
    ("countries", "Country", None),
)
_FIELD_OF = {"owners": "owner", "sources": "source", "countries": "country"}


class _Popup(QToolButton):
    """A filter button whose menu holds one widget."""

    def __init__(self, label: str, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.setText(label)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self)
        action = QWidgetAction(menu)
        action.setDefaultWidget(content)
        menu.addAction(action)
        self.setMenu(menu)
        self.show_summary("")

    def show_summary(self, summary: str) -> None:
        text = f"{self.label}: {summary}" if summary else f"{self.label} ▾"
        self.setText(text if len(text) <= 34 else text[:33] + "…")
        self.setToolTip(f"{self.label}: {summary}" if summary else f"Filter by {self.label}")
        self.setStyleSheet(ACTIVE_STYLE if summary else IDLE_STYLE)


class FilterBar(QWidget):
    """Buttons for every filter; ``changed`` carries the new filter."""

    changed = Signal(object)

    def __init__(self, values_of: ValuesOf, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values_of = values_of
        self._filter = LeadFilter()
        self._lists: dict[str, tuple[_Popup, QListWidget]] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for part, label, choices in LISTS:
            values = QListWidget()
            values.setMinimumWidth(220)
            values.itemChanged.connect(lambda _item, p=part: self._list_changed(p))
            button = _Popup(label, values)
            if choices is None:
                button.menu().aboutToShow.connect(lambda p=part: self._fill(p))
            else:
                self._set_items(values, [(c, c.capitalize() if part == "statuses" else c)
                                         for c in choices])  # fmt: skip
            self._lists[part] = (button, values)
            row.addWidget(button)
        self.score_button = _Popup("Score", self._score_form())
        self.more_button = _Popup("More", self._more_form())
        row.addWidget(self.score_button)
        row.addWidget(self.more_button)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setFlat(True)
        self.clear_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.clear_button)
        row.addStretch()
        self._show(self._filter)

    # -- the popups -------------------------------------------------------------------
    def _score_form(self) -> QWidget:
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        self.min_score, self.max_score = QDoubleSpinBox(), QDoubleSpinBox()
        for box, blank in ((self.min_score, "any"), (self.max_score, "any")):
            box.setRange(-1, 1000)
            box.setDecimals(0)
            box.setSpecialValueText(blank)
            box.setValue(-1)
            box.editingFinished.connect(self._score_changed)
        self.sales_ready = QCheckBox("Sales-ready only (at or above the threshold)")
        self.sales_ready.toggled.connect(self._score_changed)
        form.addRow("From", self.min_score)
        form.addRow("Below", self.max_score)
        form.addRow(self.sales_ready)
        return form_widget

    def _more_form(self) -> QWidget:
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        self.follow_up = QComboBox()
        self.follow_up.addItems(["Any", "Has a follow-up", "No follow-up"])
        self.follow_up.currentIndexChanged.connect(self._more_changed)
        self.not_contacted = QSpinBox()
        self.not_contacted.setRange(0, 3650)
        self.not_contacted.setSpecialValueText("any time")
        self.not_contacted.setSuffix(" days")
        self.not_contacted.editingFinished.connect(self._more_changed)
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("a tag")
        self.tag.editingFinished.connect(self._more_changed)
        self.custom_field = QComboBox()
        self.custom_value = QLineEdit()
        self.custom_value.setPlaceholderText("equals…")
        self.custom_value.editingFinished.connect(self._more_changed)
        self.custom_field.currentIndexChanged.connect(self._more_changed)
        custom = QHBoxLayout()
        custom.addWidget(self.custom_field)
        custom.addWidget(self.custom_value)
        form.addRow("Follow-up", self.follow_up)
        form.addRow("Not contacted for", self.not_contacted)
        form.addRow("Tag", self.tag)
        form.addRow("Custom field", custom)
        return form_widget

    def set_custom_fields(self, fields: list[tuple[str, str]]) -> None:
        """The custom fields (key, label) the More popup offers."""
        current = self.custom_field.currentData()
        self.custom_field.blockSignals(True)
        self.custom_field.clear()
        self.custom_field.addItem("—", None)
        for key, label in fields:
            self.custom_field.addItem(label, key)
        self.custom_field.setCurrentIndex(max(0, self.custom_field.findData(current)))
        self.custom_field.blockSignals(False)

    def _fill(self, part: str) -> None:
        values = self._lists[part][1]
        common = self._values_of(_FIELD_OF[part])
        items = [(v, f"{v}  ({n:,})") for v, n in common]
        if part == "owners":
            items.insert(0, ("", NOBODY))
        chosen = set(getattr(self._filter, part))
        items += [(v, v) for v in chosen if v not in {value for value, _ in items}]
        self._set_items(values, items)

    def _set_items(self, values: QListWidget, items: list[tuple[str, str]]) -> None:
        values.blockSignals(True)
        values.clear()
        for value, text in items:
            item = QListWidgetItem(text, values)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        values.setFixedHeight(min(320, 8 + 26 * max(1, len(items))))
        values.blockSignals(False)
        self._check(values, ())

    # -- reading and writing the filter --------------------------------------------------
    def _list_changed(self, part: str) -> None:
        values = self._lists[part][1]
        chosen = tuple(
            values.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(values.count())
            if values.item(i).checkState() == Qt.CheckState.Checked
        )
        changes: dict[str, Any] = {part: chosen}
        self._emit(replace(self._filter, **changes))

    def _score_changed(self) -> None:
        low, high = self.min_score.value(), self.max_score.value()
        self._emit(
            replace(
                self._filter,
                min_score=None if low < 0 else low,
                max_score=None if high < 0 else high,
                sales_ready=True if self.sales_ready.isChecked() else None,
            )
        )

    def _more_changed(self) -> None:
        key, value = self.custom_field.currentData(), self.custom_value.text().strip()
        self._emit(
            replace(
                self._filter,
                has_follow_up=(None, True, False)[self.follow_up.currentIndex()],
                not_contacted_days=self.not_contacted.value() or None,
                tag=self.tag.text().strip(),
                custom=((key, value),) if key and value else (),
            )
        )

    def _emit(self, lead_filter: LeadFilter) -> None:
        if lead_filter != self._filter:
            self._filter = lead_filter
            self._show(lead_filter)
            self.changed.emit(lead_filter)

    def clear(self) -> None:
        self.set_filter(LeadFilter())
        self.changed.emit(self._filter)

    @property
    def lead_filter(self) -> LeadFilter:
        return self._filter

    def set_filter(self, lead_filter: LeadFilter) -> None:
        """Show ``lead_filter`` (a saved view, a dashboard click) without emitting."""
        self._filter = lead_filter
        self._show(lead_filter)

    def _show(self, f: LeadFilter) -> None:
        for part, (button, values) in self._lists.items():
            chosen: tuple[Any, ...] = getattr(f, part)
            if part in _FIELD_OF and chosen:
                present = {values.item(i).data(Qt.ItemDataRole.UserRole)
                           for i in range(values.count())}  # fmt: skip
                if not set(chosen) <= present:
                    self._fill(part)
            self._check(values, chosen)
            names = [NOBODY if v == "" else (v.capitalize() if part == "statuses" else v)
                     for v in chosen]  # fmt: skip
            button.show_summary(", ".join(names))
        widgets = (self.min_score, self.max_score, self.sales_ready, self.follow_up,
                   self.not_contacted, self.tag, self.custom_field, self.custom_value)  # fmt: skip
        for widget in widgets:
            widget.blockSignals(True)
        self.min_score.setValue(-1 if f.min_score is None else f.min_score)
        self.max_score.setValue(-1 if f.max_score is None else f.max_score)
        self.sales_ready.setChecked(bool(f.sales_ready))
        self.follow_up.setCurrentIndex({None: 0, True: 1, False: 2}[f.has_follow_up])
        self.not_contacted.setValue(f.not_contacted_days or 0)
        self.tag.setText(f.tag)
        key, value = f.custom[0] if f.custom else (None, "")
        self.custom_field.setCurrentIndex(max(0, self.custom_field.findData(key)))
        self.custom_value.setText(value)
        for widget in widgets:
            widget.blockSignals(False)
        self.score_button.show_summary(_score_summary(f))
        self.more_button.show_summary(_more_summary(f))
        self.clear_button.setVisible(self._has_filters(f))

    @staticmethod
    def _has_filters(f: LeadFilter) -> bool:
        return replace(f, search="", ids=(), import_batch=None) != LeadFilter()

    @staticmethod
    def _check(values: QListWidget, chosen: tuple[Any, ...]) -> None:
        values.blockSignals(True)
        for i in range(values.count()):
            item = values.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        values.blockSignals(False)


def _score_summary(f: LeadFilter) -> str:
    parts = []
    if f.min_score is not None and f.max_score is not None:
        parts.append(f"{f.min_score:g} to {f.max_score:g}")
    elif f.min_score is not None:
        parts.append(f"≥ {f.min_score:g}")
    elif f.max_score is not None:
        parts.append(f"< {f.max_score:g}")
    if f.sales_ready:
        parts.append("sales-ready")
    return ", ".join(parts)


def _more_summary(f: LeadFilter) -> str:
    parts = []
    if f.has_follow_up is not None:
        parts.append("follow-up" if f.has_follow_up else "no follow-up")
    if f.not_contacted_days:
        parts.append(f"not contacted {f.not_contacted_days}+ days")
    if f.tag:
        parts.append(f"tag {f.tag}")
    parts += [f"{value}" for _, value in f.custom]
    if f.called_between is not None:
        parts.append("called " + f.called_between[0].astimezone().strftime("%d %b"))
    return ", ".join(parts)
