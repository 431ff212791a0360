"""Header -> field mapping: synonyms from CRM exports, overrides, value checks, saved mappings."""

from __future__ import annotations

import pytest

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.fields import FieldRegistry, FieldType, custom_field
from leaddesk.core.importing.mapping import (
    apply_overrides,
    check_against_values,
    guess_mapping,
    header_signature,
    load_saved_mapping,
    parse_map_overrides,
    save_mapping,
)

REGISTRY = FieldRegistry()


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Company Name", "company"),
        ("Company / Account", "company"),
        ("Organization - Name", "company"),
        ("Country/Region", "country"),
        ("No. of Employees", "employees"),
        ("E-mail address", "email"),
        ("Tel.", "phone"),
        ("  FIRST   name ", "first_name"),
        ("Vorname", "first_name"),
        ("Prénom", "first_name"),
        ("Nachname", "last_name"),
        ("Teléfono", "phone"),
        ("Full Name", "full_name"),
        ("Prospect ID", "external_id"),
        ("Lead Source", "source"),
        ("Lead Status", "status"),
        ("Favourite colour", None),
    ],
)
def test_guess_mapping_knows_crm_and_human_headers(header: str, field: str | None) -> None:
    assert guess_mapping([header], REGISTRY) == {header: field}


def test_each_field_takes_one_column() -> None:
    mapping = guess_mapping(["Phone", "Mobile", "Email"], REGISTRY)
    assert mapping == {"Phone": "phone", "Mobile": None, "Email": "email"}


def test_custom_fields_of_earlier_imports_are_matched_by_label() -> None:
    registry = FieldRegistry([custom_field("lead_quality", "Lead Quality", FieldType.TEXT)])
    assert guess_mapping(["lead quality"], registry) == {"lead quality": "lead_quality"}


def test_parse_map_overrides() -> None:
    assert parse_map_overrides(["Tel.=phone", "a=b=email", "Notes=", "X=custom"]) == {
        "Tel.": "phone",
        "a=b": "email",
        "Notes": None,
        "X": None,
    }
    with pytest.raises(InvalidInputError, match="Header=field"):
        parse_map_overrides(["phone"])


def test_apply_overrides_moves_a_field_and_checks_names() -> None:
    mapping = {"Phone": "phone", "Mobile": None}
    assert apply_overrides(mapping, {"mobile": "phone"}, REGISTRY) == {
        "Phone": None,
        "Mobile": "phone",
    }
    with pytest.raises(InvalidInputError, match="no column “Fax”"):
        apply_overrides(mapping, {"Fax": "phone"}, REGISTRY)
    with pytest.raises(InvalidInputError, match="“score” is not a field"):
        apply_overrides(mapping, {"Phone": "score"}, REGISTRY)


def test_guesses_whose_values_do_not_fit_become_custom_fields() -> None:
    mapping = {"Last Activity": "last_activity_at", "Email": "email", "TotalVisits": "page_views"}
    columns = {
        "Last Activity": ["Email Opened", "Page Visited on Website", None],
        "Email": ["a@x.de", "b@x.de"],
        "TotalVisits": [0, "5", None],
    }
    checked, warnings = check_against_values(mapping, columns, REGISTRY)
    assert checked == {"Last Activity": None, "Email": "email", "TotalVisits": "page_views"}
    assert len(warnings) == 1
    assert "Last Activity" in warnings[0]
    kept, _ = check_against_values(mapping, columns, REGISTRY, keep=["Last Activity"])
    assert kept["Last Activity"] == "last_activity_at"


def test_saved_mapping_round_trip(db: Database) -> None:
    headers = ["Tel.", "Mail"]
    assert header_signature(headers) == header_signature(["tel", "MAIL"])
    with db.write() as conn:
        assert load_saved_mapping(conn, headers) is None
        save_mapping(conn, headers, {"Tel.": "phone", "Mail": "email"})
        save_mapping(conn, headers, {"Tel.": "phone", "Mail": "notes"})
    with db.read() as conn:
        assert load_saved_mapping(conn, headers) == {"Tel.": "phone", "Mail": "notes"}
        assert load_saved_mapping(conn, ["Tel.", "Mail", "Other"]) is None
