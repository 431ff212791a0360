"""One lead, whole: validated edits, conflicts between two editors, the timeline, erasure and
the JSON export."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from leaddesk.core.activities import Outcome, log_outcome
from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError, InvalidInputError, NotFoundError
from leaddesk.core.fields import FieldRegistry, FieldType, custom_field
from leaddesk.core.importing.pipeline import ImportOptions, import_file
from leaddesk.core.lead_record import (
    EDIT,
    EditConflict,
    erase_lead,
    export_lead,
    rebase,
    save_changes,
    timeline,
    validate_changes,
)
from leaddesk.core.leads import LeadFilter, count_leads, get_lead, load_registry
from leaddesk.core.progress import run
from leaddesk.core.schema import (
    Activity,
    BulkEdit,
    BulkEditRow,
    CustomFieldRecord,
    ImportBatch,
    ImportChange,
    Setting,
    utcnow,
)

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]
activities = Activity.__table__  # type: ignore[attr-defined]
import_changes = ImportChange.__table__  # type: ignore[attr-defined]
batches = ImportBatch.__table__  # type: ignore[attr-defined]
bulk_edits = BulkEdit.__table__  # type: ignore[attr-defined]
bulk_rows = BulkEditRow.__table__  # type: ignore[attr-defined]
settings_table = Setting.__table__  # type: ignore[attr-defined]
custom_fields = CustomFieldRecord.__table__  # type: ignore[attr-defined]

REGISTRY = FieldRegistry([custom_field("budget", "Budget", FieldType.NUMBER)])
FOLLOW_UP = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# --- validation ----------------------------------------------------------------------------

CLEAN_CASES = [
    ("email", "  Anna.Muller@Example.COM ", None, "anna.muller@example.com"),
    ("email", "<anna@example.com>", None, "anna@example.com"),
    ("email", "", None, None),
    ("phone", "030 12345678", "DE", "+493012345678"),
    ("phone", "(415) 555-2671", "US", "+14155552671"),
    ("phone", "020 7946 0958", "GB", "+442079460958"),
    ("phone", "+44 20 7946 0958", None, "+442079460958"),
    ("phone", "  ", "DE", None),
    ("country", "Germany", None, "DE"),
    ("country", "Deutschland", None, "DE"),
    ("country", "uk", None, "GB"),
    ("country", "us", None, "US"),
    ("country", "Österreich", None, "AT"),
    ("employees", "1,200", None, 1200.0),
    ("annual_revenue", "5M", None, 5_000_000.0),
    ("status", "qualified", None, "qualified"),
    ("do_not_call", True, None, True),
    ("do_not_email", None, None, False),
    ("tags", " vip, VIP ,Fair 2026,, ", None, "vip, Fair 2026"),
    ("tags", " , ", None, None),
    ("first_name", "  Anna \u200b", None, "Anna"),
    ("next_follow_up_at", FOLLOW_UP.astimezone(), None, FOLLOW_UP),
    ("next_follow_up_at", None, None, None),
    ("budget", "5k", None, 5000),
]


@pytest.mark.parametrize(("name", "typed", "region", "expected"), CLEAN_CASES)
def test_values_are_normalised_as_the_importer_does(
    name: str, typed: Any, region: str | None, expected: Any
) -> None:
    clean, problems = validate_changes(REGISTRY, {name: typed}, region)
    assert problems == {}
    assert clean == {name: expected}


PROBLEM_CASES = [
    ("email", "anna@", None, "“anna@” is not an email address"),
    ("email", "anna example.com", None, "not an email address"),
    ("email", "anna@@example.com", None, "not an email address"),
    ("phone", "12345", "DE", "“12345” is not a phone number in DE"),
    ("phone", "0151 23456789", "US", "not a phone number in US"),
    ("country", "Atlantis", None, "“Atlantis” is not a country LeadDesk knows"),
    ("employees", "lots", None, "“lots” is not a number"),
    ("status", "maybe", None, "Choose one of: new, contacted"),
    ("status", "", None, "Choose a status"),
    ("do_not_call", "perhaps", None, "neither yes nor no"),
    ("last_activity_at", "someday", None, "is not a date"),
    ("score", 99, None, "Score is kept by LeadDesk"),
    ("attempts", 0, None, "kept by LeadDesk"),
    ("nickname", "Annie", None, "no such field"),
]


@pytest.mark.parametrize(("name", "typed", "region", "message"), PROBLEM_CASES)
def test_bad_values_get_a_message_for_their_field(
    name: str, typed: Any, region: str | None, message: str
) -> None:
    clean, problems = validate_changes(REGISTRY, {name: typed, "city": "Berlin"}, region)
    assert message in problems[name]
    assert clean == {"city": "Berlin"}  # the other fields still come back clean


def test_a_country_changed_in_the_same_edit_is_where_the_phone_is_from() -> None:
    changes = {"phone": "0151 23456789", "country": "Germany"}
    clean, problems = validate_changes(REGISTRY, changes, "US")
    assert problems == {}
    assert clean == {"phone": "+4915123456789", "country": "DE"}


def test_a_lost_lead_needs_a_reason_and_other_statuses_drop_it() -> None:
    open_lead = {"status": "contacted", "lost_reason": None}
    _, problems = validate_changes(REGISTRY, {"status": "lost"}, None, lead=open_lead)
    assert "Say why the lead was lost" in problems["lost_reason"]
    clean, problems = validate_changes(
        REGISTRY, {"status": "lost", "lost_reason": "No budget"}, None, lead=open_lead
    )
    assert (clean, problems) == ({"status": "lost", "lost_reason": "No budget"}, {})

    lost = {"status": "lost", "lost_reason": "No budget"}
    _, problems = validate_changes(REGISTRY, {"lost_reason": ""}, None, lead=lost)
    assert "lost_reason" in problems
    clean, problems = validate_changes(REGISTRY, {"status": "nurture"}, None, lead=lost)
    assert (clean, problems) == ({"status": "nurture", "lost_reason": None}, {})


# --- saving and conflicts ------------------------------------------------------------------


@pytest.fixture
def lead_id(add_leads: AddLeads) -> int:
    row = {
        "first_name": "Anna",
        "last_name": "Müller",
        "email": "anna@northwind.example",
        "company": "Northwind GmbH",
        "job_title": "Office Manager",
        "country": "DE",
        "custom": {"budget": 100},
    }
    other = {"first_name": "Ben", "last_name": "Okafor", "email": "ben@helix.example"}
    return add_leads([row, other])[0]


@pytest.fixture
def second_db(db: Database) -> Iterator[Database]:
    """Another connection to the same database: a colleague's LeadDesk."""
    other = Database.open(db.engine.url.render_as_string(hide_password=False))
    yield other
    other.close()


