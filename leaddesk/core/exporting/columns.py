"""The export's columns: every stored field of the registry, each with the value its cell gets.

Values are read by column kind, not tested cell by cell: built-in fields straight from the
row, moments as Excel keeps them (no time zone, whole seconds), custom dates from their ISO
text. Both the workbook and the CSV writer take these values.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from leaddesk.core.exporting.cells import iso_moment
from leaddesk.core.fields import BUILTIN_FIELDS, Field, FieldRegistry, FieldType, header_key
from leaddesk.core.schema import leads

ID_HEADER = "LeadDesk ID"
QUEUE_HEADERS = ("Rank", "Why now")
_MAX_WIDTH = 60


def export_columns(registry: FieldRegistry) -> list[Field]:
    """The exported fields, in registry order: everything stored, custom fields last."""
    return [f for f in registry.stored() if not f.custom] + registry.custom


def derived_header_keys() -> frozenset[str]:
    """The (folded) headers of exported columns LeadDesk computes itself: scores, grade,
    tier, attempts, when a lead was added, updated and scored, a queue's rank and reason.
    An import of an exported file leaves them out instead of making custom fields of them."""
    labels = [f.label for f in BUILTIN_FIELDS if f.stored and not f.importable]
    return frozenset(header_key(label) for label in (*labels, *QUEUE_HEADERS))


class LeadValues:
    """Reads a lead row's exported values, in ``export_columns`` order: the built-in fields
    in one lookup, their moments as Excel keeps them, custom fields from the JSON."""

    def __init__(self, registry: FieldRegistry) -> None:
        self.fields = export_columns(registry)
        builtin = [f for f in self.fields if not f.custom]
        self._get = operator.itemgetter(*(f.name for f in builtin))
        self._moments = [i for i, f in enumerate(builtin) if f.type is FieldType.DATETIME]
        self._custom = [(f.name, f.type) for f in self.fields if f.custom]

    def sql_columns(self) -> list[sa.ColumnElement[Any]]:
        """The columns of ``leads`` a page must read (the id first)."""
        names = ["id", *(f.name for f in self.fields if not f.custom)]
        return [leads.c[name] for name in names] + ([leads.c.custom] if self._custom else [])

    def __call__(self, lead: Mapping[str, Any]) -> list[Any]:
        values = list(self._get(lead))
        for index in self._moments:
            values[index] = excel_moment(values[index])
        if self._custom:
            stored = lead["custom"] or {}
            values += [custom_value(stored.get(key), type_) for key, type_ in self._custom]
        return values


def excel_moment(value: datetime | None) -> datetime | None:
    """A stored moment as a workbook keeps it: in UTC without a time zone, to the second."""
    if value is None:
        return None
    if value.tzinfo is not None and value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None, microsecond=0)


def custom_value(value: Any, type_: FieldType) -> Any:
    """A custom field's stored JSON value as the export writes it (dates from ISO text)."""
    if isinstance(value, str) and type_.is_temporal:
        moment = iso_moment(value, type_)
        return excel_moment(moment) if isinstance(moment, datetime) else moment
    return value


def widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Column widths that fit the header and the given rows (a first page), capped."""
    found = [len(header) + 3 for header in headers]  # room for the filter button
    for row in rows:
        for index, value in enumerate(row):
            if value is not None:
                found[index] = max(found[index], _shown_length(value) + 2)
    return [float(min(width, _MAX_WIDTH)) for width in found]


def _shown_length(value: Any) -> int:
    if isinstance(value, str):
        return max(map(len, value[: _MAX_WIDTH * 4].splitlines() or [""]))
    if isinstance(value, bool):
        return 5
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, float) and value.is_integer():
        return len(f"{value:,.0f}")
    return len(str(value))
