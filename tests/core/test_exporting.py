"""The Excel export: typed cells, styled header, and text that never becomes a formula."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from leaddesk.core import exporting
from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError, InvalidInputError
from leaddesk.core.exporting import ID_HEADER, export_xlsx
from leaddesk.core.leads import list_leads
from leaddesk.core.progress import run
from leaddesk.core.schema import leads

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def add_lead(db: Database, **values: object) -> None:
    with db.write() as conn:
        conn.execute(leads.insert(), [{"custom": {}, **values}])


def test_export_types_styles_and_safety(db: Database, tmp_path: Path) -> None:
    add_lead(
        db,
        first_name=HOSTILE,
        last_name="Bell\x07e",
        company="+cmd|' /C calc'!A0",
        phone="+4915112345678",
        employees=250.0,
        last_contacted_at=datetime(2026, 3, 1, 14, 30, tzinfo=UTC),
    )
    target = tmp_path / "leads.xlsx"
    result = run(export_xlsx(db, target))
    assert result.rows == 1
    assert any("control characters" in w for w in result.warnings)

    sheet = load_workbook(target).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == ID_HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    assert sheet["A1"].font.bold

    row = {h: cell for h, cell in zip(header, sheet[2], strict=True)}
    assert row["First name"].data_type == "s"
    assert row["First name"].value == HOSTILE
    assert row["Last name"].value == "Belle"
    assert row["Phone"].data_type == "s"
    assert row["Employees"].value == 250
    assert row["Last contacted"].is_date
    for cells in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in cells)


def test_export_refuses_other_formats(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"\.xlsx"):
        run(export_xlsx(db, tmp_path / "leads.csv"))


def test_an_unwritable_target_fails_before_any_work(db: Database, tmp_path: Path) -> None:
    add_lead(db, first_name="Ada")
    job = export_xlsx(db, tmp_path / "missing-parent-is-a-file" / "x.xlsx")
    (tmp_path / "missing-parent-is-a-file").write_text("a file, not a folder")
    with pytest.raises(BadFileError, match="Could not write"):
        next(job)


def test_a_cancelled_export_leaves_the_old_workbook_whole(db: Database, tmp_path: Path) -> None:
    add_lead(db, first_name="Ada")
    target = tmp_path / "leads.xlsx"
    target.write_bytes(b"the user's previous export")
    job = export_xlsx(db, target)
    next(job)
    job.close()
    assert target.read_bytes() == b"the user's previous export"
    assert not list(tmp_path.glob(".leads-*"))


def test_export_streams_every_lead_in_table_order_across_pages(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporting, "_PAGE", 3)
    for score in (5.0, 50.0, None, 20.0, 50.0, 90.0, 1.0):
        add_lead(db, first_name=f"s{score}", score=score)
    target = tmp_path / "paged.xlsx"
    result = run(export_xlsx(db, target))
    workbook = load_workbook(target, read_only=True)
    ids = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    workbook.close()
    with db.read() as conn:
        expected = [lead["id"] for lead in list_leads(conn)]
    assert result.rows == 7
    assert ids == expected