def read(db: Database, lead_id: int) -> dict[str, Any]:
    with db.read() as conn:
        return get_lead(conn, lead_id)


def edits(db: Database, lead_id: int) -> list[sa.Row[Any]]:
    query = sa.select(activities.c.rep, activities.c.note).where(
        activities.c.lead_id == lead_id, activities.c.kind == EDIT
    )
    with db.read() as conn:
        return list(conn.execute(query.order_by(activities.c.id)))


def test_save_normalises_rescores_and_records_the_edit(db: Database, lead_id: int) -> None:
    with db.write() as conn:
        conn.execute(custom_fields.insert().values(key="budget", label="Budget", type="number"))
    before = read(db, lead_id)
    after = save_changes(
        db,
        lead_id,
        {"job_title": "VP Sales", "phone": "0151 23456789", "budget": "5k", "tags": "vip"},
        before["version"],
        "Alex Morgan",
    )
    assert after["version"] == before["version"] + 1
    assert after["phone"] == "+4915123456789"  # the lead's country is where it is from
    assert after["phone_valid"] is True
    assert after["custom"] == {"budget": 5000}
    assert after["score"] is not None  # rescored in the same transaction
    [edit] = edits(db, lead_id)
    assert edit.rep == "Alex Morgan"
    assert edit.note.startswith("Changed Phone, Job title, Tags, Budget.")
    with db.read() as conn:  # the search box finds the number as people dial it at home
        assert count_leads(conn, LeadFilter(search="0151 2345 6789")) == 1


