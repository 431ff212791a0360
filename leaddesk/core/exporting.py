"""Excel export: styled, safe, and re-importable.

Written with openpyxl's write-only mode so memory stays flat however many leads there are.
Every text cell is written as text: a value such as ``=HYPERLINK(…)`` from an imported file
never becomes a formula in the user's Excel. The first column carries the LeadDesk id (for the
re-import as updates that the export issue builds). The file is written beside the target and
moved over it at the end, so a failed export never damages a workbook that was there.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError, InvalidInputError
from leaddesk.core.fields import Field, FieldRegistry, FieldType
from leaddesk.core.leads import LeadFilter, count_leads, lead_query, load_registry
from leaddesk.core.progress import Job, Progress

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_CELL = 32_767
_PAGE = 2_000
ID_HEADER = "LeadDesk ID"
_FORMATS: dict[FieldType, str] = {
    FieldType.DATE: "yyyy-mm-dd",
    FieldType.DATETIME: "yyyy-mm-dd hh:mm",
    FieldType.MONEY: "#,##0",
}


@dataclass
class ExportResult:
    path: Path
    rows: int
    warnings: list[str] = field(default_factory=list)


class SafeCellWriter:
    """Turns lead values into safe, typed cells, and counts what it had to change."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.removed_control = 0
        self.truncated = 0

    def row(self, lead: dict[str, Any], columns: list[Field]) -> list[Any]:
        custom = lead.get("custom") or {}
        return [self.cell(custom.get(f.name) if f.custom else lead.get(f.name), f) for f in columns]

    def cell(self, value: Any, f: Field) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and f.custom and f.type.is_temporal:
            value = _iso_moment(value, f.type)  # custom fields keep dates as ISO text
        if isinstance(value, datetime):  # Excel has no time zones; LeadDesk stores UTC
            return self._typed(value.replace(tzinfo=None), _FORMATS[FieldType.DATETIME])
        if isinstance(value, date):
            return self._typed(value, _FORMATS[FieldType.DATE])
        if isinstance(value, int | float):
            return self._typed(value, _FORMATS.get(f.type)) if f.type in _FORMATS else value
        return self.text(str(value))

    def _typed(self, value: Any, number_format: str | None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=value)
        if number_format:
            cell.number_format = number_format
        return cell

    def text(self, value: str) -> Any:
        """Text that stays text, even when it looks like a formula."""
        clean = _ILLEGAL.sub("", value)
        if clean != value:
            self.removed_control += 1
        if len(clean) > _MAX_CELL:
            self.truncated += 1
            clean = clean[:_MAX_CELL]
        if not clean.startswith("="):
            return clean
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=clean)
        cell.data_type = "s"
        return cell

    def warnings(self) -> list[str]:
        notes = []
        if self.removed_control:
            notes.append(
                f"{self.removed_control} cells held control characters Excel cannot store; "
                "they were removed."
            )
        if self.truncated:
            notes.append(
                f"{self.truncated} cells were longer than Excel's 32,767 characters and were cut."
            )
        return notes


def export_columns(registry: FieldRegistry) -> list[Field]:
    """The exported fields, in registry order: everything stored, custom fields last."""
    return [f for f in registry.stored() if not f.custom] + registry.custom


def export_xlsx(
    db: Database,
    path: Path,
    what: Literal["leads", "queue"] = "leads",
    lead_filter: LeadFilter | None = None,
) -> Job[ExportResult]:
    """Write the leads (or today's queue) to ``path`` as a styled workbook."""
    if path.suffix.lower() != ".xlsx":
        raise InvalidInputError(f"Export writes .xlsx workbooks; “{path.name}” is not one.")
    if what not in ("leads", "queue"):
        raise InvalidInputError(f"Unknown export “{what}”: choose leads or queue.")
    from openpyxl import Workbook

    lead_filter = lead_filter or LeadFilter()

    with replacing(path) as temporary, db.read() as conn:
        registry = load_registry(conn)
        columns = export_columns(registry)
        if what == "queue":
            from leaddesk.core.queue import build_queue

            entries = build_queue(conn)
            total = len(entries)
            pages: Iterable[list[tuple[list[Any], dict[str, Any]]]] = [
                [([e.rank, e.reason], e.lead) for e in entries]
            ]
            extra = ["Rank", "Why now"]
        else:
            total = count_leads(conn, lead_filter)
            pages = _lead_pages(conn, lead_filter)
            extra = []
        with closing_on_failure(Workbook(write_only=True)) as workbook:
            sheet = workbook.create_sheet("Queue" if what == "queue" else "Leads")
            writer = SafeCellWriter(sheet)
            headers = [*extra, ID_HEADER, *(f.label for f in columns)]
            _write_header(sheet, headers, len(extra), columns)
            done = 0
            yield Progress(0, total, "Writing the workbook…")
            for page in pages:
                for prefix, lead in page:
                    sheet.append([*prefix, lead["id"], *writer.row(lead, columns)])
                done += len(page)
                yield Progress(done, total, "Writing the workbook…")
            yield Progress(total, total, "Saving…")
            workbook.save(temporary)
    return ExportResult(path, done, writer.warnings())


def _lead_pages(
    conn: Any, lead_filter: LeadFilter
) -> Iterator[list[tuple[list[Any], dict[str, Any]]]]:
    """The leads in pages of one streamed query (OFFSET pages would rescan what came before)."""
    rows = conn.execute(lead_query(lead_filter)).mappings()
    for page in rows.partitions(_PAGE):
        yield [([], dict(lead)) for lead in page]


def header_cells(sheet: Any, headers: Iterable[str]) -> list[Any]:
    """A header row in LeadDesk's style (white bold on dark blue), for a write-only sheet."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="1F4E79")
    font = Font(bold=True, color="FFFFFF")
    row = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.fill, cell.font = fill, font
        cell.alignment = Alignment(vertical="center")
        row.append(cell)
    return row


def _write_header(sheet: Any, headers: list[str], extra: int, columns: list[Field]) -> None:
    from openpyxl.utils import get_column_letter

    row = header_cells(sheet, headers)
    widths = [8] * extra + [12] + [_width(f) for f in columns]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            width, len(headers[index - 1]) + 3
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"
    sheet.append(row)


def _iso_moment(text: str, type_: FieldType) -> date | datetime | str:
    try:
        return date.fromisoformat(text) if type_ is FieldType.DATE else datetime.fromisoformat(text)
    except ValueError:
        return text  # a value the import kept as text because it was no date


def _width(f: Field) -> int:
    if f.type in (FieldType.EMAIL, FieldType.TEXT):
        return 24
    if f.type is FieldType.DATETIME:
        return 17
    return 13


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it if the block ends without error.

    The file is reserved first, so an unwritable folder is reported before any work is done.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent
        )
        os.close(handle)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def closing_on_failure(workbook: Any) -> Iterator[Any]:
    """Close a write-only workbook's sheets if writing stops early, so none is left half-open."""
    try:
        yield workbook
    except BaseException:
        for sheet in workbook.worksheets:
            sheet.close()
        raise


def _cannot_write(path: Path, exc: OSError) -> BadFileError:
    return BadFileError(
        f"Could not write {path}: {exc.strerror or exc}. "
        "Choose another folder, or close the file if Excel has it open."
    )
