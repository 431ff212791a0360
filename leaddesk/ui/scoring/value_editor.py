"""The editor of a rule's value, shaped by the field's type and the operator.

Numbers get a spin box (two for "between"), dates a calendar, day counts a days box, and
text a pick-list of the values that occur in the data, where typing a value of one's own is
allowed unless the field has fixed choices.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.fields import Field
from leaddesk.core.scoring import editing

NUMBER_LIMIT = 1e12


def number_box(parent: QWidget | None = None) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(-NUMBER_LIMIT, NUMBER_LIMIT)
    box.setDecimals(2)
    box.setGroupSeparatorShown(True)
    return box


class ValueList(QWidget):
    """Tick the values a rule matches; the data's values first, most frequent on top."""

    def __init__(self, known: list[str], free_text: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.known = known
        self.entry = QLineEdit()
        self.entry.setPlaceholderText(
            "Type a value and press Enter to add it" if free_text else "Filter the values"
        )
        self.entry.returnPressed.connect(self._add_typed)
        self.entry.textChanged.connect(self._filter)
        self.free_text = free_text
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.entry)
        layout.addWidget(self.list, 1)
        self.setFocusProxy(self.entry)

    def set_values(self, values: list[str]) -> None:
        self.list.clear()
        for text in [*values, *(k for k in self.known if k not in values)]:
            self._item(text, checked=text in values)

    def values(self) -> list[str]:
        items = (self.list.item(row) for row in range(self.list.count()))
        return [i.text() for i in items if i.checkState() == Qt.CheckState.Checked]

    def _item(self, text: str, *, checked: bool) -> QListWidgetItem:
        item = QListWidgetItem(text, self.list)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        return item

    def _add_typed(self) -> None:
        text = self.entry.text().strip()
        if not text:
            return
        found = self.list.findItems(text, Qt.MatchFlag.MatchFixedString)
        if found:
            found[0].setCheckState(Qt.CheckState.Checked)
        elif self.free_text:
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.insertItem(0, item)
        self.entry.clear()

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(bool(needle) and needle not in item.text().casefold())


class ValueEditor(QWidget):
    """One value editor; ``value()`` gives the JSON value the rule stores."""

    def __init__(self, f: Field, op: str, known: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.op = op
        self.field = f
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.low = self.high = None
        self.days: QSpinBox | None = None
        self.date: QDateEdit | None = None
        self.text: QComboBox | None = None
        self.list: ValueList | None = None
        self.number: QDoubleSpinBox | None = None
        if op == "between":
            self.low, self.high = number_box(), number_box()
            layout.addWidget(self.low, 1)
            layout.addWidget(QLabel("and"))
            layout.addWidget(self.high, 1)
            self.setFocusProxy(self.low)
        elif op in editing.DAYS_OPS:
            self.days = QSpinBox()
            self.days.setRange(1, 36500)
            self.days.setSuffix(" days")
            layout.addWidget(self.days)
            self.setFocusProxy(self.days)
        elif op in editing.DATE_OPS:
            self.date = QDateEdit()
            self.date.setCalendarPopup(True)
            self.date.setDisplayFormat("yyyy-MM-dd")
            layout.addWidget(self.date)
            self.setFocusProxy(self.date)
        elif f.type.is_numeric:
            self.number = number_box()
            layout.addWidget(self.number)
            self.setFocusProxy(self.number)
        elif op in editing.LIST_OPS:
            self.list = ValueList(known, editing.allows_free_text(f, op))
            layout.addWidget(self.list)
            self.setFocusProxy(self.list)
        else:
            self.text = QComboBox()
            self.text.setEditable(editing.allows_free_text(f, op))
            self.text.addItems(known)
            layout.addWidget(self.text)
            self.setFocusProxy(self.text)

    @property
    def is_list(self) -> bool:
        return self.list is not None

    def set_value(self, value: Any) -> None:
        if self.low is not None and self.high is not None:
            pair = value if isinstance(value, list) and len(value) == 2 else [0, 0]
            self.low.setValue(_float(pair[0]))
            self.high.setValue(_float(pair[1]))
        elif self.days is not None:
            self.days.setValue(int(_float(value) or 30))
        elif self.date is not None:
            try:
                day = date.fromisoformat(value)
            except (TypeError, ValueError):
                day = date.today()
            self.date.setDate(QDate(day.year, day.month, day.day))
        elif self.number is not None:
            self.number.setValue(_float(value))
        elif self.list is not None:
            texts = value if isinstance(value, list) else [value] if value else []
            self.list.set_values([str(v) for v in texts])
        elif self.text is not None:
            self.text.setCurrentText("" if value is None else str(value))

    def value(self) -> Any:
        if self.low is not None and self.high is not None:
            return [self.low.value(), self.high.value()]
        if self.days is not None:
            return self.days.value()
        if self.date is not None:
            return self.date.date().toString("yyyy-MM-dd")
        if self.number is not None:
            return self.number.value()
        if self.list is not None:
            return self.list.values()
        assert self.text is not None
        return self.text.currentText().strip()


def _float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return 0.0