def test_the_edit_note_gives_the_score_change(db: Database, lead_id: int) -> None:
    first = save_changes(db, lead_id, {"job_title": "Intern"}, read(db, lead_id)["version"], "A")
    second = save_changes(db, lead_id, {"job_title": "VP Sales"}, first["version"], "A")
    assert second["score"] != first["score"]
    note = edits(db, lead_id)[-1].note
    assert f"Score {first['score']:g} \N{RIGHTWARDS ARROW} {second['score']:g}" in note


def test_saving_nothing_new_writes_nothing(db: Database, lead_id: int) -> None:
    before = read(db, lead_id)
    after = save_changes(
        db,
        lead_id,
        {"email": " ANNA@northwind.example", "country": "germany"},
        before["version"],
        "A",
    )
    assert after["version"] == before["version"]
    assert edits(db, lead_id) == []


def test_an_invalid_value_is_refused_and_nothing_is_written(db: Database, lead_id: int) -> None:
    before = read(db, lead_id)
    with pytest.raises(InvalidInputError, match="Email: “anna@” is not an email address"):
        save_changes(db, lead_id, {"email": "anna@", "city": "Köln"}, before["version"], "A")
    assert read(db, lead_id) == before
    assert edits(db, lead_id) == []


def test_a_concurrent_edit_is_refused_with_their_lead(
    db: Database, second_db: Database, lead_id: int
) -> None:
    mine_read = read(db, lead_id)
    theirs_read = read(second_db, lead_id)
    theirs = save_changes(
        second_db,
        lead_id,
        {"job_title": "Head of Operations", "owner": "Sam Lee"},
        theirs_read["version"],
        "Sam Lee",
    )

    mine = {"job_title": "VP Sales", "city": "Köln"}
    with pytest.raises(EditConflict) as refused:
        save_changes(db, lead_id, mine, mine_read["version"], "Alex Morgan")

    assert refused.value.theirs == theirs
    assert refused.value.theirs["job_title"] == "Head of Operations"
    assert read(db, lead_id) == theirs  # nothing of mine was written
    assert [e.rep for e in edits(db, lead_id)] == ["Sam Lee"]

    rebased = rebase(load_registry_of(db), mine_read, mine, refused.value.theirs)
    assert rebased.changes == {"city": "Köln"}  # only I touched it: saved as it is
    [conflict] = rebased.conflicts
    assert (conflict.field.name, conflict.mine, conflict.theirs) == (
        "job_title",
        "VP Sales",
        "Head of Operations",
    )
    assert [f.name for f in rebased.theirs_only] == ["owner"]

    chosen = rebased.changes | {"job_title": conflict.mine}
    saved = save_changes(db, lead_id, chosen, refused.value.theirs["version"], "Alex Morgan")
    assert (saved["job_title"], saved["city"], saved["owner"]) == ("VP Sales", "Köln", "Sam Lee")


def load_registry_of(db: Database) -> FieldRegistry:
    with db.read() as conn:
        return load_registry(conn)


def test_saving_a_lead_erased_meanwhile_says_so(db: Database, lead_id: int) -> None:
    version = read(db, lead_id)["version"]
    erase_lead(db, lead_id)
    with pytest.raises(NotFoundError):
        save_changes(db, lead_id, {"city": "Köln"}, version, "A")


# --- timeline ------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def imported(db: Database, tmp_path: Path, name: str, rows: list[dict[str, str]]) -> list[int]:
    report = run(import_file(db, write_csv(tmp_path / name, rows), ImportOptions(region="DE")))
    return report.lead_ids


