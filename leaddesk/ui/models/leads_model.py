"""The leads table: every lead in the database, read from SQL one page at a time.

A table over a million leads cannot hold them all, and ``fetchMore`` would still read every
row up to a deep scroll position. The model instead knows the row count (``count_leads``)
and keeps a small LRU cache of fixed-size pages, each one ``list_leads(limit, offset)``
query read along an index, so showing any part of the table reads at most a page or two.
Sorting, searching and filtering happen in SQL; each simply resets the model. The columns
are the fields the user chose, by name, from the field registry (custom fields included).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from leaddesk.core.db import Database
from leaddesk.core.fields import Field, FieldRegistry, FieldType
from leaddesk.core.leads import (
    Lead,
    LeadFilter,
    count_leads,
    lead_ids,
    list_leads,
    load_registry,
)
from leaddesk.ui.formatting import format_value, relative_day
from leaddesk.ui.widgets.badges import badge_text, percent_text

PAGE_SIZE = 200
CACHED_PAGES = 6

LEAD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
TIER_ROLE = Qt.ItemDataRole.UserRole + 2

# The columns a new user sees, in order; custom fields follow them.
DEFAULT_COLUMNS = (
    "score", "probability", "grade", "first_name", "last_name", "company", "job_title", "email",
    "phone", "country", "city", "status", "owner", "last_contacted_at", "next_follow_up_at",
    "source", "created_at",
)  # fmt: skip
PROBABILITY_TIP = (
    "The predictive model's chance that the lead converts; empty until a model is trained on "
    "the Predictive page"
)
# Shown as a day ("3 days ago", "tomorrow"): what a rep plans by.
DAY_COLUMNS = ("last_contacted_at", "next_follow_up_at")

_Index = QModelIndex | QPersistentModelIndex


class LeadsModel(QAbstractTableModel):
    """Leads matching a filter, in SQL order, paged through a windowed cache."""

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._filter = LeadFilter()
        self._order_by = "score"
        self._descending = True
        self._columns: list[Field] = []
        self._chosen: list[str] | None = None  # None: the default columns
        self.registry = FieldRegistry()
        self._count = 0
        self._pages: OrderedDict[int, list[Lead]] = OrderedDict()
        self.page_reads = 0  # how many pages were read from SQL (tests check the cache)
        self.reload()

    # -- what the view asks -------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        field = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return field.label
        if role == Qt.ItemDataRole.ToolTipRole and field.custom:
            return f"{field.label} (custom field from an import)"
        if role == Qt.ItemDataRole.ToolTipRole and field.name == "probability":
            return PROBABILITY_TIP
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(field)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() >= len(self._columns):
            return None
        lead = self.lead(index.row())
        if lead is None:
            return None
        field = self._columns[index.column()]
        value = _value(lead, field)
        if role == Qt.ItemDataRole.DisplayRole:
            if field.name == "score":
                return badge_text(value, lead.get("tier"))
            if field.name == "probability":
                return percent_text(value)
            if field.name == "status" and value:
                return str(value).capitalize()
            if field.name in DAY_COLUMNS and value:
                return relative_day(value)
            return format_value(value, field)
        if role == Qt.ItemDataRole.ToolTipRole and field.type == FieldType.DATETIME and value:
            return value.astimezone().strftime("%d %b %Y %H:%M")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(field)
        if role == LEAD_ID_ROLE:
            return lead["id"]
        if role == TIER_ROLE:
            return lead.get("tier")
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL by the column's field."""
        if not 0 <= column < len(self._columns):
            return
        order_by = self._columns[column].name
        descending = order == Qt.SortOrder.DescendingOrder
        if (order_by, descending) == (self._order_by, self._descending):
            return
        self._order_by, self._descending = order_by, descending
        self.reload()

    # -- what the page asks -------------------------------------------------------------
    @property
    def lead_filter(self) -> LeadFilter:
        return self._filter

    def set_filter(self, lead_filter: LeadFilter) -> None:
        if lead_filter != self._filter:
            self._filter = lead_filter
            self.reload()

    def set_sort(self, order_by: str, descending: bool) -> None:
        if (order_by, descending) != (self._order_by, self._descending):
            self._order_by, self._descending = order_by, descending
            self.reload()

    def set_columns(self, names: list[str] | None) -> None:
        """Show these fields, in this order (None: the default columns)."""
        self._chosen = names
        self.reload()

    def column_names(self) -> list[str]:
        return [f.name for f in self._columns]

    def reload(self) -> None:
        """Read the columns and the count again and forget cached pages (data changed)."""
        self.beginResetModel()
        with self._db.read() as conn:
            self.registry = load_registry(conn)
            self._count = count_leads(conn, self._filter)
        names = self._chosen or [*DEFAULT_COLUMNS, *(f.name for f in self.registry.custom)]
        self._columns = [self.registry.get(n) for n in names if n in self.registry] or [
            self.registry.get("score")
        ]
        if self._order_by not in self.registry:
            self._order_by, self._descending = "score", True  # its custom field was removed
        self._pages.clear()
        self.endResetModel()

    def column_of(self, field_name: str) -> int:
        """The column showing ``field_name`` (ValueError if it is not shown)."""
        return [f.name for f in self._columns].index(field_name)

    def field_at(self, column: int) -> Field:
        return self._columns[column]

    def sort_key(self) -> tuple[str, bool]:
        return self._order_by, self._descending

    def ids_of(self, rows: list[tuple[int, int]]) -> list[int]:
        """The lead ids in row ranges ``[(first, last), …]``, read from SQL in table order."""
        with self._db.read() as conn:
            return [
                lead_id
                for first, last in rows
                for lead_id in lead_ids(
                    conn, self._filter, order_by=(self._order_by,), descending=self._descending,
                    limit=last - first + 1, offset=first,
                )
            ]  # fmt: skip

    def lead(self, row: int) -> Lead | None:
        """The lead at ``row``, reading its page from SQL when it is not cached."""
        if not 0 <= row < self._count:
            return None
        number, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(number)
        if page is None:
            page = self._read_page(number)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def _read_page(self, number: int) -> list[Lead]:
        with self._db.read() as conn:
            page = list_leads(
                conn,
                self._filter,
                order_by=(self._order_by,),
                descending=self._descending,
                limit=PAGE_SIZE,
                offset=number * PAGE_SIZE,
            )
        self.page_reads += 1
        self._pages[number] = page
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        return page


def _alignment(field: Field) -> int | None:
    """Numbers, and their column's title, line up on the right (the score is a badge)."""
    if field.type.is_numeric and field.name != "score":
        return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return None


def _value(lead: Lead, field: Field) -> Any:
    """The lead's value of ``field`` (custom fields live in its ``custom`` JSON)."""
    if field.custom:
        return (lead.get("custom") or {}).get(field.name)
    return lead.get(field.name)
