"""The import pipeline end to end: values, duplicates, batches, undo, dry runs, cancel."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from leaddesk.core.activities import Outcome, log_outcome
from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError, InvalidInputError, LeadDeskError, NotFoundError
from leaddesk.core.importing import phones, pipeline
from leaddesk.core.importing.history import (
    list_batches,
    undo_import,
    undo_preview,
    write_problem_rows,
)
from leaddesk.core.importing.pipeline import (
    ImportOptions,
    ImportReport,
    import_file,
    preview_import,
)
from leaddesk.core.importing.records import split_name
from leaddesk.core.leads import LeadFilter, get_lead, list_leads, load_registry, update_lead
from leaddesk.core.progress import run
from leaddesk.core.schema import CustomFieldRecord, ImportBatch, ImportChange, leads
from leaddesk.core.scoring.sql import rescore_with_active

pytestmark = pytest.mark.both_backends

HEADERS = [
    "Full Name", "E-Mail", "Tel.", "Company Name", "Country", "No. of Employees",
    "Lead Status", "Last Activity Date", "Do Not Call", "Favourite colour",
]  # fmt: skip


def write_xlsx(path: Path, rows: list[list[Any]], headers: list[str] = HEADERS) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Leads"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def do_import(db: Database, path: Path, **options: Any) -> ImportReport:
    return run(import_file(db, path, ImportOptions(**options)))


def all_leads(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute(sa.select(leads).order_by(leads.c.id)).mappings()]


def table_rows(db: Database, model: Any) -> list[dict[str, Any]]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute(sa.select(model.__table__)).mappings()]


def snapshot(db: Database) -> tuple[Any, ...]:
    """Everything an import may touch, to compare before and after."""
    lead_rows = [{k: v for k, v in r.items()} for r in all_leads(db)]
    return (
        lead_rows,
        table_rows(db, ImportBatch),
        table_rows(db, ImportChange),
        table_rows(db, CustomFieldRecord),
    )


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "contacts.xlsx",
        [
            ["Dr. Anna van der Berg", " Anna@Example.COM ", 4915112345678, "Berg GmbH",
             "Deutschland", "51-200", "Working", "04.03.2024", "yes", "blue"],
            ["Ben Cole", "ben@example.com", "(646) 555-1234", "Cole Inc.", "USA", 12,
             "Closed Won", "13.03.2024", "no", None],
            ["Nobody", "broken@", None, None, None, None, None, None, None, "red"],
            [None, None, None, None, "France", None, None, None, None, None],
        ],
    )  # fmt: skip


def test_import_normalises_values_and_scores_the_leads(db: Database, contacts: Path) -> None:
    report = do_import(db, contacts, region="US")
    assert (report.rows_read, report.created, report.updated, report.merged) == (4, 2, 0, 0)
    assert [(r.row, "broken@" in r.reason) for r in report.rejected] == [(4, True), (5, False)]
    anna, ben = all_leads(db)
    assert (anna["first_name"], anna["last_name"]) == ("Anna", "van der Berg")
    assert anna["email"] == "anna@example.com"
    assert anna["phone"] == "+4915112345678"
    assert "015112345678" in anna["phone_digits"]
    assert anna["country"] == "DE"
    assert anna["employees"] == 125.5
    assert anna["custom"]["employees_raw"] == "51-200"
    assert anna["custom"]["favourite_colour"] == "blue"
    assert anna["status"] == "contacted"
    assert anna["do_not_call"] is True or anna["do_not_call"] == 1
    assert anna["last_activity_at"] == datetime(2024, 3, 4, tzinfo=UTC)
    assert ben["phone"] == "+16465551234"
    assert ben["status"] == "won"
    assert ben["employees"] == 12
    for lead in (anna, ben):
        assert lead["import_batch_id"] == report.batch_id
        assert lead["created_at"] is not None
        assert lead["updated_at"] == lead["created_at"]
        assert lead["score"] is not None
        assert lead["grade"] in ("A", "B", "C", "D")
    assert report.scored
    assert sorted(report.lead_ids) == [anna["id"], ben["id"]]
    with db.read() as conn:
        registry = load_registry(conn)
    assert registry.get("favourite_colour").label == "Favourite colour"
    assert registry.get("employees_raw").custom
    assert report.mapping["Favourite colour"] == "favourite_colour"
    assert report.mapping["Full Name"] == "full_name"


def test_report_json_follows_the_cli_contract(db: Database, contacts: Path) -> None:
    data = do_import(db, contacts).to_json()
    for key in ("batch_id", "sheet", "header_row", "mapping", "rows_read", "created",
                "updated", "merged", "skipped", "rejected", "scored"):  # fmt: skip
        assert key in data
    assert data["sheet"] == "Leads"
    assert data["header_row"] == 1
    assert data["rejected"][0] == {"row": 4, "reason": data["rejected"][0]["reason"]}


def test_duplicates_inside_the_file_are_merged(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "d.xlsx",
        [
            ["Anna Berg", "anna@example.com", None, "Berg GmbH", "DE", None, None, None, "no",
             None],
            ["A. Berg", "ANNA@example.com", "0151 12345678", None, "DE", 40, None, None, "yes",
             None],
            ["Carl Diaz", None, "+49 151 12345678", None, None, None, None, None, None, None],
            ["Dora Eck", None, None, "Eck AG", None, None, None, None, None, None],
            ["Dora  ECK", None, None, "eck ag", None, None, None, None, None, "green"],
        ],
    )  # fmt: skip
    report = do_import(db, path)
    assert (report.created, report.merged, report.rows_read) == (2, 3, 5)
    anna, dora = all_leads(db)
    assert anna["phone"] == "+4915112345678"
    assert anna["employees"] == 40
    assert anna["first_name"] == "Anna"  # the first row wins, later rows only fill gaps
    assert anna["do_not_call"]
    assert dora["custom"] == {"favourite_colour": "green"}


def test_different_external_ids_are_different_leads(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "x.xlsx",
        [["A1", "same@example.com"], ["A2", "same@example.com"], ["A1", "other@example.com"]],
        headers=["Record ID", "Email"],
    )
    report = do_import(db, path)
    assert (report.created, report.merged) == (2, 1)


EXISTING = {
    "external_id": "CRM-1", "first_name": "Anna", "last_name": "Berg", "company": "Berg GmbH",
    "email": "anna@example.com", "phone": "+4915112345678", "city": None, "job_title": "CEO",
    "do_not_call": True, "do_not_email": True,
}  # fmt: skip


@pytest.mark.parametrize(
    "identity",
    [
        ["CRM-1", None, None, None, None],
        [None, "Anna@Example.com", None, None, None],
        [None, None, "0151 12345678", None, None],
        [None, None, None, "anna berg", "BERG gmbh"],
    ],
)
def test_each_identity_finds_the_existing_lead(
    db: Database, add_leads: Any, tmp_path: Path, identity: list[Any]
) -> None:
    add_leads([EXISTING])
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [[*identity, "Berlin"]],
        headers=["Lead ID", "Email", "Phone", "Name", "Company", "City"],
    )
    report = do_import(db, path, region="DE")
    assert (report.created, report.updated) == (0, 1)
    (lead,) = all_leads(db)
    assert lead["city"] == "Berlin"


@pytest.mark.parametrize(
    ("mode", "city", "title", "updated", "skipped"),
    [
        ("skip", None, "CEO", 0, 1),
        ("update", "Berlin", "CEO", 1, 0),
        ("overwrite", "Berlin", "CTO", 1, 0),
    ],
)
def test_on_duplicate_modes_and_flags_never_cleared(
    db: Database,
    add_leads: Any,
    tmp_path: Path,
    mode: str,
    city: str | None,
    title: str,
    updated: int,
    skipped: int,
) -> None:
    (lead_id,) = add_leads([EXISTING])
    path = write_xlsx(
        tmp_path / "u.xlsx",
        [["anna@example.com", "Berlin", "CTO", "no", "No"]],
        headers=["Email", "City", "Title", "Do Not Call", "Email Opt Out"],
    )
    report = do_import(db, path, on_duplicate=mode)
    assert (report.updated, report.skipped, report.created) == (updated, skipped, 0)
    with db.read() as conn:
        lead = get_lead(conn, lead_id)
    assert (lead["city"], lead["job_title"]) == (city, title)
    assert lead["do_not_call"]
    assert lead["do_not_email"]
    assert lead["version"] == 1 + updated


def test_a_flag_set_by_the_file_is_set(db: Database, add_leads: Any, tmp_path: Path) -> None:
    (lead_id,) = add_leads([{**EXISTING, "do_not_call": False}])
    path = write_xlsx(tmp_path / "f.xlsx", [["anna@example.com", "Yes"]], ["Email", "DNC"])
    do_import(db, path)
    with db.read() as conn:
        assert get_lead(conn, lead_id)["do_not_call"]


def test_dry_run_writes_nothing_and_predicts_the_counts(
    db: Database, add_leads: Any, contacts: Path
) -> None:
    add_leads([{"email": "ben@example.com"}])
    before = snapshot(db)
    dry = do_import(db, contacts, dry_run=True)
    assert snapshot(db) == before
    assert dry.batch_id is None
    assert dry.dry_run
    real = do_import(db, contacts)
    assert (dry.created, dry.updated, dry.merged, dry.skipped) == (
        real.created,
        real.updated,
        real.merged,
        real.skipped,
    )
    assert dry.rejected == real.rejected
    assert (real.created, real.updated) == (1, 1)


def test_cancel_inside_the_transaction_leaves_the_database_as_it_was(
    db: Database, add_leads: Any, contacts: Path
) -> None:
    add_leads([{"email": "ben@example.com"}])
    before = snapshot(db)
    job = import_file(db, contacts)
    messages = []
    for step in job:
        messages.append(step.message)
        if step.message == "Scoring leads":
            break
    job.close()
    assert "Saving leads" in messages
    assert snapshot(db) == before


def test_a_failure_leaves_the_database_as_it_was(
    db: Database, contacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(db)

    def broken(*_: Any) -> Any:
        raise RuntimeError("disk on fire")
        yield  # a generator, as the real one

    monkeypatch.setattr(pipeline, "rescore_with_active_steps", broken)
    with pytest.raises(RuntimeError):
        do_import(db, contacts)
    assert snapshot(db) == before


def test_bad_file_writes_nothing(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"%PDF-1.4 not a sheet")
    before = snapshot(db)
    with pytest.raises(BadFileError):
        do_import(db, path)
    assert snapshot(db) == before


def test_undo_restores_the_database_even_after_other_edits(
    db: Database, add_leads: Any, contacts: Path, tmp_path: Path
) -> None:
    other, existing = add_leads([{"email": "other@example.com"}, {"email": "ben@example.com"}])
    with db.write() as conn:  # scored, as every lead in LeadDesk is (undo rescores them)
        rescore_with_active(conn)
    before = all_leads(db)
    report = do_import(db, contacts)
    assert (report.created, report.updated) == (1, 1)
    with db.write() as conn:
        update_lead(conn, other, {"city": "Paris"}, expected_version=None)
    summary = undo_import(db, report.batch_id or 0)
    assert summary["deleted"] == 1
    assert summary["restored"] == 1
    assert "favourite_colour" in summary["custom_fields_removed"]
    after = {lead["id"]: lead for lead in all_leads(db)}
    assert set(after) == {other, existing}
    assert after[existing] == {**before[1], "version": after[existing]["version"]}
    assert after[existing]["version"] > before[1]["version"]  # editors holding it reload
    assert after[other]["city"] == "Paris"
    with db.read() as conn:
        assert "favourite_colour" not in load_registry(conn)
        (batch,) = list_batches(conn)
    assert batch["undone_at"] is not None
    with pytest.raises(InvalidInputError, match="already undone"):
        undo_import(db, report.batch_id or 0)
    with pytest.raises(NotFoundError):
        undo_import(db, 999)


def test_undo_keeps_later_edits_of_the_same_lead(
    db: Database, add_leads: Any, contacts: Path, app_home: Path
) -> None:
    """The import filled Ben's company and country; later someone corrected the company.
    Undo takes back the country the import wrote but keeps the correction."""
    (ben,) = add_leads([{"email": "ben@example.com", "city": "Boston"}])
    report = do_import(db, contacts, region="US")
    with db.read() as conn:
        imported = get_lead(conn, ben)
    assert (imported["company"], imported["country"]) == ("Cole Inc.", "US")
    with db.write() as conn:
        update_lead(conn, ben, {"company": "Cole & Sons"}, expected_version=imported["version"])
    with db.read() as conn:
        preview = undo_preview(conn, report.batch_id or 0)
    assert (preview.delete, preview.restore, preview.edited_since) == (1, 1, 1)
    summary = undo_import(db, report.batch_id or 0)
    assert summary["kept_later_edits"] == 1
    with db.read() as conn:
        lead = get_lead(conn, ben)
    assert lead["company"] == "Cole & Sons"  # the later edit stays
    assert lead["country"] is None  # what the import wrote is gone
    assert lead["city"] == "Boston"
    assert "favourite_colour" not in (lead["custom"] or {})
    backed_up = list((app_home / "backups").glob("*-before-undo-import-*.db"))
    assert len(backed_up) == (1 if db.is_sqlite else 0)  # a server backs itself up


def test_undo_restores_a_phone_with_its_validity_as_one_value(
    db: Database, add_leads: Any, contacts: Path
) -> None:
    """The import overwrote Ben's phone; a call then flagged the new number invalid. Undo
    puts the old number back with its own flag, not flagged invalid (the queue would skip
    it)."""
    (ben,) = add_leads([{"email": "ben@example.com", "phone": "+16465550000"}])
    report = do_import(db, contacts, region="US", on_duplicate="overwrite")
    with db.read() as conn:
        imported = get_lead(conn, ben)
    assert imported["phone"] == "+16465551234"
    with db.write() as conn:
        update_lead(conn, ben, {"phone_valid": False}, expected_version=imported["version"])
    undo_import(db, report.batch_id or 0)
    with db.read() as conn:
        lead = get_lead(conn, ben)
    assert (lead["phone"], lead["phone_valid"]) == ("+16465550000", True)  # one unit


def test_undo_preview_counts_calls_logged_on_imported_leads(db: Database, contacts: Path) -> None:
    report = do_import(db, contacts, region="US")
    log_outcome(db, report.lead_ids[0], Outcome.NO_ANSWER)
    with db.read() as conn:
        preview = undo_preview(conn, report.batch_id or 0)
    assert preview.called_since == 1
    assert preview.delete == 2
    assert preview.file_name == "contacts.xlsx"


def test_the_leads_of_one_import_are_found_by_its_batch(
    db: Database, add_leads: Any, contacts: Path
) -> None:
    untouched, ben = add_leads([{"email": "other@example.com"}, {"email": "ben@example.com"}])
    report = do_import(db, contacts)
    with db.read() as conn:
        found = list_leads(conn, LeadFilter(import_batch=report.batch_id))
    assert sorted(lead["id"] for lead in found) == sorted(report.lead_ids)
    assert ben in report.lead_ids
    assert untouched not in report.lead_ids


def test_saved_mapping_is_proposed_again(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["a@x.de", "hello"]], headers=["Mail", "Remark"])
    first = do_import(db, path, mapping={"Remark": "job_title"})
    assert first.mapping == {"Mail": "email", "Remark": "job_title"}
    again = write_xlsx(tmp_path / "s2.xlsx", [["b@x.de", "CEO"]], headers=["Mail", "Remark"])
    assert preview_import(db, again).saved_mapping
    assert do_import(db, again).mapping == first.mapping
    assert [lead["job_title"] for lead in all_leads(db)] == ["hello", "CEO"]


def test_preview_for_the_wizard(db: Database, add_leads: Any, contacts: Path) -> None:
    add_leads([{"email": "ben@example.com"}])
    before = snapshot(db)
    preview = preview_import(db, contacts)
    assert snapshot(db) == before
    assert (preview.sheet, preview.sheets, preview.header_row) == ("Leads", ["Leads"], 1)
    assert preview.headers == HEADERS
    assert preview.mapping["E-Mail"] == "email"
    assert preview.mapping["Favourite colour"] is None  # becomes a custom field
    assert preview.samples["Country"] == ["Deutschland", "USA", "France"]
    assert (preview.new_count, preview.update_count, preview.problem_count) == (1, 1, 2)
    assert preview.rows[0]["email"] == "anna@example.com"
    assert (preview.existing_count, preview.merged_count) == (1, 0)
    assert preview.update_counts == {"skip": 0, "update": 1, "overwrite": 1}
    assert not preview.saved_mapping


def test_european_semicolon_csv(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "kontakte.csv"
    text = (
        "Vorname;Nachname;E-Mail;Telefon;Firma;Land;Umsatz;Letzte Aktivität\r\n"
        "Jörg;Müller;joerg@example.de;030 1234567;Müller AG;Deutschland;1.234.567,89;"
        "03.02.2024\r\n"
        "Zoë;Ağa;zoe@example.de;;Ağa GmbH;Österreich;2.500,5;28.02.2024\r\n"
    )
    path.write_bytes(text.encode("cp1252", errors="replace"))
    report = do_import(db, path)
    assert report.sheet is None
    assert report.created == 2
    jorg, zoe = all_leads(db)
    assert (jorg["first_name"], jorg["phone"], jorg["country"]) == ("Jörg", "+49301234567", "DE")
    assert jorg["annual_revenue"] == 1234567.89
    assert jorg["last_activity_at"] == datetime(2024, 2, 3, tzinfo=UTC)
    assert zoe["annual_revenue"] == 2500.5
    assert zoe["country"] == "AT"


def test_xeducation_keeps_every_lead_and_every_column(
    db: Database, shared_data: Callable[[str], Path]
) -> None:
    path = shared_data("xeducation_leads.csv")
    report = do_import(db, path)
    assert report.rows_read == 9237
    assert report.created == 9237
    assert report.rejected == []
    assert len(report.mapping) == 37
    assert all(name is not None for name in report.mapping.values())
    with db.read() as conn:
        registry = load_registry(conn)
        count = conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar_one()
        ids = conn.execute(sa.select(sa.func.count(sa.distinct(leads.c.external_id)))).scalar()
    assert count == ids == 9237
    assert all(name in registry for name in report.mapping.values())
    first = all_leads(db)[0]
    assert first["external_id"] == "7927b2df-8bba-4d29-b9a2-b6e0beafe620"
    assert first["custom"]["lead_number"] == 660737
    assert first["source"] == "Olark Chat"
    assert first["custom"]["last_activity"] == "Page Visited on Website"


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Anna Berg", "Anna", "Berg"),
        ("Berg, Anna", "Anna", "Berg"),
        ("Mr. John Ronald Tolkien", "John Ronald", "Tolkien"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Cher", "Cher", None),
    ],
)
def test_split_name(full: str, first: str, last: str | None) -> None:
    assert split_name(full) == (first, last)


def test_unknown_duplicate_mode_is_refused(db: Database, contacts: Path) -> None:
    with pytest.raises(InvalidInputError, match="skip, update or overwrite"):
        do_import(db, contacts, on_duplicate="merge")


@pytest.mark.parametrize("helper_works", [True, False])
def test_phones_done_by_a_helper_process_give_the_same_result(
    db: Database, contacts: Path, monkeypatch: pytest.MonkeyPatch, helper_works: bool
) -> None:
    monkeypatch.setattr(phones, "PARALLEL_MIN", 1)
    monkeypatch.setattr(phones.os, "cpu_count", lambda: 2)
    if not helper_works:
        monkeypatch.setattr(phones.sys, "executable", "/nonexistent/python")
    report = do_import(db, contacts, region="US")
    assert report.created == 2
    assert [lead["phone"] for lead in all_leads(db)] == ["+4915112345678", "+16465551234"]


def test_hubspot_export_with_us_dates(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "hubspot-crm-exports-all-contacts.csv"
    path.write_text(
        "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Lifecycle Stage,"
        "Last Activity Date,Number of Pageviews,Country/Region\n"
        "101,Amy,Lee,AMY@acme.example,(646) 555-1234,Acme,Marketing Qualified Lead,"
        "03/25/2024 10:15,12,United States\n"
        "102,Bo,Kim,bo@beta.example,+44 20 7946 0958,Beta,Customer,04/02/2024 08:00,3,UK\n",
        encoding="utf-8-sig",
    )
    report = do_import(db, path, region="US")
    assert report.mapping["Record ID"] == "external_id"
    assert report.mapping["Lifecycle Stage"] == "status"
    assert report.created == 2
    amy, bo = all_leads(db)
    assert amy["external_id"] == "101"
    assert amy["email"] == "amy@acme.example"
    assert amy["status"] == "qualified"
    assert amy["page_views"] == 12
    assert amy["last_activity_at"] == datetime(2024, 3, 25, 10, 15, tzinfo=UTC)
    assert bo["last_activity_at"] == datetime(2024, 4, 2, 8, 0, tzinfo=UTC)  # mm/dd column
    assert (bo["phone"], bo["country"], bo["status"]) == ("+442079460958", "GB", "won")


def test_salesforce_report_shape_end_to_end(db: Database, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for row in (
        ["Leads with Email"],
        ["Filtered By:", "Lead Status equals Open - Not Contacted"],
        [],
        ["Lead Owner", "First Name", "Last Name", "Company / Account", "Email", "Lead Status"],
        ["Kim", "Amy", "Lee", "Acme", "amy@acme.example", "Open - Not Contacted"],
        ["Kim", "Bo", "Kim", "Beta", "bo@beta.example", "Working - Contacted"],
        [],
        ["Grand Totals (2 records)"],
        ["Confidential Information - Do Not Distribute"],
    ):
        sheet.append(row)
    workbook.save(tmp_path / "report.xlsx")
    report = do_import(db, tmp_path / "report.xlsx")
    assert (report.header_row, report.rows_read, report.created) == (4, 2, 2)
    assert report.rejected == []
    assert sum("not a lead" in w for w in report.warnings) == 2
    assert [(lead["owner"], lead["status"]) for lead in all_leads(db)] == [
        ("Kim", "new"),
        ("Kim", "contacted"),
    ]


def test_problem_rows_workbook_to_fix_and_reimport(
    db: Database, contacts: Path, tmp_path: Path
) -> None:
    report = do_import(db, contacts)
    target = tmp_path / "problems.xlsx"
    assert write_problem_rows(contacts, report, target) == 2
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Row", *HEADERS, "Problem")
    assert [r[0] for r in rows[1:]] == [4, 5]
    assert "broken@" in rows[1][-1]


def test_problem_rows_keep_formulas_from_the_file_as_text(db: Database, tmp_path: Path) -> None:
    """A cell such as ``=HYPERLINK(…)`` in the user's file must not become a live formula."""
    path = tmp_path / "f.csv"
    path.write_text(
        "Name,Email,=Notes\n"
        '=cmd|\' /C calc\'!A0,broken@,"=HYPERLINK(""http://evil"")"\n'
        "Anna Berg,anna@example.com,fine\n",
        encoding="utf-8",
    )
    report = do_import(db, path)
    target = tmp_path / "problems.xlsx"
    assert write_problem_rows(path, report, target) == 1
    sheet = load_workbook(target).active
    header, row = sheet.iter_rows(min_row=1, max_row=2)
    assert (header[3].value, header[3].data_type) == ("=Notes", "s")
    assert [(c.value, c.data_type) for c in row[1:4]] == [
        ("=cmd|' /C calc'!A0", "s"),
        ("broken@", "s"),
        ('=HYPERLINK("http://evil")', "s"),
    ]


