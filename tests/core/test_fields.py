"""The field registry is the single source of truth; its synonyms must not collide."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaddesk.core.fields import (
    BUILTIN_FIELDS,
    STORED_FIELDS,
    FieldRegistry,
    FieldType,
    custom_field,
    header_key,
    slug,
)
from leaddesk.core.schema import leads


def test_no_header_maps_to_two_fields() -> None:
    counts = Counter(key for f in BUILTIN_FIELDS if f.importable for key in f.header_keys)
    assert [key for key, n in counts.items() if n > 1] == []


def test_every_stored_field_is_a_column() -> None:
    assert {f.name for f in STORED_FIELDS} <= set(leads.c.keys())


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Company / Account", "companyaccount"),
        ("E-Mail-Adresse", "emailadresse"),
        ("Téléphone", "telephone"),
        ("  No. of Employees ", "noofemployees"),
        ("Straße", "strasse"),
    ],
)
def test_header_key_ignores_case_accents_and_punctuation(header: str, key: str) -> None:
    assert header_key(header) == key


@given(st.text())
def test_header_key_and_slug_are_idempotent(text: str) -> None:
    assert header_key(header_key(text)) == header_key(text)
    assert slug(slug(text)) == slug(text)


def test_registry_adds_custom_fields_without_shadowing_builtins() -> None:
    registry = FieldRegistry([custom_field("email", "Email"), custom_field("lead_number", "No")])
    assert registry.get("email").custom is False
    assert registry.get("lead_number").custom is True
    assert registry.unused_custom_key("Email") == "email_2"
    assert registry.get("employees").type is FieldType.NUMBER