PEOPLE = [
    {"Name": "Anna Müller", "Email": "anna@northwind.example", "Country": "Germany"},
    {"Name": "Ben Okafor", "Email": "ben@helix.example", "Country": "Nigeria"},
]


def test_the_timeline_tells_the_leads_story_newest_first(db: Database, tmp_path: Path) -> None:
    anna, _ben = imported(db, tmp_path, "fair.csv", PEOPLE)
    update = [{"Email": "anna@northwind.example", "Job title": "CFO", "Phone": "030 12345678"}]
    imported(db, tmp_path, "crm.csv", update)
    now = utcnow()
    with db.write() as conn:
        for batch_id, hours in ((1, 5), (2, 4)):  # the imports were made this morning
            conn.execute(
                batches.update()
                .where(batches.c.id == batch_id)
                .values(imported_at=now - timedelta(hours=hours))
            )
        conn.execute(
            activities.insert(),
            [
                {"lead_id": anna, "kind": "email_open", "at": now - timedelta(hours=3),
                 "note": None, "rep": None},
                {"lead_id": anna, "kind": "note", "at": now - timedelta(hours=2),
                 "note": "Prefers mornings", "rep": "Sam Lee"},
            ],
        )  # fmt: skip
    called = now - timedelta(hours=1)
    log_outcome(db, anna, Outcome.VOICEMAIL, note="Left a message", rep="Sam Lee", at=called)
    save_changes(db, anna, {"owner": "Sam Lee"}, read(db, anna)["version"], "Alex Morgan")

    with db.read() as conn:
        entries = timeline(conn, anna)

    assert [(e.kind, e.title) for e in entries] == [
        ("edit", "Edited"),
        ("call", "Call: Left voicemail"),
        ("note", "Note"),
        ("email_open", "Opened an email"),
        ("import", "Updated by import of crm.csv"),
        ("added", "Imported from fair.csv"),
    ]
    times = [e.at for e in entries]
    assert times == sorted(times, reverse=True)
    edit, call, note = entries[:3]
    assert (edit.rep, edit.detail) == ("Alex Morgan", "Changed Owner.")
    assert (call.rep, call.detail) == ("Sam Lee", "Left a message")
    assert note.detail == "Prefers mornings"
    assert entries[4].detail == "Set Phone, Job title"


def test_a_lead_not_imported_starts_with_when_it_was_added(
    db: Database, add_leads: AddLeads
) -> None:
    [lead_id] = add_leads(
        [{"first_name": "Cleo", "created_at": T0}],
        activities=[(0, {"kind": "call", "outcome": "connected", "at": T0 + timedelta(days=1)})],
    )
    with db.read() as conn:
        entries = timeline(conn, lead_id)
    assert [(e.at, e.title) for e in entries] == [
        (T0 + timedelta(days=1), "Call: Connected"),
        (T0, "Added to LeadDesk"),
    ]


def test_an_undone_import_says_so(db: Database, tmp_path: Path) -> None:
    from leaddesk.core.importing.history import undo_import

    anna, _ = imported(db, tmp_path, "fair.csv", PEOPLE)
    imported(db, tmp_path, "crm.csv", [{"Email": "anna@northwind.example", "City": "Köln"}])
    undo_import(db, 2)
    with db.read() as conn:
        entries = timeline(conn, anna)
    assert entries[0].detail == "Set City. This import was undone later."


# --- erasure -------------------------------------------------------------------------------


def counts(db: Database, lead_id: int) -> dict[str, int]:
    with db.read() as conn:
        return {
            table.name: conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.lead_id == lead_id)
            ).scalar_one()
            for table in (activities, import_changes, bulk_rows)
        }


def add_bulk_rows(db: Database, lead_ids: list[int]) -> None:
    with db.write() as conn:
        edit_id = conn.execute(
            bulk_edits.insert().values(action="owner", summary="Assigned 2 leads", leads=2)
        ).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(
            bulk_rows.insert(),
            [{"edit_id": edit_id, "lead_id": i, "before": {"before": {"owner": None}}}
             for i in lead_ids],
        )  # fmt: skip


