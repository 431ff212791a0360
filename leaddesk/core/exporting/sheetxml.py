"""Rows of a worksheet as SpreadsheetML text, written at the speed a large export needs.

openpyxl builds a cell object for every value it writes: appending 100,000 rows of 39 plain
values to a write-only sheet took it 15 s, past the 12 s a whole export of 100,000 leads may
take (breakdown sheet included). The data rows are therefore rendered here
as the ``<row>`` elements openpyxl itself would write (inline strings, numbers, booleans,
dates as serial numbers with a date style) and placed into the workbook openpyxl builds
around them (``xlsx.py``). No value is ever written as a formula: this writer has no way to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from leaddesk.core.exporting.cells import MAX_CELL, TextCleaner

# Anything that needs more than a plain copy: characters to remove or escape, or a value
# long enough to be cut.
_SPECIAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>\r]")
_SHORT = MAX_CELL // 2  # no text this long can be too long for a cell
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class RowRenderer:
    """Renders rows of typed values (see ``columns.value_getter``) for one sheet layout.

    Args:
        cleaner: counts the control characters removed and the texts cut.
        number_styles: per column, the style id of its number format (money), or None.
        date_style, datetime_style: the style ids of the date and date-time formats.
    """

    def __init__(
        self,
        cleaner: TextCleaner,
        number_styles: Sequence[int | None],
        date_style: int,
        datetime_style: int,
    ) -> None:
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.datetime import to_excel

        self.serial = to_excel  # Excel's day numbers, its 1900 leap-year quirk included
        self.cleaner = cleaner
        self.letters = [get_column_letter(i) for i in range(1, len(number_styles) + 1)]
        self.number_attrs = ["" if s is None else f' s="{s}"' for s in number_styles]
        self.date_attr = f' s="{date_style}"'
        self.datetime_attr = f' s="{datetime_style}"'

    def row(self, number: int, values: Sequence[Any]) -> str:
        """Row ``number`` (1-based) holding ``values``, one per column; None leaves a blank."""
        r = str(number)
        parts = [f'<row r="{r}">']
        append = parts.append
        plain = _SPECIAL.search  # None for text copied as it is (most text)
        serial = self.serial
        for letter, value, number_attr in zip(self.letters, values, self.number_attrs, strict=True):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if (
                    plain(value) is None
                    and len(value) <= _SHORT
                    and not value[0].isspace()
                    and not value[-1].isspace()
                ):
                    append(f'<c r="{letter}{r}" t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    append(f'<c r="{letter}{r}" t="inlineStr"><is>{self.text(value)}</is></c>')
            elif value is None:
                continue
            elif kind is float or kind is int:
                if math.isfinite(value):
                    append(f'<c r="{letter}{r}"{number_attr}><v>{value!r}</v></c>')
            elif kind is bool:
                append(f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>')
            elif kind is datetime:
                attr = self.datetime_attr
                append(f'<c r="{letter}{r}"{attr}><v>{serial(value)!r}</v></c>')
            elif kind is date:
                append(f'<c r="{letter}{r}"{self.date_attr}><v>{serial(value)!r}</v></c>')
            else:
                append(f'<c r="{letter}{r}" t="inlineStr"><is>{self.text(str(value))}</is></c>')
        parts.append("</row>")
        return "".join(parts)

    def text(self, value: str) -> str:
        """The ``<t>`` element of an inline string: cleaned, escaped, spaces kept."""
        if _SPECIAL.search(value) or len(value) > _SHORT:
            value = self.cleaner.clean(value).translate(_ESCAPES)
        if value[:1].isspace() or value[-1:].isspace():
            return f'<t xml:space="preserve">{value}</t>'
        return f"<t>{value}</t>"
