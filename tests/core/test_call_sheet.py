"""The printable call sheet: the queue on paper, safe text, and a page set up to print."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from leaddesk.core.activities import Outcome
from leaddesk.core.call_sheet import (
    COLUMNS,
    EMPTY_MESSAGE,
    HEADER_ROW,
    ROW_HEIGHT,
    export_call_sheet,
    local_time,
    utc_offset,
)
from leaddesk.core.errors import BadFileError, InvalidInputError
from leaddesk.core.progress import Progress, run
from leaddesk.core.queue import QueueEntry
from leaddesk.core.queue_settings import QueueSettings

# Thursday 5 March 2026, 14:00 UTC; the user works in Berlin (UTC+1 in March).
NOW = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
SETTINGS = QueueSettings(timezone="Europe/Berlin")
HOSTILE = '=HYPERLINK("http://evil.example","click")'
LONG_REASON = " · ".join(["Hot", "score 91", "opened an email yesterday", "3 earlier calls"] * 4)
HEADERS = [header for header, _, _ in COLUMNS]


def entry(rank: int, reason: str = "New lead · score 50", **lead: Any) -> QueueEntry:
    return QueueEntry(rank, rank, reason, {"id": rank, **lead})


ENTRIES = [
    entry(
        1,
        LONG_REASON,
        first_name="Ada",
        last_name="Lovelace",
        company="Analytical Engines",
        phone="+12125550100",
        score=91.27,
        tier="Hot",
        attempts=3,
        timezone="America/New_York",
    ),
    entry(
        2,
        "=1+1",
        first_name=HOSTILE,
        last_name="Smith",
        company="@SUM(A1:A9)",
        phone="+1 555",
        score=40,
        tier="-Warm",
        attempts=0,
        timezone="Asia/Kolkata",
    ),
    entry(3, company="Nameless GmbH", phone="030 1234567", score=None, attempts=None),
]


def export(tmp_path: Path, entries: list[QueueEntry], **kwargs: Any) -> Worksheet:
    target = tmp_path / "call-sheet.xlsx"
    kwargs.setdefault("settings", SETTINGS)
    kwargs.setdefault("now", NOW)
    result = run(export_call_sheet(target, entries, **kwargs))
    assert result.path == target
    assert result.rows == len(entries)
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Call sheet"]
    sheet: Worksheet = workbook["Call sheet"]
    return sheet


def rows(sheet: Worksheet) -> list[dict[str, Any]]:
    """The lead rows below the header, as {header: cell}."""
    return [
        dict(zip(HEADERS, cells, strict=False)) for cells in sheet.iter_rows(min_row=HEADER_ROW + 1)
    ]


def test_title_header_and_cells(tmp_path: Path) -> None:
    sheet = export(tmp_path, ENTRIES, rep="Ada")
    assert sheet["A1"].value == "Call sheet — Ada — Thursday 5 March 2026"
    assert sheet["A1"].font.bold
    assert sheet["A1"].font.size > 11
    assert all(cell.value is None for cell in sheet[2])
    header = sheet[HEADER_ROW]
    assert [cell.value for cell in header] == HEADERS
    assert header[0].font.bold
    assert header[0].fill.fgColor.rgb.endswith("1F4E79")
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"

    first, second, third = rows(sheet)
    assert [first["#"].value, second["#"].value, third["#"].value] == [1, 2, 3]
    assert first["Name"].value == "Ada Lovelace"
    assert first["Phone"].data_type == "s"
    assert first["Phone"].value == "+12125550100"
    assert first["Score"].data_type == "n"
    assert first["Score"].value == pytest.approx(91.3)
    assert first["Attempts"].value == 3
    assert first["Why now"].value == LONG_REASON
    assert first["Why now"].alignment.wrap_text
    assert first["Why now"].alignment.vertical == "top"
    assert first["Notes"].alignment.wrap_text
    assert first["Outcome"].value is None

    assert second["Name"].value == f"{HOSTILE} Smith"
    assert second["Why now"].value == "=1+1"
    assert second["Phone"].value == "+1 555"
    assert second["Phone"].data_type == "s"
    assert second["Company"].value == "@SUM(A1:A9)"
    assert second["Tier"].value == "-Warm"

    assert third["Name"].value == "Nameless GmbH"  # no person: the company is who to ask for
    assert third["Phone"].value == "030 1234567"
    assert third["Score"].value is None
    assert third["Attempts"].value == 0

    for cells in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in cells)


def test_rows_leave_room_to_write(tmp_path: Path) -> None:
    sheet = export(tmp_path, ENTRIES)
    assert sheet["A1"].value == "Call sheet — today — Thursday 5 March 2026"
    heights = [sheet.row_dimensions[HEADER_ROW + n].height for n in (1, 2, 3)]
    assert all(height >= ROW_HEIGHT for height in heights)
    assert heights[0] > ROW_HEIGHT  # the long reason wraps over more lines, none cut off


def test_local_time_of_each_lead(tmp_path: Path) -> None:
    hours = QueueSettings(timezone="Europe/Berlin", calling_hours=(time(9), time(18)))
    first, second, _ = rows(export(tmp_path, ENTRIES, settings=hours))
    assert first["Local time"].value == (
        "New York (UTC\N{MINUS SIGN}5)\ncall 09:00\N{EN DASH}18:00 (your 15:00\N{EN DASH}00:00)"
    )
    assert second["Local time"].value.startswith("Kolkata (UTC+5:30)\ncall 09:00")


def test_local_time_without_calling_hours() -> None:
    lead = {"timezone": "Europe/Berlin"}
    assert local_time(lead, NOW, timezone(timedelta(hours=1)), SETTINGS) == "Berlin (UTC+1)"
    assert local_time({"timezone": "UTC"}, NOW, UTC, SETTINGS) == "UTC"
    hours = QueueSettings(calling_hours=(time(9), time(17)))
    same = local_time(lead, NOW, ZoneInfo("Europe/Paris"), hours)
    assert same == "Berlin (UTC+1)\ncall 09:00\N{EN DASH}17:00"  # same clock: no conversion


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (timedelta(0), "UTC"),
        (timedelta(hours=-5), "UTC\N{MINUS SIGN}5"),
        (timedelta(hours=5, minutes=30), "UTC+5:30"),
        (timedelta(hours=-3, minutes=-30), "UTC\N{MINUS SIGN}3:30"),
        (None, "UTC"),
    ],
)
def test_utc_offset(offset: timedelta | None, text: str) -> None:
    assert utc_offset(offset) == text


def test_print_setup(tmp_path: Path) -> None:
    sheet = export(tmp_path, ENTRIES)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1
    assert not sheet.page_setup.fitToHeight
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.print_options.gridLines
    assert sheet.page_margins.left <= 0.25
    assert sheet.column_dimensions["L"].width >= 30  # Notes: room to write


def test_outcome_dropdown(tmp_path: Path) -> None:
    sheet = export(tmp_path, ENTRIES)
    (choice,) = sheet.data_validations.dataValidation
    assert choice.type == "list"
    assert str(choice.sqref) == f"J{HEADER_ROW + 1}:J{HEADER_ROW + len(ENTRIES)}"
    assert choice.formula1.strip('"').split(",") == [outcome.label for outcome in Outcome]
    assert choice.allow_blank


def test_an_empty_queue_says_so(tmp_path: Path) -> None:
    sheet = export(tmp_path, [])
    assert [cell.value for cell in sheet[HEADER_ROW]] == HEADERS
    assert sheet.cell(HEADER_ROW + 1, 1).value == EMPTY_MESSAGE
    assert "Nobody to call today" in EMPTY_MESSAGE
    assert not sheet.data_validations.dataValidation


def test_progress_ends_with_saving(tmp_path: Path) -> None:
    steps: list[Progress] = []
    run(export_call_sheet(tmp_path / "s.xlsx", ENTRIES, settings=SETTINGS), steps.append)
    assert steps[0] == Progress(0, 3, "Writing the call sheet…")
    assert steps[-1].message == "Saving…"


def test_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"\.xlsx"):
        run(export_call_sheet(tmp_path / "sheet.pdf", ENTRIES, settings=SETTINGS))


def test_an_unwritable_target_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("a file, not a folder")
    with pytest.raises(BadFileError, match="Could not write"):
        run(export_call_sheet(tmp_path / "a-file" / "sheet.xlsx", ENTRIES, settings=SETTINGS))


def test_a_cancelled_export_leaves_the_old_sheet_whole(tmp_path: Path) -> None:
    target = tmp_path / "sheet.xlsx"
    target.write_bytes(b"yesterday's sheet")
    job = export_call_sheet(target, ENTRIES, settings=SETTINGS)
    next(job)
    job.close()
    assert target.read_bytes() == b"yesterday's sheet"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.xlsx"]
