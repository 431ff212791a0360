"""The Excel export: typed cells, styled header, and text that never becomes a formula."""

from __future__ import annotations

import codecs
import csv
import errno
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from leaddesk import __version__
from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError, InvalidInputError
from leaddesk.core.exporting import (
    ID_HEADER,
    describe_filter,
    describe_sort,
    export_xlsx,
    source,
    xlsx,
)
from leaddesk.core.exporting.cells import protect_csv, unprotect_csv
from leaddesk.core.exporting.lead_refs import database_tag, parse_lead_ref
from leaddesk.core.leads import LeadFilter, list_leads
from leaddesk.core.progress import run
from leaddesk.core.queue import build_queue
from leaddesk.core.queue_settings import QueueSettings
from leaddesk.core.schema import CustomFieldRecord, leads
from leaddesk.core.scoring.explain import explain_lead
from leaddesk.core.scoring.model import Rule, default_model
from leaddesk.core.scoring.sql import rescore_with_active
from leaddesk.core.scoring.store import save_model

pytestmark = pytest.mark.both_backends

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
    with pytest.raises(InvalidInputError, match=r"\.xlsx or \.csv"):
        run(export_xlsx(db, tmp_path / "leads.txt"))


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
    monkeypatch.setattr(source, "_PAGE", 3)
    for score in (5.0, 50.0, None, 20.0, 50.0, 90.0, 1.0):
        add_lead(db, first_name=f"s{score}", score=score)
    target = tmp_path / "paged.xlsx"
    result = run(export_xlsx(db, target))
    workbook = load_workbook(target, read_only=True)
    refs = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    workbook.close()
    ids = [lead_id_of(ref) for ref in refs]
    with db.read() as conn:
        expected = [lead["id"] for lead in list_leads(conn)]
    assert result.rows == 7
    assert ids == expected


# --- the whole workbook --------------------------------------------------------------------

NOW = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
COUNT_MARK = " \N{MULTIPLICATION SIGN}"  # before how many activities an explanation counts
DANGEROUS = ["=1+1", "+cmd", "-2+3", "@SUM(A1:A9)", "\t=x", "\r=x", HOSTILE]


def sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        return {
            name: package.read(name).decode()
            for name in package.namelist()
            if name.startswith("xl/worksheets/")
        }


def lead_id_of(ref: Any) -> int:
    parsed = parse_lead_ref(ref)
    assert parsed is not None
    return parsed[1]


def rows_of(path: Path, title: str) -> list[tuple[Any, ...]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook[title].iter_rows(values_only=True))
    finally:
        workbook.close()


def test_text_that_looks_like_a_formula_stays_text_everywhere(db: Database, tmp_path: Path) -> None:
    with db.write() as conn:
        custom = CustomFieldRecord.__table__  # type: ignore[attr-defined]
        conn.execute(custom.insert().values(key="x", label="=cmd()", type="text", created_at=NOW))
    for text in DANGEROUS:
        add_lead(db, first_name=text, company=text, notes=text, custom={"x": text})
    target = tmp_path / "leads.xlsx"
    run(export_xlsx(db, target, lead_filter=LeadFilter(search="=1+1 +cmd"), now=NOW))
    run(export_xlsx(db, target, now=NOW))

    for name, xml in sheet_xml(target).items():
        assert not re.search(r"<f[\s>/]", xml), name  # no formula element at all
    workbook = load_workbook(target)
    sheet = workbook["Leads"]
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "=cmd()"
    shown = {row[header.index("Notes")].value: row for row in sheet.iter_rows(min_row=2)}
    for text in DANGEROUS:
        row = shown[text]
        for column in ("First name", "Company", "Notes", "=cmd()"):
            assert row[header.index(column)].data_type == "s"


