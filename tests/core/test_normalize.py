"""The value normalisers: what they make of real cells, and that they are idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaddesk.core.importing.normalize import (
    clean_text,
    date_order,
    decimal_comma,
    normalize_country,
    normalize_email,
    normalize_phone,
    parse_bool,
    parse_datetime,
    parse_number,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Anna\u00a0 ", "Anna"),
        ("Line one\r\nLine two", "Line one\nLine two"),
        ("Zoë\x00 Ağa\u200b", "Zoë Ağa"),
        (660737.0, "660737"),
        (1.5, "1.5"),
        ("", None),
        ("   ", None),
        (None, None),
        (date(2024, 1, 2), "2024-01-02"),
    ],
)
def test_clean_text_trims_and_drops_control_characters(value: object, expected: str) -> None:
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Anna.Smith@Example.COM ", "anna.smith@example.com"),
        ("mailto:bob@example.org", "bob@example.org"),
        ("Bob Jones <Bob@Example.org>", "bob@example.org"),
        ("jörg@müller.de", "jörg@müller.de"),
        ("anna@", None),
        ("not an email", None),
        ("a..b@example.com", None),
        ("a@b", None),
        ("a b@example.com", None),
    ],
)
def test_normalize_email(value: str, expected: str | None) -> None:
    assert normalize_email(value) == expected


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("+49 151 12345678", None, "+4915112345678"),
        ("0151 12345678", "DE", "+4915112345678"),
        ("(212) 55-01", "US", None),  # too short: invalid, kept as written
        ("(646) 555-1234", "US", "+16465551234"),
        (4915112345678, "DE", "+4915112345678"),  # lost leading +
        (4915112345678.0, None, "+4915112345678"),  # a float from Excel
        ("4915112345678.0", "DE", "+4915112345678"),
        ("004915112345678", None, "+4915112345678"),  # 00 without a region
        (15112345678, "DE", "+4915112345678"),  # lost trunk 0
        ("tel:+33 6 12 34 56 78", None, "+33612345678"),
    ],
)
def test_normalize_phone_recovers_what_excel_did(
    value: object, region: str | None, expected: str | None
) -> None:
    result = normalize_phone(value, region)
    assert result is not None
    if expected is None:
        assert not result.valid
    else:
        assert result.valid
        assert result.value == expected


def test_invalid_phone_is_kept_as_written_and_flagged() -> None:
    result = normalize_phone("call me maybe 123", "DE")
    assert result is not None
    assert result == normalize_phone(result.value, "DE")
    assert (result.value, result.valid, result.digits) == ("call me maybe 123", False, "123")


def test_phone_digits_find_the_national_and_international_form() -> None:
    result = normalize_phone("0151 12345678", "DE")
    assert result is not None
    assert "4915112345678" in result.digits
    assert "015112345678" in result.digits
    assert normalize_phone("  ", "DE") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("allemagne", "DE"),
        ("de", "DE"),
        ("USA", "US"),
        ("United States", "US"),
        ("Vereinigte Staaten von Amerika", "US"),
        ("UK", "GB"),
        ("España", "ES"),
        ("Österreich", "AT"),
        ("Côte d\u2019Ivoire", "CI"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_normalize_country(value: str, expected: str | None) -> None:
    assert normalize_country(value) == expected


@pytest.mark.parametrize(
    ("value", "comma", "expected"),
    [
        (12, None, 12.0),
        ("1.234.567,89", None, 1234567.89),
        ("1,234,567.89", None, 1234567.89),
        ("$1,200", None, 1200.0),
        ("0,75", None, 0.75),
        ("1.234", True, 1234.0),
        ("1.234", None, 1.234),
        ("51-200", None, 125.5),
        ("51 \u2013 200", None, 125.5),
        ("10,001+", None, 10001.0),
        ("5M", None, 5_000_000.0),
        ("2.5k", None, 2500.0),
        ("EUR 3 000", None, 3000.0),
        ("-7", None, -7.0),
        ("many", None, None),
        (True, None, None),
        (float("nan"), None, None),
    ],
)
def test_parse_number(value: object, comma: bool | None, expected: float | None) -> None:
    assert parse_number(value, comma) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Yes", True), ("no", False), ("1", True), (0, False), ("x", True), ("Nein", False),
     ("oui", True), ("maybe", None), (None, None), (True, True)],
)  # fmt: skip
def test_parse_bool(value: object, expected: bool | None) -> None:
    assert parse_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "dayfirst", "expected"),
    [
        (datetime(2024, 3, 4, 5, 6), None, datetime(2024, 3, 4, 5, 6, tzinfo=UTC)),
        (date(2024, 3, 4), None, datetime(2024, 3, 4, tzinfo=UTC)),
        (45000, None, datetime(2023, 3, 15, tzinfo=UTC)),  # an Excel serial
        (45000.5, None, datetime(2023, 3, 15, 12, tzinfo=UTC)),
        ("2024-03-04", None, datetime(2024, 3, 4, tzinfo=UTC)),
        ("2024-03-04T05:06:07Z", None, datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("04.03.2024", False, datetime(2024, 3, 4, tzinfo=UTC)),  # dots are always day-first
        ("04/03/2024", True, datetime(2024, 3, 4, tzinfo=UTC)),
        ("04/03/2024", False, datetime(2024, 4, 3, tzinfo=UTC)),
        ("25/03/2024", False, datetime(2024, 3, 25, tzinfo=UTC)),
        ("3/4/24 2:30 PM", False, datetime(2024, 3, 4, 14, 30, tzinfo=UTC)),
        ("Jan 5, 2024", None, datetime(2024, 1, 5, tzinfo=UTC)),
        ("31.02.2024", None, None),
        ("soon", None, None),
    ],
)
def test_parse_datetime(value: object, dayfirst: bool | None, expected: datetime | None) -> None:
    assert parse_datetime(value, dayfirst=dayfirst) == expected


def test_1904_date_system() -> None:
    assert parse_datetime(0.0 + 1, datemode=1) == datetime(1904, 1, 2, tzinfo=UTC)


def test_column_level_decisions() -> None:
    assert date_order(["01/02/2024", "13/02/2024"]) is True
    assert date_order(["01/02/2024", "02/13/2024"]) is False
    assert date_order(["01/02/2024", 5]) is None
    assert decimal_comma(["12", "1.234,50"]) is True
    assert decimal_comma(["1,234.50"]) is False
    assert decimal_comma(["1234"]) is None


cells = st.one_of(
    st.none(),
    st.text(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.from_regex(r"\+?[0-9 ()./-]{3,20}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9._%+-]{1,10}@[A-Za-z0-9-]{1,10}\.[A-Za-z]{2,4}", fullmatch=True),
    st.dates().map(str),
)


@given(cells)
def test_normalisers_are_idempotent(value: object) -> None:
    text = clean_text(value)
    assert clean_text(text) == text
    email = normalize_email(value)
    assert email is None or normalize_email(email) == email
    country = normalize_country(value)
    assert country is None or normalize_country(country) == country
    number = parse_number(value)
    assert number is None or parse_number(number) == number
    flag = parse_bool(value)
    assert flag is None or parse_bool(flag) == flag
    moment = parse_datetime(value)
    assert moment is None or parse_datetime(moment) == moment
    for region in (None, "DE", "US"):
        phone = normalize_phone(value, region)
        assert phone is None or normalize_phone(phone.value, region) == phone
