"""Today's queue as a printable call sheet, for reps who call from paper.

The sheet takes the entries the caller already built, so the paper is exactly the queue on
screen. It is a workbook set up to print: landscape, one page wide, the header on every page,
gridlines, and rows tall enough to write the outcome, callback and notes by hand. Text goes
through ``SafeCellWriter`` like the Excel export, so nothing from an imported file can become a
formula, and the file is written through ``replacing`` so a failed export leaves an existing
sheet as it was.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from leaddesk.core.activities import Outcome
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.exporting import (
    ExportResult,
    SafeCellWriter,
    closing_on_failure,
    header_cells,
    replacing,
)
from leaddesk.core.leads import display_name
from leaddesk.core.progress import Job, Progress
from leaddesk.core.queue import QueueEntry, lead_zone, place
from leaddesk.core.queue_settings import QueueSettings

SHEET_TITLE = "Call sheet"
EMPTY_MESSAGE = "Nobody to call today: the queue is empty."
HEADER_ROW = 3  # after the title row and a blank row
ROW_HEIGHT = 30.0  # points: room to write an outcome or a callback time by hand
_LINE_HEIGHT = 15.0  # points per line of 11-point text

# (header, width in characters, wrapped); the pen columns come last, Notes widest.
COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("#", 4, False),
    ("Name", 20, True),
    ("Company", 18, True),
    ("Phone", 17, False),
    ("Local time", 22, True),
    ("Why now", 36, True),
    ("Score", 7, False),
    ("Tier", 8, False),
    ("Attempts", 9, False),
    ("Outcome", 16, False),
    ("Callback", 14, False),
    ("Notes", 40, True),
)
_OUTCOME_COLUMN = 10  # 1-based, J
_MINUS, _DASH = "\N{MINUS SIGN}", "\N{EN DASH}"  # print better than "-"


def export_call_sheet(
    path: Path,
    entries: Sequence[QueueEntry],
    *,
    settings: QueueSettings,
    rep: str | None = None,
    now: datetime | None = None,
) -> Job[ExportResult]:
    """Write ``entries`` to ``path`` as a call sheet ready to print.

    Args:
        path: the ``.xlsx`` file to write (replaced only once the new one is complete).
        entries: the queue as shown, in call order.
        settings: the queue settings with the user's time zone; the calling hours, if set,
            are shown for each lead in the lead's own time and in the user's.
        rep: whose sheet it is, for the title ("today" when not given).
        now: the moment the sheet is for (now when not given).
    """
    if path.suffix.lower() != ".xlsx":
        raise InvalidInputError(f"The call sheet is an .xlsx workbook; “{path.name}” is not one.")
    from openpyxl import Workbook

    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)  # LeadDesk's moments are UTC
    zone = settings.zone()
    total = len(entries)

    with replacing(path) as temporary, closing_on_failure(Workbook(write_only=True)) as workbook:
        sheet = workbook.create_sheet(SHEET_TITLE)
        writer = SafeCellWriter(sheet)
        _set_up_page(sheet, total)
        yield Progress(0, total, "Writing the call sheet…")
        _write_title(sheet, writer, rep, now.astimezone(zone))
        _write_header(sheet)
        if not entries:
            sheet.append([writer.text(EMPTY_MESSAGE)])
        for index, entry in enumerate(entries):
            _write_entry(sheet, writer, entry, HEADER_ROW + 1 + index, now, zone, settings)
        yield Progress(total, total, "Saving…")
        workbook.save(temporary)
    return ExportResult(path, total, writer.warnings())


def _set_up_page(sheet: Any, rows: int) -> None:
    """Everything a write-only sheet needs before its first row: widths, panes, printing."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    for index, (_, width, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_options.gridLines = True
    sheet.page_margins = PageMargins(
        left=0.25, right=0.25, top=0.75, bottom=0.75, header=0.3, footer=0.3
    )  # Excel's "Narrow" margins
    sheet.oddFooter.center.text = "Page &P of &N"
    if rows:
        sheet.data_validations.append(_outcome_choice(rows))