def test_erasing_removes_everything_about_the_lead_only(db: Database, tmp_path: Path) -> None:
    anna, ben = imported(db, tmp_path, "fair.csv", PEOPLE)
    imported(db, tmp_path, "crm.csv", [{"Email": e["Email"], "City": "Köln"} for e in PEOPLE])
    for lead_id in (anna, ben):
        log_outcome(db, lead_id, Outcome.CONNECTED, note="Call me Friday", rep="Sam Lee")
    add_bulk_rows(db, [anna, ben])
    ben_before = (read(db, ben), counts(db, ben))
    assert counts(db, anna) == {"activities": 1, "import_changes": 2, "bulk_edit_rows": 1}

    erased = erase_lead(db, anna)

    assert (erased.name, erased.activities, erased.import_changes, erased.bulk_edit_rows) == (
        "Anna Müller", 1, 2, 1,
    )  # fmt: skip
    assert erased.text() == "Anna Müller was erased, with 1 activity and 3 history records."
    with pytest.raises(NotFoundError):
        read(db, anna)
    assert counts(db, anna) == {"activities": 0, "import_changes": 0, "bulk_edit_rows": 0}
    with db.read() as conn:
        undo_records = conn.execute(
            sa.select(settings_table.c.value).where(settings_table.c.key.like("undo.call.%"))
        ).scalars()
        assert [record["lead_id"] for record in undo_records] == [ben]
        assert count_leads(conn, LeadFilter(search="Müller")) == 0  # the index followed
        assert count_leads(conn, LeadFilter(search="anna@northwind")) == 0
        assert count_leads(conn, LeadFilter(search="Okafor")) == 1
    assert (read(db, ben), counts(db, ben)) == ben_before
    with pytest.raises(NotFoundError):
        erase_lead(db, anna)


# --- export --------------------------------------------------------------------------------


def test_export_writes_everything_about_one_lead(db: Database, tmp_path: Path) -> None:
    anna, _ = imported(db, tmp_path, "fair.csv", PEOPLE)
    imported(db, tmp_path, "crm.csv", [{"Email": "anna@northwind.example", "City": "Köln"}])
    log_outcome(db, anna, Outcome.MEETING, note="Demo on Tuesday", rep="Sam Lee")
    save_changes(db, anna, {"tags": "vip"}, read(db, anna)["version"], "Alex Morgan")
    target = tmp_path / "out" / "anna.json"
    target.parent.mkdir()
    target.write_text("an older export")

    assert export_lead(db, anna, target) == target

    data = json.loads(target.read_text(encoding="utf-8"))
    lead = read(db, anna)
    assert (data["format"], data["version"], data["name"]) == ("leaddesk.lead", 1, "Anna Müller")
    assert data["lead"]["id"] == anna
    assert data["lead"]["email"] == "anna@northwind.example"
    assert data["lead"]["city"] == "Köln"
    assert data["lead"]["created_at"] == lead["created_at"].isoformat()
    assert data["labels"]["email"] == "Email"
    assert [(a["kind"], a["note"]) for a in data["activities"]] == [
        ("call", "Demo on Tuesday"),
        ("edit", "Changed Tags."),
    ]
    history = data["import_history"]
    assert [(h["file_name"], h["action"]) for h in history] == [
        ("fair.csv", "created"),
        ("crm.csv", "updated"),
    ]
    assert history[1]["changed"] == {"city": "Köln"}
    score = data["score_explanation"]
    assert score["score"] == lead["score"]
    assert len(score["lines"]) == len(score["contributions"])
    assert [e["title"] for e in data["timeline"]][:2] == ["Edited", "Call: Meeting booked"]
    assert not list(target.parent.glob(".anna-*"))  # the temporary file is gone


def test_export_to_a_folder_that_cannot_be_written_says_so(
    db: Database, lead_id: int, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(BadFileError, match="Could not write"):
        export_lead(db, lead_id, blocker / "anna.json")
