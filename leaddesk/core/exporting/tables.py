"""A small workbook of titled tables, for a person to read: everything about one lead.

The leads export streams up to a million rows through its own renderer; this writes a few
sheets of a few rows with openpyxl's cells, in the export's style (its header row, safe
text that never becomes a formula, date formats) and through the same safe replacement of
the target file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaddesk.core.exporting.cells import SafeCellWriter, header_cells
from leaddesk.core.exporting.files import closing_on_failure, replacing
from leaddesk.core.fields import custom_field

_ANY = custom_field("value", "Value")  # a value of no particular field: dates as dates
_WIDEST = 80


@dataclass(frozen=True, slots=True)
class Table:
    """One sheet: a header row, then the rows (values of any kind; dicts and lists are
    written as JSON text)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


def write_tables(path: Path, tables: Sequence[Table]) -> Path:
    """Write ``tables`` to the ``.xlsx`` file ``path``, one sheet each; a file already there
    is replaced only once the new one is complete (BadFileError if it cannot be)."""
    from openpyxl import Workbook

    with replacing(path) as temporary, closing_on_failure(Workbook(write_only=True)) as book:
        for table in tables:
            _write_sheet(book.create_sheet(table.title), table)
        book.save(temporary)
    return path


def _write_sheet(sheet: Any, table: Table) -> None:
    from openpyxl.utils import get_column_letter

    writer = SafeCellWriter(sheet)
    rows = [[_plain(value) for value in row] for row in table.rows]
    for index, header in enumerate(table.headers):
        longest = max((len(str(row[index] or "")) for row in rows), default=0)
        width = min(_WIDEST, max(len(header), longest) + 2)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(header_cells(sheet, table.headers))
    for row in rows:
        sheet.append([writer.cell(value, _ANY) for value in row])


def _plain(value: Any) -> Any:
    """JSON data (an import's before and after values) as its text; other values as they are."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value