def _outcome_choice(rows: int) -> Any:
    """A dropdown of the outcomes in the Outcome column, for those who fill it in on screen."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    labels = [outcome.label for outcome in Outcome]  # none holds a comma, the list's separator
    column = get_column_letter(_OUTCOME_COLUMN)
    choice = DataValidation(
        type="list",
        formula1='"{}"'.format(",".join(labels)),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Outcome",
        error="Choose one of the outcomes in the list, or leave the cell empty.",
    )
    choice.add(f"{column}{HEADER_ROW + 1}:{column}{HEADER_ROW + rows}")
    return choice


def _write_title(sheet: Any, writer: SafeCellWriter, rep: str | None, local: datetime) -> None:
    from openpyxl.styles import Font

    day = f"{local:%A} {local.day} {local:%B %Y}"
    title = _cell(sheet, writer.text(f"{SHEET_TITLE} — {rep or 'today'} — {day}"))
    title.font = Font(bold=True, size=14)
    sheet.row_dimensions[1].height = 22
    sheet.append([title])
    sheet.append([])


def _write_header(sheet: Any) -> None:
    """The column names, styled like the Excel export's header."""
    sheet.row_dimensions[HEADER_ROW].height = 20
    sheet.append(header_cells(sheet, (header for header, _, _ in COLUMNS)))


def _write_entry(
    sheet: Any,
    writer: SafeCellWriter,
    entry: QueueEntry,
    row_index: int,
    now: datetime,
    user_zone: tzinfo,
    settings: QueueSettings,
) -> None:
    from openpyxl.styles import Alignment

    lead = entry.lead
    phone = lead.get("phone")
    score = lead.get("score")
    tier = lead.get("tier")
    values: list[Any] = [
        entry.rank,
        writer.text(display_name(lead)),
        _text(writer, lead.get("company")),
        _text(writer, phone),
        writer.text(local_time(lead, now, user_zone, settings)),
        _text(writer, entry.reason),
        round(float(score), 1) if score is not None else None,
        _text(writer, tier),
        int(lead.get("attempts") or 0),
        None,  # Outcome, Callback and Notes are for the pen
        None,
        None,
    ]
    row = []
    lines = 1
    for value, (_, width, wrapped) in zip(values, COLUMNS, strict=True):
        cell = _cell(sheet, value)
        cell.alignment = Alignment(vertical="top", wrap_text=wrapped)
        if isinstance(cell.value, str):
            cell.number_format = "@"  # text, so Excel keeps a phone's leading zeros and plus
            if wrapped:
                lines = max(lines, _lines(cell.value, width))
        row.append(cell)
    sheet.row_dimensions[row_index].height = max(ROW_HEIGHT, lines * _LINE_HEIGHT)
    sheet.append(row)


def _cell(sheet: Any, value: Any) -> Any:
    """``value`` as a cell that can be styled (``SafeCellWriter`` returns either)."""
    from openpyxl.cell import Cell, WriteOnlyCell

    return value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)


def _text(writer: SafeCellWriter, value: Any) -> Any:
    return None if value is None or value == "" else writer.text(str(value))


def _lines(text: str, width: float) -> int:
    """About how many lines ``text`` wraps to in a column ``width`` characters wide."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(len(part) / usable)) for part in text.split("\n"))


def local_time(
    lead: Mapping[str, Any], now: datetime, user_zone: tzinfo, settings: QueueSettings
) -> str:
    """Where the lead is and its offset ("New York (UTC-5)"), and, with calling hours set,
    when they may be called there and what that is in the user's own time."""
    zone = lead_zone(lead, user_zone)
    there = now.astimezone(zone)
    offset = utc_offset(there.utcoffset())
    name = zone_name(zone)
    text = f"{name} ({offset})" if name else offset
    if settings.calling_hours is None:
        return text
    start, end = settings.calling_hours
    text += f"\ncall {start:%H:%M}{_DASH}{end:%H:%M}"
    here = now.astimezone(user_zone)
    if there.utcoffset() != here.utcoffset():
        yours = [_in_zone(there, t, user_zone) for t in (start, end)]
        text += f" (your {yours[0]:%H:%M}{_DASH}{yours[1]:%H:%M})"
    return text


def _in_zone(day: datetime, moment: time, zone: tzinfo) -> datetime:
    """``moment`` on ``day``'s date in ``day``'s zone, seen from ``zone``."""
    return datetime.combine(day.date(), moment, day.tzinfo).astimezone(zone)


def zone_name(zone: tzinfo) -> str:
    """The place, as the Queue page names it ("New York"); empty for zones that are only an
    offset ("UTC", "Etc/GMT+5"), which the offset beside it says better."""
    name = place(zone)
    return "" if name.startswith(("UTC", "GMT", "+", "-")) else name


def utc_offset(offset: timedelta | None) -> str:
    """``-5h`` -> "UTC-5" (a true minus sign), ``+5h30`` -> "UTC+5:30", ``0`` -> "UTC"."""
    minutes = round((offset or timedelta()).total_seconds() / 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else _MINUS
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
