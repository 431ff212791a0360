"""Export, then import: leads come back as they were, and a re-import updates, never duplicates.

"As they were" means as LeadDesk's importer would store the same values typed in by hand:
the round trip adds nothing of its own beyond what a spreadsheet cannot hold.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from leaddesk.core.db import Database
from leaddesk.core.exporting import export_xlsx
from leaddesk.core.exporting.cells import TextCleaner
from leaddesk.core.exporting.columns import ID_HEADER, excel_moment
from leaddesk.core.exporting.lead_refs import lead_ref, parse_lead_ref
from leaddesk.core.fields import LEAD_STATUSES, STORED_FIELDS, FieldType
from leaddesk.core.importing.normalize import clean_text, normalize_phone
from leaddesk.core.importing.pipeline import ImportOptions, ImportReport, import_file
from leaddesk.core.importing.readers import PLACEHOLDERS
from leaddesk.core.importing.records import json_value
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import run
from leaddesk.core.schema import CustomFieldRecord, leads, utcnow

REGION = "DE"
TEXT_FIELDS = [
    f.name
    for f in STORED_FIELDS
    if f.importable and f.type is FieldType.TEXT and f.name != "external_id"
]
NUMBER_FIELDS = [f.name for f in STORED_FIELDS if f.importable and f.type.is_numeric]
MOMENT_FIELDS = [f.name for f in STORED_FIELDS if f.importable and f.type.is_temporal]
COMPARED = [f.name for f in STORED_FIELDS if f.importable] + ["phone_valid"]
CUSTOM = {  # key -> (label, type): labels the importer turns back into the same keys
    "colour": ("Colour", FieldType.TEXT),
    "seats": ("Seats", FieldType.NUMBER),
    "trial": ("Trial", FieldType.BOOL),
    "renewal": ("Renewal", FieldType.DATE),
}
_BLANK: dict[str, Any] = {f.name: None for f in STORED_FIELDS} | {
    "status": "new",
    "do_not_call": False,
    "do_not_email": False,
    "attempts": 0,
    "custom": {},
    "phone_valid": True,
    "phone_digits": None,
}

# Text as people and hostile files write it: formulas, spaces, quotes, control characters,
# placeholders, other scripts, emoji.
hostile = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.sampled_from(
        [
            "=1+1",
            '=HYPERLINK("http://evil.example","x")',
            "+49 30 1234",
            "-2+3",
            "@SUM(A1)",
            "\t=cmd",
            "\r=cmd",
            "'=already quoted",
            "''+twice",
            "  padded  ",
            'say "hi"',
            "a\r\nb",
            "line\nbreak",
            "N/A",
            "select",
            "\x00\x07bell",
            "\ufffeodd\uffff",
            "Zoë Ørsted",
            "مرحبا",
            "👩‍💻 dev",
            "0042",
            "TRUE",
            "1e5",
            "2024-01-02",
        ]
    ),
)
# Now and then far more than a cell holds (emoji count twice: Excel counts UTF-16 units).
long_text = st.builds(
    lambda ch, n: " " + ch * n, st.sampled_from(["x", "é", "😀"]), st.integers(16_000, 34_000)
)
moments = st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1)).map(
    lambda d: d.replace(tzinfo=UTC)
)
numbers = st.one_of(
    st.integers(-(10**12), 10**12).map(float),
    st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
)
VALID_PHONES = ["+4915112345678", "+12125550100", "+442079460958", "+33612345678"]
phones = st.one_of(st.sampled_from(VALID_PHONES), hostile)
emails = st.from_regex(r"[a-z][a-z0-9]{0,8}([._-][a-z0-9]{1,5})?", fullmatch=True)


@st.composite
def lead_rows(draw: st.DrawFn, index: int, custom: bool) -> dict[str, Any]:
    """A lead as a database may hold it, identified by a unique external id (so that no
    two leads of one file are ever merged as the same person)."""
    row: dict[str, Any] = {"external_id": f"X{index}:" + draw(hostile)[:50]}
    for name in TEXT_FIELDS:
        row[name] = draw(st.none() | hostile)
    row["notes"] = draw(st.none() | hostile | long_text)
    for name in NUMBER_FIELDS:
        row[name] = draw(st.none() | numbers)
    for name in MOMENT_FIELDS:
        row[name] = draw(st.none() | moments)
    row["email"] = draw(st.none() | emails.map(lambda e: f"{e}.{index}@example.com"))
    row["phone"] = draw(st.none() | phones)
    row["phone_valid"] = row["phone"] in VALID_PHONES
    row["country"] = draw(st.none() | st.sampled_from(["DE", "US", "GB", "FR", "JP"]))
    row["status"] = draw(st.sampled_from(LEAD_STATUSES))
    row["do_not_call"] = draw(st.booleans())
    row["do_not_email"] = draw(st.booleans())
    if custom:
        values = {
            "colour": draw(st.none() | hostile),
            "seats": draw(st.none() | st.integers(-(10**9), 10**9) | numbers),
            "trial": draw(st.none() | st.booleans()),
            "renewal": draw(st.none() | st.dates(date(1950, 1, 1), date(2090, 1, 1))),
        }
        row["custom"] = {k: json_value(v) for k, v in values.items() if v is not None}
    return row


def leads_strategy(custom: bool) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.integers(1, 6).flatmap(
        lambda n: st.tuples(*(lead_rows(i, custom) for i in range(n))).map(list)
    )


# --- what the importer makes of a value -------------------------------------------------


def as_text(value: Any) -> str | None:
    """A text as it comes back: Excel's limits, then the importer's cleaning."""
    if value is None:
        return None
    text = TextCleaner().clean(value)
    if text.strip().casefold() in PLACEHOLDERS:
        return None  # an unanswered drop-down ("N/A", "Select") is no value
    return clean_text(text)


def expected(row: dict[str, Any], custom: bool) -> dict[str, Any]:
    lead = _BLANK | row
    want: dict[str, Any] = {name: as_text(lead[name]) for name in TEXT_FIELDS}
    want["external_id"] = as_text(lead["external_id"])
    want.update({name: lead[name] for name in NUMBER_FIELDS})
    want.update({name: _second(lead[name]) for name in MOMENT_FIELDS})
    want.update({name: lead[name] for name in ("email", "country", "status")})
    want.update({name: lead[name] for name in ("do_not_call", "do_not_email")})
    phone = as_text(lead["phone"])
    result = normalize_phone(phone, lead["country"] or REGION) if phone else None
    want["phone"] = result.value if result else None
    want["phone_valid"] = result.valid if result else True
    if custom:
        stored = lead["custom"]
        want["custom"] = {
            key: as_text(value) if key == "colour" else value
            for key, value in stored.items()
            if key != "colour" or as_text(value) is not None
        }
    return want


def _second(moment: datetime | None) -> datetime | None:
    naive = excel_moment(moment)
    return naive.replace(tzinfo=UTC) if naive else None


def got(lead: dict[str, Any], custom: bool) -> dict[str, Any]:
    result = {name: lead[name] for name in COMPARED}
    if custom:
        result["custom"] = lead["custom"]
    return result


# --- databases --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty database file, copied for each example (migrating is slow)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    Database.open(path).close()
    return path


@pytest.fixture
def fresh(template: Path, tmp_path: Path) -> Iterator[Any]:
    opened: list[Database] = []

    def make(name: str) -> Database:
        path = tmp_path / f"{name}-{len(opened)}.db"
        shutil.copyfile(template, path)
        opened.append(Database.open(path))
        return opened[-1]

    yield make
    for db in opened:
        db.close()


def fill(db: Database, rows: list[dict[str, Any]], custom: bool) -> list[int]:
    with db.write() as conn:
        if custom:
            table = CustomFieldRecord.__table__  # type: ignore[attr-defined]
            conn.execute(
                table.insert(),
                [
                    {"key": key, "label": label, "type": str(type_), "created_at": utcnow()}
                    for key, (label, type_) in CUSTOM.items()
                ],
            )
        inserted = conn.execute(
            leads.insert().returning(leads.c.id, sort_by_parameter_order=True),
            [_BLANK | row for row in rows],
        )
        return [r.id for r in inserted]


def stored(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(sa.select(leads).order_by(leads.c.id)).mappings()
        return [dict(row) for row in rows]


def do_import(db: Database, path: Path, **options: Any) -> ImportReport:
    return run(import_file(db, path, ImportOptions(region=REGION, **options)))


def lead_id_of(ref: Any) -> int:
    parsed = parse_lead_ref(ref)
    assert parsed is not None
    return parsed[1]


def by_external_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["external_id"]: row for row in rows}


# --- into an empty database ---------------------------------------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(rows=leads_strategy(custom=True))
def test_a_workbook_imports_into_an_empty_database_as_the_same_leads(
    fresh: Any, tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    """Every importable field and custom field comes back equal to what the importer makes
    of the original value: text within Excel's limits (control characters it refuses
    removed, cut at 32,767 characters), trimmed, line breaks as ``\\n``, an unanswered
    drop-down ("N/A") empty; phones as the importer writes them (E.164 when valid); moments
    to the second (what a worksheet keeps); numbers, yes/no, dates exactly. Custom fields
    come back with their keys and, from the cells' types, their types.
    """
    source, target = fresh("source"), fresh("target")
    fill(source, rows, custom=True)
    path = tmp_path / "leads.xlsx"
    run(export_xlsx(source, path))

    report = do_import(target, path)

    assert report.created == len(rows)
    assert any("another database" in w for w in report.warnings)
    back = by_external_id(stored(target))
    for row in rows:
        want = expected(row, custom=True)
        assert got(back[want["external_id"]], custom=True) == want
    with target.read() as conn:
        fields = {f.name: f.type for f in load_registry(conn).custom}
    for key, (_, type_) in CUSTOM.items():
        if any(key in row["custom"] for row in rows):
            assert fields[key] is type_


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(rows=leads_strategy(custom=False))
def test_a_csv_file_imports_into_an_empty_database_as_the_same_leads(
    fresh: Any, tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    """As for the workbook: the formula protection's apostrophe is taken away again, and
    numbers, moments and yes/no are read back from their text. (Custom fields are left out
    here: a CSV file has no cell types, so a new database guesses a custom field's type from
    its text; into the database they came from they keep theirs, see below.)"""
    source, target = fresh("source"), fresh("target")
    fill(source, rows, custom=False)
    path = tmp_path / "leads.csv"
    run(export_xlsx(source, path))

    report = do_import(target, path)

    assert report.created == len(rows)
    back = by_external_id(stored(target))
    for row in rows:
        want = expected(row, custom=False)
        assert got(back[want["external_id"]], custom=False) == want


# --- into the database it came from -----------------------------------------------------

ADA = {"external_id": "A-1", "first_name": "Ada", "email": "ada@example.com", "company": "Eng"}
ALAN = {"external_id": "A-2", "first_name": "Alan", "email": "alan@example.com", "company": "Eni"}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_unchanged_export_imports_into_its_database_changing_nothing(
    db: Database, tmp_path: Path, suffix: str
) -> None:
    rows = [ADA, ALAN, {"first_name": "=1+1", "company": "+cmd", "notes": "-@x", "email": None}]
    with db.write() as conn:
        conn.execute(
            CustomFieldRecord.__table__.insert(),  # type: ignore[attr-defined]
            [{"key": "seats", "label": "Seats", "type": "text", "created_at": utcnow()}],
        )
    for row in rows:
        fill(db, [row | {"custom": {"seats": "0042"}, "last_contacted_at": utcnow()}], False)
    before = stored(db)
    path = tmp_path / f"leads{suffix}"
    run(export_xlsx(db, path))

    for mode in ("update", "overwrite"):
        report = do_import(db, path, on_duplicate=mode)
        assert (report.created, report.updated, report.skipped) == (0, 0, 3)
    after = stored(db)
    assert [lead["id"] for lead in after] == [lead["id"] for lead in before]
    assert after == before


def test_edits_in_the_file_update_the_lead_it_came_from(db: Database, tmp_path: Path) -> None:
    """Even an edited email, the key people are matched by, updates the same lead."""
    ids = fill(db, [ADA, ALAN], False)
    path = tmp_path / "leads.xlsx"
    run(export_xlsx(db, path))
    workbook = load_workbook(path)
    sheet = workbook["Leads"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if lead_id_of(row[0].value) == ids[0]:
            row[header.index("Email")].value = "ada.lovelace@example.org"
            row[header.index("Company")].value = "Analytical Engines"
    workbook.save(path)

    report = do_import(db, path, on_duplicate="overwrite")

    assert (report.created, report.updated, report.skipped) == (0, 1, 1)
    ada, alan = stored(db)
    assert ada["id"] == ids[0]
    assert (ada["email"], ada["company"]) == ("ada.lovelace@example.org", "Analytical Engines")
    assert alan["email"] == ALAN["email"]


def test_ids_of_another_database_never_update_its_leads(fresh: Any, tmp_path: Path) -> None:
    """Both databases have a lead 1 and 2; the file's ids are the other database's."""
    first, second = fresh("first"), fresh("second")
    fill(first, [ADA, ALAN], False)
    other = {"external_id": "B-1", "first_name": "Grace", "email": "grace@example.com"}
    fill(second, [other, other | {"external_id": "B-2", "email": "linus@example.com"}], False)
    path = tmp_path / "first.xlsx"
    run(export_xlsx(first, path))
    run(export_xlsx(second, tmp_path / "second.xlsx"))  # the second database has a tag too

    report = do_import(second, path, on_duplicate="overwrite")

    assert (report.created, report.updated) == (2, 0)
    assert any("2 row(s) carry LeadDesk IDs of another database" in w for w in report.warnings)
    emails = [lead["email"] for lead in stored(second)]
    assert emails[:2] == ["grace@example.com", "linus@example.com"]
    assert sorted(emails[2:]) == [ADA["email"], ALAN["email"]]


def test_a_row_of_a_deleted_lead_is_matched_as_any_other_row(db: Database, tmp_path: Path) -> None:
    ids = fill(db, [ADA, ALAN], False)
    path = tmp_path / "leads.xlsx"
    run(export_xlsx(db, path))
    with db.write() as conn:
        conn.execute(leads.delete().where(leads.c.id == ids[1]))

    report = do_import(db, path)

    assert (report.created, report.skipped) == (1, 1)
    assert any("deleted since" in w for w in report.warnings)
    assert [lead["email"] for lead in stored(db)] == [ADA["email"], ALAN["email"]]


def test_two_rows_of_one_lead_become_one_update(db: Database, tmp_path: Path) -> None:
    """Rows exported from different leads stay apart even when they share an email."""
    ids = fill(db, [ADA, ADA | {"external_id": None, "first_name": "Ada (twin)"}], False)
    path = tmp_path / "leads.csv"
    run(export_xlsx(db, path))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    lines.append(list(lines[1]))  # the first lead twice
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(lines)

    report = do_import(db, path, on_duplicate="overwrite")

    assert (report.created, report.merged) == (0, 1)
    assert [lead["id"] for lead in stored(db)] == ids


def test_the_file_names_each_lead_with_its_databases_tag(db: Database, tmp_path: Path) -> None:
    ids = fill(db, [ADA], False)
    run(export_xlsx(db, tmp_path / "a.csv"))
    run(export_xlsx(db, tmp_path / "b.csv"))
    refs = [
        next(csv.DictReader((tmp_path / name).read_text("utf-8-sig").splitlines()))[ID_HEADER]
        for name in ("a.csv", "b.csv")
    ]
    assert refs[0] == refs[1]
    parsed = parse_lead_ref(refs[0])
    assert parsed is not None
    tag = parsed[0]
    assert len(tag) == 6
    assert refs[0] == lead_ref(tag, ids[0]) == f"LD-{tag}-{ids[0]}"


def test_old_exports_with_plain_ids_are_not_trusted(db: Database, tmp_path: Path) -> None:
    """An export written before ids named their database carried bare numbers."""
    ids = fill(db, [ADA], False)
    path = tmp_path / "old.csv"
    path.write_text(
        f"{ID_HEADER},First name,Email\n{ids[0]},Grace,grace@example.com\n", encoding="utf-8"
    )
    report = do_import(db, path)
    assert report.created == 1
    assert stored(db)[0]["first_name"] == "Ada"


def test_moments_a_second_apart_are_no_change(db: Database, tmp_path: Path) -> None:
    moment = datetime(2026, 3, 1, 14, 30, 5, 999_999, tzinfo=UTC)
    fill(db, [ADA | {"last_contacted_at": moment}], False)
    path = tmp_path / "leads.xlsx"
    run(export_xlsx(db, path))
    report = do_import(db, path, on_duplicate="overwrite")
    assert report.updated == 0
    assert stored(db)[0]["last_contacted_at"] == moment
