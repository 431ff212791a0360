"""The export as a CSV file: the workbook's lead columns, for Excel and for other programs.

UTF-8 with a byte order mark, so Excel reads accents correctly; text goes through the same
cleaning as a workbook cell and gets OWASP's leading apostrophe when it starts like a
formula; numbers are written in full without exponents, moments as ``YYYY-MM-DD HH:MM:SS``
(UTC), yes/no as TRUE/FALSE, so LeadDesk's importer reads every value back as it was.
"""

from __future__ import annotations

import csv
import math
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from leaddesk.core.exporting.cells import TextCleaner, protect_csv


class CsvWriter:
    """Writes rows of typed values (see ``columns.value_getter``) as CSV lines."""

    def __init__(self, handle: IO[str], cleaner: TextCleaner) -> None:
        self.writer = csv.writer(handle)
        self.cleaner = cleaner

    def header(self, headers: list[str]) -> None:
        self.writer.writerow([self.text(h) for h in headers])

    def rows(self, rows: list[list[Any]]) -> None:
        self.writer.writerows([[self.value(v) for v in row] for row in rows])

    def value(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return number_text(value)
        if isinstance(value, datetime):
            return f"{value:%Y-%m-%d %H:%M:%S}"
        if isinstance(value, date):
            return value.isoformat()
        return self.text(str(value))

    def text(self, value: str) -> str:
        return protect_csv(self.cleaner.clean(value))


def number_text(value: float) -> str:
    """A number as people write it: ``250``, ``0.00015``, never ``2.5e+02``."""
    if not math.isfinite(value):
        return ""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return format(Decimal(repr(value)), "f")