@pytest.mark.sqlite_only  # PostgreSQL text cannot hold the NUL this test stores
def test_what_excel_cannot_store_is_fixed_and_counted(db: Database, tmp_path: Path) -> None:
    long_text = "x" * 40_000
    emoji = "😀" * 20_000  # 20,000 characters, 40,000 in Excel's count
    add_lead(db, first_name="Bell\x07e", notes=long_text, company="Acme\x00\ufffe")
    add_lead(db, first_name="Zoë", notes=emoji)
    target = tmp_path / "leads.xlsx"
    result = run(export_xlsx(db, target))

    assert result.warnings == [
        "2 cells held control characters Excel cannot store; they were removed.",
        "2 cells were longer than Excel's 32,767 characters and were cut.",
    ]
    rows = rows_of(target, "Leads")
    header = rows[0]
    notes = {row[header.index("First name")]: row[header.index("Notes")] for row in rows[1:]}
    assert notes["Belle"] == "x" * 32_767
    assert len(notes["Zoë"].encode("utf-16-le")) == 2 * 32_766  # no emoji cut in half
    export = dict(rows_of(target, "Export"))
    assert export["Warning"] in result.warnings


def test_more_leads_than_a_sheet_holds_go_on_more_sheets(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 3)
    monkeypatch.setattr(source, "_PAGE", 2)
    for score in range(7):
        add_lead(db, first_name=f"s{score}", score=float(score))
    target = tmp_path / "split.xlsx"
    result = run(export_xlsx(db, target))

    workbook = load_workbook(target)
    assert workbook.sheetnames == [
        "Leads", "Leads (2)", "Leads (3)",
        "Score breakdown", "Score breakdown (2)", "Score breakdown (3)", "Export",
    ]  # fmt: skip
    names: list[str] = []
    for title in ("Leads", "Leads (2)", "Leads (3)"):
        sheet = workbook[title]
        assert sheet["A1"].value == ID_HEADER
        assert sheet.freeze_panes == "A2"
        header = [cell.value for cell in sheet[1]]
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{sheet.max_row}"
        names += [row[header.index("First name")] for row in sheet.iter_rows(2, values_only=True)]
    assert names == [f"s{score}" for score in range(6, -1, -1)]
    assert [workbook[t].max_row for t in ("Score breakdown", "Score breakdown (3)")] == [4, 2]
    assert result.rows == 7
    assert dict(rows_of(target, "Export"))["Rows"] == 7


def test_the_workbook_looks_like_a_product(db: Database, tmp_path: Path) -> None:
    add_lead(
        db,
        first_name="Ada",
        company="Analytical Engines of the Nineteenth Century Ltd",
        phone="+4915112345678",
        annual_revenue=1_250_000.0,
        last_contacted_at=datetime(2026, 3, 1, 14, 30, 5, 123, tzinfo=UTC),
        score=72.5,
        probability=64.0,
        notes="y" * 500,
    )
    add_lead(db, first_name="Alan", score=12.0)
    target = tmp_path / "leads.xlsx"
    run(export_xlsx(db, target, now=NOW))

    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Leads", "Score breakdown", "Export"]
    sheet = workbook["Leads"]
    header = {cell.value: cell.column_letter for cell in sheet[1]}
    assert sheet["A1"].font.bold
    assert sheet["A1"].fill.fgColor.rgb.endswith("1F4E79")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}3"
    widths = sheet.column_dimensions
    assert widths[header["Company"]].width > widths[header["City"]].width >= len("City")
    assert widths[header["Notes"]].width == 60  # capped
    cell = sheet[f"{header['Annual revenue']}2"]
    assert (cell.value, cell.number_format) == (1_250_000, "#,##0")
    cell = sheet[f"{header['Last contacted']}2"]
    assert cell.is_date
    assert cell.value == datetime(2026, 3, 1, 14, 30, 5)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    assert sheet[f"{header['Phone']}2"].data_type == "s"
    cell = sheet[f"{header['Probability']}2"]
    assert (cell.value, cell.number_format) == (64, '0"%"')
    (scale,) = sheet.conditional_formatting
    assert str(scale.sqref) == f"{header['Score']}2:{header['Score']}3"
    assert scale.rules[0].type == "colorScale"

    export = dict(rows_of(target, "Export"))
    assert export["Exported (UTC)"] == datetime(2026, 3, 5, 14, 0)
    assert export["Leads"] == "All leads"
    assert export["Order"] == "Score, highest first"
    assert export["Rows"] == 2
    assert export["Scoring model"] == "Default B2B model (built in, never changed)"
    assert export["LeadDesk version"] == __version__
    with db.read() as conn:
        tag = database_tag(conn)
    assert tag is not None
    assert export["Database"].startswith(f"{tag}.")


