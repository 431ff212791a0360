"""What every exported cell goes through: text Excel can store, and text that stays text.

Excel refuses most control characters and cells longer than 32,767 characters; both are
fixed here and counted, so the user is told what changed. A text that starts like a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return) is written as text: in a workbook by the
cell's type, in a CSV file by a leading apostrophe, as OWASP advises against CSV injection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from leaddesk.core.fields import Field, FieldType

MAX_CELL = 32_767  # characters in a cell, counted as Excel does (UTF-16 code units)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_PROTECTED = re.compile(r"'+[=+\-@\t\r]")
FORMATS: dict[FieldType, str] = {
    FieldType.DATE: "yyyy-mm-dd",
    FieldType.DATETIME: "yyyy-mm-dd hh:mm",
    FieldType.MONEY: "#,##0",
}
# Fields whose numbers read as something more than a number: a percentage stored as 0-100.
FIELD_FORMATS: dict[str, str] = {"probability": '0"%"'}


class TextCleaner:
    """Makes text storable by Excel and counts what it had to change."""

    def __init__(self) -> None:
        self.removed_control = 0
        self.truncated = 0

    def clean(self, value: str) -> str:
        """``value`` without the control characters Excel refuses, cut to 32,767 characters."""
        clean = _ILLEGAL.sub("", value)
        if len(clean) != len(value):
            self.removed_control += 1
        if len(clean) > MAX_CELL // 2:  # only then can it be too long in UTF-16
            units = clean.encode("utf-16-le")
            if len(units) > 2 * MAX_CELL:
                self.truncated += 1
                clean = units[: 2 * MAX_CELL].decode("utf-16-le", errors="ignore")
        return clean

    def warnings(self) -> list[str]:
        notes = []
        if self.removed_control:
            notes.append(
                f"{self.removed_control:,} cells held control characters Excel cannot store; "
                "they were removed."
            )
        if self.truncated:
            notes.append(
                f"{self.truncated:,} cells were longer than Excel's 32,767 characters and were cut."
            )
        return notes


def protect_csv(text: str) -> str:
    """Text for a CSV cell that Excel shows as text, never runs as a formula.

    A leading apostrophe is added to text starting with ``= + - @``, tab or CR, and to text
    already starting with apostrophes before one of those, so ``unprotect_csv`` can always
    take exactly one away again.
    """
    return "'" + text if _FORMULA_START.match(text) else text


def unprotect_csv(text: str) -> str:
    """The text ``protect_csv`` was given (other text is returned unchanged)."""
    return text[1:] if _PROTECTED.match(text) else text


class SafeCellWriter(TextCleaner):
    """Turns values into safe, typed cells of an openpyxl write-only sheet."""

    def __init__(self, sheet: Any) -> None:
        super().__init__()
        self.sheet = sheet

    def cell(self, value: Any, f: Field) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and f.custom and f.type.is_temporal:
            value = iso_moment(value, f.type)  # custom fields keep dates as ISO text
        if isinstance(value, datetime):  # Excel has no time zones; LeadDesk stores UTC
            return self._typed(value.replace(tzinfo=None), FORMATS[FieldType.DATETIME])
        if isinstance(value, date):
            return self._typed(value, FORMATS[FieldType.DATE])
        if isinstance(value, int | float):
            return self._typed(value, FORMATS.get(f.type)) if f.type in FORMATS else value
        return self.text(str(value))

    def _typed(self, value: Any, number_format: str | None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=value)
        if number_format:
            cell.number_format = number_format
        return cell

    def text(self, value: str) -> Any:
        """Text that stays text, even when it looks like a formula.

        openpyxl stores a string as a text cell, except one starting with ``=``, which it
        would write as a formula; that one gets a cell whose type is forced to text.
        """
        clean = self.clean(value)
        if not clean.startswith("="):
            return clean
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=clean)
        cell.data_type = "s"
        return cell


def iso_moment(text: str, type_: FieldType) -> date | datetime | str:
    """A custom date field's ISO text as a date (or datetime); other text as it is."""
    try:
        return date.fromisoformat(text) if type_ is FieldType.DATE else datetime.fromisoformat(text)
    except ValueError:
        return text  # a value the import kept as text because it was no date


def header_cells(sheet: Any, headers: Iterable[str], *, wrap: bool = False) -> list[Any]:
    """A header row in LeadDesk's style (white bold on dark blue), for a write-only sheet.

    Headers come from the user's files too (custom fields), so each is a text cell.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="1F4E79")
    font = Font(bold=True, color="FFFFFF")
    alignment = Alignment(vertical="center", wrap_text=wrap)
    row = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.fill, cell.font, cell.alignment = fill, font, alignment
        row.append(cell)
    return row
