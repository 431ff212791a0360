"""Importing files LeadDesk exported, and CSV files written with formula protection."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from leaddesk.core.db import Database
from leaddesk.core.exporting import export_xlsx
from leaddesk.core.fields import FieldRegistry, FieldType, custom_field
from leaddesk.core.importing.mapping import export_mapping, guess_mapping
from leaddesk.core.importing.matching import conflicting, merge_in_file
from leaddesk.core.importing.pipeline import ImportOptions, import_file, preview_import
from leaddesk.core.importing.records import Record, infer_type
from leaddesk.core.leads import list_leads, load_registry
from leaddesk.core.progress import run
from leaddesk.core.schema import leads


def add(db: Database, **values: Any) -> None:
    with db.write() as conn:
        conn.execute(leads.insert(), [{"custom": {}, **values}])


def test_an_export_maps_back_by_its_labels() -> None:
    """A custom "Mobile" kept beside "Phone" stays a custom field: by synonym it is a phone."""
    mobile = custom_field("mobile", "Mobile")
    registry = FieldRegistry([mobile])
    headers = ["Phone", "Mobile", "E-mail", "Email", "Favourite colour"]
    assert guess_mapping(headers, registry)["Mobile"] is None  # phone is taken
    assert export_mapping(headers, registry) == {
        "Phone": "phone",
        "Mobile": "mobile",
        "E-mail": "email",
        "Email": None,  # one column per field, as always
        "Favourite colour": None,
    }


def test_a_typed_workbook_keeps_text_text() -> None:
    assert infer_type(["123", "0042"]) is FieldType.NUMBER
    assert infer_type(["123", "0042"], typed=True) is FieldType.TEXT
    assert infer_type(["yes", "no"], typed=True) is FieldType.TEXT
    assert infer_type([True, None, False], typed=True) is FieldType.BOOL
    assert infer_type([3.0, 4], typed=True) is FieldType.NUMBER
    assert infer_type([date(2024, 1, 2), datetime(2024, 1, 3)], typed=True) is FieldType.DATE
    assert infer_type([datetime(2024, 1, 3, 9, 30)], typed=True) is FieldType.DATETIME


def test_rows_of_different_leads_are_never_merged() -> None:
    a = Record(2, {"email": "a@x.de"}, {}, [("i", "1"), ("e", "a@x.de")], lead_id=1)
    b = Record(3, {"email": "a@x.de"}, {}, [("i", "2"), ("e", "a@x.de")], lead_id=2)
    c = Record(4, {"email": "a@x.de"}, {}, [("e", "a@x.de")])
    assert conflicting(a, b)
    assert not conflicting(a, c)
    groups, merged = merge_in_file([a, b, c])
    assert (len(groups), merged) == (2, 1)


def test_the_wizard_shows_an_export_without_leaddesks_own_columns(
    db: Database, tmp_path: Path
) -> None:
    add(db, first_name="Ada", email="ada@example.com", score=80.0, grade="A", tier="Hot")
    path = tmp_path / "leads.xlsx"
    run(export_xlsx(db, path))

    preview = preview_import(db, path)

    for header in ("LeadDesk ID", "Score", "Grade", "Tier", "Added", "Updated", "Call attempts"):
        assert header not in preview.headers
    assert preview.mapping["First name"] == "first_name"
    assert (preview.new_count, preview.existing_count) == (0, 1)


def test_computed_columns_never_become_custom_fields(tmp_path: Path, db_path: Path) -> None:
    source = Database.open(tmp_path / "source.db")
    add(source, first_name="Ada", email="ada@example.com", score=80.0, attempts=3)
    path = tmp_path / "leads.csv"
    run(export_xlsx(source, path))
    source.close()
    target = Database.open(db_path)
    try:
        report = run(import_file(target, path))
        with target.read() as conn:
            assert load_registry(conn).custom == []
            (lead,) = list_leads(conn)
    finally:
        target.close()
    assert report.created == 1
    assert lead["attempts"] == 0  # LeadDesk's own count starts again


def test_a_csv_with_formula_protection_imports_as_written(db: Database, tmp_path: Path) -> None:
    """Any program may protect cells with an apostrophe (OWASP's advice against CSV
    injection); it is taken away only where it stands before = + - @ tab or CR."""
    path = tmp_path / "protected.csv"
    path.write_text(
        "Name,Phone,Notes,Employees\n"
        "Ada Lovelace,'+49 151 12345678,'=SUM(A1),-5\n"
        "Alan Turing,'030 1234567,'quoted,'-7\n",
        encoding="utf-8",
    )
    report = run(import_file(db, path, ImportOptions(region="DE")))
    assert report.created == 2
    assert not any("Employees" in warning for warning in report.warnings)
    with db.read() as conn:
        ada, alan = sorted(list_leads(conn), key=lambda lead: lead["first_name"])
    assert (ada["phone"], ada["notes"], ada["employees"]) == ("+4915112345678", "=SUM(A1)", -5.0)
    assert (alan["phone"], alan["notes"], alan["employees"]) == ("+49301234567", "'quoted", -7.0)
    assert ada["custom"] == alan["custom"] == {}