def test_a_view_in_its_order_and_a_selection(db: Database, tmp_path: Path) -> None:
    for last, status in (("Cole", "qualified"), ("Abel", "qualified"), ("Bush", "new")):
        add_lead(db, last_name=last, status=status)
    view = LeadFilter(statuses=("qualified",), owners=("",))
    target = tmp_path / "view.xlsx"
    run(export_xlsx(db, target, lead_filter=view, order_by=("last_name",), descending=False))

    rows = rows_of(target, "Leads")
    assert [row[rows[0].index("Last name")] for row in rows[1:]] == ["Abel", "Cole"]
    export = dict(rows_of(target, "Export"))
    assert export["Leads"] == "The leads shown: status qualified; owner nobody"
    assert export["Order"] == "Last name, A to Z"

    with db.read() as conn:
        ids = tuple(lead["id"] for lead in list_leads(conn) if lead["last_name"] != "Cole")
    run(export_xlsx(db, target, lead_filter=LeadFilter(ids=ids)))
    assert len(rows_of(target, "Leads")) == 3
    assert dict(rows_of(target, "Export"))["Leads"] == "2 selected leads"


def test_todays_queue(db: Database, tmp_path: Path) -> None:
    for index in range(3):
        add_lead(db, first_name=f"Caller {index}", phone=f"+4915112345{index:03d}", score=50.0)
    settings = QueueSettings(timezone="UTC", weekdays_only=False)
    target = tmp_path / "queue.xlsx"
    result = run(export_xlsx(db, target, what="queue", queue_settings=settings, now=NOW))

    with db.read() as conn:
        entries = build_queue(conn, now=NOW, settings=settings)
    assert entries
    assert result.rows == len(entries)
    rows = rows_of(target, "Queue")
    assert rows[0][:3] == ("Rank", "Why now", ID_HEADER)
    assert [(row[0], row[1]) for row in rows[1:]] == [(e.rank, e.reason) for e in entries]
    assert [lead_id_of(row[2]) for row in rows[1:]] == [e.lead_id for e in entries]
    assert dict(rows_of(target, "Export"))["Leads"] == "Today's call queue"


def test_the_breakdown_says_what_explain_says(db: Database, tmp_path: Path, add_leads: Any) -> None:
    """Per lead, the rule columns hold exactly the contributions ``explain`` lists, caps
    included, and add up to the lead's scores."""
    day = NOW - timedelta(days=2)
    rows = [
        {"job_title": "VP Sales", "employees": 250.0, "email": "a@gmail.com", "country": "DE",
         "source": "referral", "page_views": 12.0, "email_opens": 9.0, "form_submissions": 2.0,
         "last_activity_at": day},
        {"job_title": "Founder and Chief Executive", "employees": 5000.0, "country": "US",
         "source": "webinar", "email_clicks": 3.0},
        {"company": "Nobody Inc.", "employees": 5.0},
    ]  # fmt: skip
    calls = [{"kind": "call", "outcome": "connected", "at": day}] * 3
    ids = add_leads(rows, [(0, act) for act in calls] + [(1, calls[0])])
    with db.write() as conn:
        rescore_with_active(conn)
    target = tmp_path / "leads.xlsx"
    run(export_xlsx(db, target))

    sheet = rows_of(target, "Score breakdown")
    header = sheet[0]
    assert header[:5] == (ID_HEADER, "Name", "Score", "Fit score", "Engagement score")
    with db.read() as conn:
        for row in sheet[1:]:
            explained = explain_lead(conn, lead_id_of(row[0]))
            scores = (explained.score, explained.fit_score, explained.engagement_score)
            assert row[2:5] == scores
            lines = {
                f"{c.group.capitalize()}: {c.label.split(COUNT_MARK)[0]}": c.points
                for c in explained.contributions
            }
            # (a sheet read in read-only mode leaves out a row's blank cells at its end)
            points = {
                name: value for name, value in zip(header[5:], row[5:], strict=False) if value
            }
            assert points == lines
            assert sum(points.values()) == pytest.approx(explained.score)
    assert sorted(lead_id_of(row[0]) for row in sheet[1:]) == sorted(ids)
    assert "Fit: cap: fit limited to 50" in header
    assert "Engagement: cap: engagement limited to 50" in header


