"""The export workbook: openpyxl's write-only mode builds it, the data rows stream in.

Rows are rendered by ``sheetxml`` into spool files while the leads are read (a sheet holds
at most ``SHEET_ROWS`` of them; more go on "Leads (2)", …). At the end openpyxl writes the
workbook itself (styles, header rows, column widths, frozen panes, autofilters, the score's
colour scale, the "Export" sheet), and each data sheet's rows are placed after its header
row while the package is zipped into the target file.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from leaddesk.core.exporting.cells import FORMATS, TextCleaner, header_cells
from leaddesk.core.exporting.sheetxml import RowRenderer
from leaddesk.core.fields import FieldType
from leaddesk.core.progress import Job, Progress

SHEET_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
EXPORT_SHEET = "Export"
_COPY_CHUNK = 4 * 1024**2
_ROWS_END = b"</sheetData>"
# Deflate's fastest level: on 100,000 sample leads' sheets (200 MB of XML) 0.7 s instead of
# the default level's 2.0 s, for a file of 34 MB instead of 27 MB.
_COMPRESSLEVEL = 1


@dataclass
class _Part:
    """One worksheet of a series and the spool file holding its rendered rows."""

    title: str
    spool: IO[bytes]
    rows: int = 0


@dataclass
class SheetSpec:
    """A series of sheets with one header ("Leads", "Leads (2)", …).

    Attributes:
        number_formats: per column, the number format of its numbers (None: general).
        score_column: 0-based column given the score's colour scale, if any.
        wrap_header: headers wrap over lines (long rule names), in a taller header row.
    """

    title: str
    headers: list[str]
    widths: list[float]
    number_formats: list[str | None]
    score_column: int | None = None
    wrap_header: bool = False
    parts: list[_Part] = field(default_factory=list)


class WorkbookWriter:
    """Streams rows into sheet series, then builds and zips the workbook around them.

    Args:
        folder: where the spool files go (the target's folder: its disk is the one that
            must hold the export).
        cleaners: per series, what counts the text it had to clean.
        bands: the score's colour scale: (low, middle, high) scores, red to green.
    """

    def __init__(
        self,
        specs: Sequence[SheetSpec],
        folder: Path,
        cleaners: Sequence[TextCleaner],
        bands: tuple[float, float, float],
    ) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        self.specs = list(specs)
        self.folder = folder
        self.bands = bands
        self.workbook = Workbook(write_only=True)
        self._first = self.workbook.create_sheet(self.specs[0].title)

        def style(number_format: str) -> int:
            cell = WriteOnlyCell(self._first)
            cell.number_format = number_format
            return int(cell.style_id)

        self.renderers = [
            RowRenderer(
                cleaner,
                [None if fmt is None else style(fmt) for fmt in spec.number_formats],
                style(FORMATS[FieldType.DATE]),
                style(FORMATS[FieldType.DATETIME]),
            )
            for spec, cleaner in zip(self.specs, cleaners, strict=True)
        ]

    def append(self, index: int, rows: Sequence[Sequence[Any]]) -> None:
        """Add ``rows`` to series ``index``, starting a new sheet when one is full."""
        spec, renderer = self.specs[index], self.renderers[index]
        for values in rows:
            if not spec.parts or spec.parts[-1].rows == SHEET_ROWS:
                number = len(spec.parts) + 1
                title = spec.title if number == 1 else f"{spec.title} ({number})"
                spool = tempfile.TemporaryFile(  # noqa: SIM115 (closed by close())
                    dir=self.folder, prefix=".leaddesk-export-"
                )
                spec.parts.append(_Part(title, spool))
            part = spec.parts[-1]
            part.rows += 1
            part.spool.write(renderer.row(part.rows + 1, values).encode())

    def close(self) -> None:
        """Remove the spool files (also when the export stops early)."""
        for spec in self.specs:
            for part in spec.parts:
                part.spool.close()

    def save(self, target: Path, parameters: Sequence[tuple[str, Any]]) -> Job[None]:
        """Write the workbook to ``target``, with ``parameters`` on the "Export" sheet."""
        placed = [
            (self._sheet(spec, part), part)
            for spec in self.specs
            for part in spec.parts or [_Part(spec.title, io.BytesIO())]
        ]
        self._export_sheet(parameters)
        skeleton = io.BytesIO()
        self.workbook.save(skeleton)
        # A sheet's path in the package is known once the workbook is saved.
        sheets = {sheet.path.lstrip("/"): part for sheet, part in placed}
        total = sum(part.spool.tell() for part in sheets.values())
        done = 0
        with (
            zipfile.ZipFile(skeleton) as source,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=_COMPRESSLEVEL) as out,
        ):
            for info in source.infolist():
                data = source.read(info)
                rows = sheets.get(info.filename)
                if rows is None:
                    out.writestr(info, data)
                    continue
                head, found, tail = data.partition(_ROWS_END)
                if not found:
                    raise RuntimeError(f"openpyxl wrote {info.filename} without sheet data")
                rows.spool.seek(0)
                with out.open(info.filename, "w", force_zip64=True) as stream:
                    stream.write(head)
                    while chunk := rows.spool.read(_COPY_CHUNK):
                        stream.write(chunk)
                        done += len(chunk)
                        yield Progress(done, total, "Saving the workbook…")
                    stream.write(found + tail)

    def _sheet(self, spec: SheetSpec, part: _Part) -> Any:
        """A write-only sheet with the series' layout and header, its rows to come."""
        from openpyxl.formatting.rule import ColorScaleRule
        from openpyxl.utils import get_column_letter

        first = part.title == self.specs[0].title  # made first, to register the styles
        sheet = self._first if first else self.workbook.create_sheet(part.title)
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        if spec.wrap_header:
            sheet.row_dimensions[1].height = 45
        sheet.append(header_cells(sheet, spec.headers, wrap=spec.wrap_header))
        last_row = part.rows + 1
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec.headers))}{last_row}"
        if spec.score_column is not None and part.rows:
            column = get_column_letter(spec.score_column + 1)
            low, middle, high = self.bands
            sheet.conditional_formatting.add(
                f"{column}2:{column}{last_row}",
                ColorScaleRule(
                    start_type="num", start_value=low, start_color="F8696B",
                    mid_type="num", mid_value=middle, mid_color="FFEB84",
                    end_type="num", end_value=high, end_color="63BE7B",
                ),
            )  # fmt: skip
        return sheet

    def _export_sheet(self, parameters: Sequence[tuple[str, Any]]) -> None:
        """What was exported, how and from where: a label and a value per row."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        sheet = self.workbook.create_sheet(EXPORT_SHEET)
        sheet.column_dimensions["A"].width = 20
        sheet.column_dimensions["B"].width = 100
        cleaner = TextCleaner()  # the values are LeadDesk's words and the user's filter
        bold = Font(bold=True)
        top = Alignment(vertical="top", wrap_text=True)
        for label, value in parameters:
            name = WriteOnlyCell(sheet, value=label)
            name.font, name.alignment = bold, top
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=cleaner.clean(value))
                cell.data_type = "s"  # a filter's search text may start with "="
            else:
                cell = WriteOnlyCell(sheet, value=value)
                is_count = isinstance(value, int)
                cell.number_format = "#,##0" if is_count else FORMATS[FieldType.DATETIME]
            cell.alignment = top
            sheet.append([name, cell])