def test_problem_rows_to_an_unwritable_place_is_a_clear_error(
    db: Database, contacts: Path, tmp_path: Path
) -> None:
    report = do_import(db, contacts)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(BadFileError, match="Could not write"):
        write_problem_rows(contacts, report, blocker / "problems.xlsx")
    assert blocker.read_text() == "a file where a folder should be"


@pytest.mark.parametrize("region", ["XX", "germany", "D", "001"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_region_phonenumbers_does_not_know_is_refused(
    db: Database, contacts: Path, region: str, dry_run: bool
) -> None:
    """It would silently flag every phone written without ``+`` as invalid."""
    before = snapshot(db)
    with pytest.raises(InvalidInputError, match=f"“{region}” is not a country code LeadDesk"):
        do_import(db, contacts, region=region, dry_run=dry_run)
    assert snapshot(db) == before


def test_region_is_accepted_in_lower_case(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "de.csv"
    path.write_text("Name,Telefon\nAnna Berg,0151 12345678\n", encoding="utf-8")
    report = do_import(db, path, region=" de ")
    assert report.created == 1
    (lead,) = all_leads(db)
    assert (lead["phone"], bool(lead["phone_valid"])) == ("+4915112345678", True)


def test_a_short_title_above_wider_numbers_is_a_clear_error(db: Database, tmp_path: Path) -> None:
    """Once a StopIteration in the header search, which the job turned into RuntimeError."""
    path = write_xlsx(tmp_path / "report.xlsx", [[1, 2, 3, 4], [5, 6, 7, 8]], ["Report", "Q1"])
    with pytest.raises(BadFileError, match="does not look like a contact list"):
        do_import(db, path)


def test_a_dry_run_scores_nothing(db: Database, contacts: Path) -> None:
    assert not do_import(db, contacts, dry_run=True).scored


def test_a_scoring_model_that_cannot_run_does_not_cost_the_import(
    db: Database, contacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> Any:
        raise InvalidInputError("Fit rule 1 names no field.")
        yield  # a generator, as the real one

    monkeypatch.setattr(pipeline, "rescore_with_active_steps", broken)
    report = do_import(db, contacts)
    assert report.created == 2
    assert not report.scored  # so the summary does not claim scores
    assert any("not scored: Fit rule 1 names no field." in w for w in report.warnings)
    assert [lead["score"] for lead in all_leads(db)] == [None, None]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Name,Email\n", "no rows below it"),
        ("Colour,Size\nred,3\n", "does not look like a contact list"),
    ],
)
def test_files_with_nothing_to_import(
    db: Database, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_text(text)
    before = snapshot(db)
    with pytest.raises(BadFileError, match=message):
        do_import(db, path)
    assert snapshot(db) == before


_CELLS = st.sampled_from(
    ["", "Anna Berg", "a@b.de", "A@B.DE", "x@", "+49 151 12345678", "4915112345678",
     "0151 1234567", "51-200", "1.234,5", "1e999", "Deutschland", "31.02.2024", "12/13/2024",
     "Yes", "Won", "Select", "Grand Totals (3 records)", "Berg, Anna", "\u200b", "é\n", "0"]
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    headers=st.lists(
        st.sampled_from(["Name", "Email", "Phone", "Country", "Employees", "Revenue", "Status",
                         "Last Activity", "DNC", "Record ID", "Company", "Notes", "Colour"]),
        min_size=1, max_size=8, unique=True,
    ),
    rows=st.lists(st.lists(_CELLS, min_size=8, max_size=8), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
)  # fmt: skip
def test_any_csv_imports_or_is_refused_with_a_message(
    db: Database, tmp_path: Path, headers: list[str], rows: list[list[str]], delimiter: str
) -> None:
    """No input makes the importer raise anything but a LeadDeskError (a clear message)."""
    path = tmp_path / "any.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(row[: len(headers)] for row in rows)
    try:
        report = do_import(db, path, dry_run=True)
    except LeadDeskError:
        return
    assert report.created + report.merged + len(report.rejected) == report.rows_read