def test_a_model_that_cannot_run_costs_the_breakdown_not_the_export(
    db: Database, tmp_path: Path
) -> None:
    model = default_model()
    model.fit_rules.append(Rule("region_code", "equals", "north", 5))
    with db.write() as conn:
        custom = CustomFieldRecord.__table__  # type: ignore[attr-defined]
        conn.execute(
            custom.insert().values(key="region_code", label="Region", type="text", created_at=NOW)
        )
        save_model(conn, model, state="active")
        conn.execute(custom.delete())  # the rule's field is gone
    add_lead(db, first_name="Ada")
    target = tmp_path / "leads.xlsx"
    result = run(export_xlsx(db, target))

    assert load_workbook(target).sheetnames == ["Leads", "Export"]
    assert result.warnings[0].startswith("The score breakdown sheet was left out: ")
    assert "region_code" in result.warnings[0]


def test_a_full_disk_says_what_to_do_and_keeps_the_old_file(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_lead(db, first_name="Ada")
    target = tmp_path / "leads.xlsx"
    target.write_bytes(b"the user's previous export")

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsx.WorkbookWriter, "append", full)
    with pytest.raises(BadFileError, match=r"the disk is full\. Free some space"):
        run(export_xlsx(db, target))
    assert target.read_bytes() == b"the user's previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_stopping_midway_leaves_nothing_behind(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "_PAGE", 2)
    for index in range(7):
        add_lead(db, first_name=f"Lead {index}")
    job = export_xlsx(db, tmp_path / "leads.xlsx")
    for _ in range(3):
        next(job)
    job.close()
    assert not (tmp_path / "leads.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- CSV ----------------------------------------------------------------------------------


def test_csv_has_the_same_columns_and_protects_formulas(db: Database, tmp_path: Path) -> None:
    add_lead(
        db,
        first_name="=1+1",
        last_name="'=quoted already",
        company="Zoë & Co",
        phone="+4915112345678",
        employees=-5.0,
        annual_revenue=0.00015,
        do_not_call=True,
        last_contacted_at=datetime(2026, 3, 1, 14, 30, 5, 500, tzinfo=UTC),
        notes="two\nlines\x07",
    )
    run(export_xlsx(db, tmp_path / "leads.xlsx"))
    target = tmp_path / "leads.csv"
    result = run(export_xlsx(db, target))

    data = target.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert header == list(rows_of(tmp_path / "leads.xlsx", "Leads")[0])
    values = dict(zip(header, row, strict=True))
    assert values["First name"] == "'=1+1"
    assert values["Last name"] == "''=quoted already"
    assert values["Company"] == "Zoë & Co"
    assert values["Phone"] == "'+4915112345678"
    assert (values["Employees"], values["Annual revenue"]) == ("-5", "0.00015")
    assert (values["Do not call"], values["Do not email"]) == ("TRUE", "FALSE")
    assert values["Last contacted"] == "2026-03-01 14:30:05"
    assert values["Notes"] == "two\nlines"
    assert values[ID_HEADER].startswith("LD-")
    assert result.warnings == [
        "1 cells held control characters Excel cannot store; they were removed."
    ]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30", "'+49 30"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("''+x", "'''+x"),
        ("'x", "'x"),
        ("x=1", "x=1"),
        ("", ""),
    ],
)
def test_csv_formula_protection_round_trips(text: str, written: str) -> None:
    assert protect_csv(text) == written
    assert unprotect_csv(written) == text


def test_describing_a_filter_in_words() -> None:
    assert describe_filter(LeadFilter()) == "all leads"
    described = describe_filter(
        LeadFilter(
            search=" acme ",
            tiers=("Hot", "Warm"),
            owners=("Kim", ""),
            min_score=40,
            max_score=70,
            has_follow_up=False,
            sales_ready=True,
            not_contacted_days=7,
            custom=(("colour", "blue"),),
            tag="vip",
        )
    )
    assert described == (
        "matching “acme”; tier Hot or Warm; owner Kim or nobody; score from 40 to under 70; "
        "without a follow-up; sales-ready; not contacted in the last 7 days; colour “blue”; "
        "tagged “vip”"
    )
    assert describe_sort(("next_follow_up_at",), True) == "Follow-up, newest first"
    assert describe_sort(("score",), False) == "Score, lowest first"
