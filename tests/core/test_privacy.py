"""Privacy: an erased lead leaves no trace, one lead's data exported whole (JSON and Excel),
and a do-not-contact list that outlives the lead and holds on re-import."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from leaddesk.core import migrations
from leaddesk.core.activities import Outcome, log_outcome
from leaddesk.core.bulk import BulkAction, apply_bulk
from leaddesk.core.db import Database, sibling_files
from leaddesk.core.importing.pipeline import ImportOptions, ImportReport, import_file
from leaddesk.core.importing.suppression import identity_hash
from leaddesk.core.lead_record import erase_lead, export_lead
from leaddesk.core.leads import LeadFilter
from leaddesk.core.progress import run
from leaddesk.core.schema import ImportBatch, Suppression, leads

AddLeads = Callable[..., list[int]]

EMAIL = "zelda.quokka-7731@erase-me.example"
PHONE = "+49 151 23456789"
E164 = "+4915123456789"
HEADERS = ["First Name", "Last Name", "Email", "Phone", "Company", "Do Not Call", "Notes"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def do_import(db: Database, path: Path) -> ImportReport:
    return run(import_file(db, path, ImportOptions(region="DE")))


def lead_id_of(db: Database, email: str) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(leads.c.id).where(leads.c.email == email)).scalar_one())


def flags_of(db: Database, email: str) -> tuple[bool, bool]:
    with db.read() as conn:
        row = conn.execute(
            sa.select(leads.c.do_not_call, leads.c.do_not_email).where(leads.c.email == email)
        ).one()
    return bool(row[0]), bool(row[1])


def file_bytes(db: Database) -> bytes:
    assert db.path is not None
    return b"".join(p.read_bytes() for p in (db.path, sibling_files(db.path)[0]) if p.exists())


def others(count: int) -> list[list[str]]:
    return [
        [f"Person{i}", "Other", f"person{i}@example.com", "", "Acme", "", ""] for i in range(count)
    ]


# --- erasure -------------------------------------------------------------------------------


def test_an_erased_lead_leaves_no_byte_in_the_database_files(db: Database, tmp_path: Path) -> None:
    zelda = ["Zelda", "Quokka", EMAIL, "0151 23", "Quokka Works", "", ""]
    first = do_import(db, write_csv(tmp_path / "a.csv", [*others(300), zelda]))
    assert any("0151 23" in w for w in first.warnings)  # the report quotes its phone
    zelda[6] = f"Mail {EMAIL}"
    do_import(db, write_csv(tmp_path / "b.csv", [zelda]))  # kept "before" and "changed"
    lead_id = lead_id_of(db, EMAIL)
    log_outcome(db, lead_id, Outcome.CONNECTED, note=f"Wrote to {EMAIL}")
    run(apply_bulk(db, LeadFilter(ids=(lead_id,)), BulkAction("tag", "vip")))
    for name in ("Person1", "Zelda"):  # older copies of its pages
        with db.write() as conn:
            conn.execute(leads.update().where(leads.c.id == lead_id).values(city=name))
    assert EMAIL.encode() in file_bytes(db)

    erased = erase_lead(db, lead_id)

    assert (erased.activities, erased.import_changes, erased.bulk_edit_rows) == (1, 2, 1)
    data = file_bytes(db)
    for trace in (EMAIL, "Quokka", "0151 23"):
        assert trace.encode() not in data, trace
    assert db.path is not None
    assert sibling_files(db.path)[0].stat().st_size == 0  # the log was emptied into the file
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar() == 300
        reports = conn.execute(sa.select(ImportBatch.__table__.c.report)).scalars().all()
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert not any("0151 23" in w for report in reports for w in report["warnings"])


def test_the_search_still_finds_the_other_leads_after_an_erasure(
    db: Database, tmp_path: Path
) -> None:
    do_import(db, write_csv(tmp_path / "a.csv", others(5)))
    erase_lead(db, lead_id_of(db, "person1@example.com"))
    with db.read() as conn:
        found = conn.execute(sa.select(leads.c.email).where(LeadFilter(search="person").clause()))
        assert sorted(found.scalars()) == [f"person{i}@example.com" for i in (0, 2, 3, 4)]


# --- the do-not-contact list ---------------------------------------------------------------


@pytest.mark.both_backends
def test_a_do_not_call_lead_erased_stays_do_not_call_when_imported_again(
    db: Database, tmp_path: Path
) -> None:
    row = ["Zelda", "Quokka", EMAIL, PHONE, "Quokka Works", "yes", ""]
    do_import(db, write_csv(tmp_path / "a.csv", [row]))
    erased = erase_lead(db, lead_id_of(db, EMAIL))
    assert erased.suppressed
    assert "do-not-contact list" in erased.text()
    with db.read() as conn:
        entries = conn.execute(sa.select(Suppression.__table__)).mappings().all()
    assert len(entries) == 1
    assert entries[0]["email_hash"] == identity_hash(EMAIL)
    assert entries[0]["phone_hash"] == identity_hash(E164)
    assert (entries[0]["do_not_call"], entries[0]["do_not_email"]) == (True, False)
    assert EMAIL not in json.dumps([dict(e) for e in entries], default=str)

    row[2] = EMAIL.upper()  # the same person, written another way
    row[5] = ""
    report = do_import(db, write_csv(tmp_path / "b.csv", [row, *others(2)]))

    assert report.suppressed == 1
    assert any(
        w.startswith("1 lead of this file is on the do-not-contact list") for w in report.warnings
    )
    assert flags_of(db, EMAIL) == (True, False)
    assert flags_of(db, "person0@example.com") == (False, False)


@pytest.mark.both_backends
def test_a_person_who_asked_is_recognised_by_phone_too(db: Database, tmp_path: Path) -> None:
    do_import(db, write_csv(tmp_path / "a.csv", [["Zelda", "", EMAIL, PHONE, "", "", ""]]))
    assert erase_lead(db, lead_id_of(db, EMAIL), suppress=True).suppressed
    other_email = "zelda@new-job.example"
    report = do_import(
        db, write_csv(tmp_path / "b.csv", [["Zelda", "", other_email, "0151 23456789", "", "", ""]])
    )
    assert report.suppressed == 1
    assert flags_of(db, other_email) == (True, True)


@pytest.mark.both_backends
def test_an_existing_lead_the_list_recognises_is_flagged_by_the_import(
    db: Database, tmp_path: Path
) -> None:
    rows = [["Zelda", "", EMAIL, "", "", "", ""], ["Zed", "", "zed@example.com", "", "", "", ""]]
    do_import(db, write_csv(tmp_path / "a.csv", rows))
    zelda, zed = lead_id_of(db, EMAIL), lead_id_of(db, "zed@example.com")
    with db.write() as conn:  # someone gave Zed's lead Zelda's email
        conn.execute(leads.update().where(leads.c.id == zed).values(email=EMAIL))
    erase_lead(db, zelda, suppress=True)
    report = do_import(db, write_csv(tmp_path / "b.csv", [["Zed", "", EMAIL, "", "", "", ""]]))
    assert (report.suppressed, report.created, report.updated) == (1, 0, 1)
    assert flags_of(db, EMAIL) == (True, True)


@pytest.mark.both_backends
def test_erasing_an_unflagged_lead_keeps_nothing(db: Database, tmp_path: Path) -> None:
    do_import(db, write_csv(tmp_path / "a.csv", [["Zelda", "", EMAIL, PHONE, "", "", ""]]))
    erased = erase_lead(db, lead_id_of(db, EMAIL))
    assert not erased.suppressed
    assert "do-not-contact" not in erased.text()
    report = do_import(db, write_csv(tmp_path / "b.csv", [["Zelda", "", EMAIL, PHONE, "", "", ""]]))
    assert report.suppressed == 0
    assert flags_of(db, EMAIL) == (False, False)


def test_a_lead_that_cannot_be_recognised_is_not_kept(db: Database, tmp_path: Path) -> None:
    do_import(db, write_csv(tmp_path / "a.csv", [["Zelda", "", "", "", "Quokka Works", "yes", ""]]))
    with db.read() as conn:
        lead_id = conn.execute(sa.select(leads.c.id)).scalar_one()
    assert not erase_lead(db, lead_id, suppress=True).suppressed


def test_the_list_comes_with_the_upgrade_and_leaves_the_leads_table_alone(db_path: Path) -> None:
    db = Database.open(db_path, migrate=False)
    migrations.upgrade(db, "0006_predictive")
    with db.write() as conn:
        conn.execute(sa.text("INSERT INTO leads (id, first_name, custom) VALUES (1, 'Ada', '{}')"))
    db.close()
    upgraded = Database.open(db_path)
    with upgraded.read() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(Suppression.__table__)).scalar()
            == 0
        )
        found = conn.execute(sa.select(leads.c.id).where(LeadFilter(search="ada").clause()))
        assert list(found.scalars()) == [1]  # the search index's triggers are still there
    upgraded.close()
    with sqlite3.connect(db_path) as raw:
        triggers = {
            r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
    assert {"lead_search_insert", "lead_search_delete", "lead_search_update"} <= triggers


# --- export --------------------------------------------------------------------------------


def test_everything_about_a_lead_exports_as_a_workbook(db: Database, tmp_path: Path) -> None:
    row = ["Zelda", "Quokka", EMAIL, PHONE, '=HYPERLINK("http://x")', "", "Met at the fair"]
    do_import(db, write_csv(tmp_path / "a.csv", [row]))
    lead_id = lead_id_of(db, EMAIL)
    log_outcome(db, lead_id, Outcome.CONNECTED, note="Call back in May")
    run(apply_bulk(db, LeadFilter(ids=(lead_id,)), BulkAction("owner", "Ana")))

    target = export_lead(db, lead_id, tmp_path / "zelda.xlsx")

    book = load_workbook(target)
    assert book.sheetnames == ["Lead", "Score", "Timeline", "Activities", "Imports", "Bulk edits"]
    fields = {r[0]: r[1] for r in book["Lead"].iter_rows(min_row=2, values_only=True)}
    assert fields["LeadDesk ID"] == lead_id
    assert (fields["Email"], fields["Phone"], fields["Owner"]) == (EMAIL, E164, "Ana")
    assert fields["Company"] == '=HYPERLINK("http://x")'  # text, never a formula
    assert book["Lead"]["A1"].font.bold
    activities = list(book["Activities"].iter_rows(min_row=2, values_only=True))
    assert [(a[1], a[2], a[4]) for a in activities] == [("call", "connected", "Call back in May")]
    imports = list(book["Imports"].iter_rows(min_row=2, values_only=True))
    assert [(i[1], i[3]) for i in imports] == [("a.csv", "created")]
    edits = list(book["Bulk edits"].iter_rows(min_row=2, values_only=True))
    assert edits[0][1] == "Assigned 1 lead to Ana"
    assert json.loads(edits[0][3])["after"] == {"owner": "Ana"}
    timeline = [r[1] for r in book["Timeline"].iter_rows(min_row=2, values_only=True)]
    assert timeline[-1] == "Imported from a.csv"


def test_the_json_export_is_unchanged_by_the_workbook(db: Database, tmp_path: Path) -> None:
    do_import(db, write_csv(tmp_path / "a.csv", [["Zelda", "", EMAIL, "", "", "", ""]]))
    target = export_lead(db, lead_id_of(db, EMAIL), tmp_path / "zelda.json")
    data: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    assert data["format"] == "leaddesk.lead"
    assert data["lead"]["email"] == EMAIL


def test_deleting_a_do_not_call_lead_keeps_the_wish(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"email": "no.calls@example.com", "do_not_call": True}])
    run(apply_bulk(db, LeadFilter(ids=(lead_id,)), BulkAction("delete"), rep="ann"))
    table = Suppression.__table__  # type: ignore[attr-defined]
    with db.read() as conn:
        kept = conn.execute(sa.select(table.c.do_not_call)).scalars().all()
    assert kept == [True]
