"""The Leads page's filters and search, in SQL, and the search index behind them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from leaddesk.core.db import Database
from leaddesk.core.leads import PHONE_IN_PARTS, LeadFilter, count_leads, list_leads
from leaddesk.core.schema import leads, utcnow
from leaddesk.core.search_index import SearchTerm

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]  # the add_leads fixture (tests/core/conftest.py)

NOW = utcnow()
CALLED = datetime(2026, 11, 2, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)
VOICEMAIL = {"kind": "call", "outcome": "voicemail", "at": CALLED}

PEOPLE = [
    {"first_name": "Ann", "last_name": "Smith", "company": "Acme", "status": "new",
     "tier": "Hot", "grade": "A", "score": 90, "owner": "ann", "source": "Expo",
     "country": "DE", "next_follow_up_at": NOW, "custom": {"segment": "SMB"}, "tags": "vip, expo",
     "phone_digits": "4915112345678"},
    {"first_name": "Bob", "last_name": "Jones", "company": "Zed Ltd", "status": "contacted",
     "tier": "Warm", "grade": "B", "score": 55, "owner": None, "source": "Web",
     "country": "AT", "last_contacted_at": NOW - timedelta(days=2), "custom": {"segment": "ENT"},
     "phone_digits": "43660111222"},
    {"first_name": "Cem", "last_name": "Öz", "company": "Acme Austria", "status": "lost",
     "tier": "Cold", "grade": "D", "score": 10, "owner": "bob", "source": "Web",
     "country": "CH", "last_contacted_at": NOW - timedelta(days=30), "tags": "expovip"},
    {"first_name": "Dee", "email": "dee@mail.io", "status": "new", "score": None},
]  # fmt: skip


@pytest.fixture
def people(add_leads: AddLeads) -> list[int]:
    return add_leads(
        PEOPLE, activities=[(1, {"kind": "call", "outcome": "voicemail", "at": CALLED})]
    )


@pytest.mark.parametrize(
    ("lead_filter", "expected"),
    [
        (LeadFilter(), [0, 1, 2, 3]),
        (LeadFilter(search="acme"), [0, 2]),
        (LeadFilter(search="acme aus"), [2]),
        (LeadFilter(search="ACME"), [0, 2]),
        (LeadFilter(search="+49 151"), [0]),
        (LeadFilter(search="0111 222"), [1]),
        (LeadFilter(search="(660) 111-2"), [1]),
        (LeadFilter(search="15112"), [0]),
        (LeadFilter(search="mail.io"), [3]),
        (LeadFilter(search="no such"), []),
        (LeadFilter(search="50%"), []),
        (LeadFilter(statuses=("new", "lost")), [0, 2, 3]),
        (LeadFilter(tiers=("Hot", "Warm"), grades=("B",)), [1]),
        (LeadFilter(owners=("ann",)), [0]),
        (LeadFilter(owners=("",)), [1, 3]),
        (LeadFilter(owners=("bob", "")), [1, 2, 3]),
        (LeadFilter(min_score=55), [0, 1]),
        (LeadFilter(min_score=10, max_score=55), [2]),
        (LeadFilter(sources=("Web",), countries=("AT", "CH")), [1, 2]),
        (LeadFilter(has_follow_up=True), [0]),
        (LeadFilter(has_follow_up=False), [1, 2, 3]),
        (LeadFilter(sales_ready=True), [0]),  # the default model's threshold is 60
        (LeadFilter(sales_ready=False), [1, 2, 3]),
        (LeadFilter(not_contacted_days=7), [0, 2, 3]),
        (LeadFilter(called_between=(CALLED - HOUR, CALLED + HOUR)), [1]),
        (LeadFilter(called_between=(CALLED, CALLED + HOUR), call_outcomes=("connected",)), []),
        (LeadFilter(custom=(("segment", "SMB"),)), [0]),
        (LeadFilter(tag="vip"), [0]),
        (LeadFilter(tag="EXPO"), [0]),
        (LeadFilter(tag="50%"), []),
    ],
)
def test_filters_combine_in_sql(
    db: Database, people: list[int], lead_filter: LeadFilter, expected: list[int]
) -> None:
    with db.read() as conn:
        found = [
            lead["id"] for lead in list_leads(conn, lead_filter, order_by=("id",), descending=False)
        ]
        assert count_leads(conn, lead_filter) == len(expected)
    assert found == [people[i] for i in expected]


def test_a_filter_survives_json(people: list[int]) -> None:
    lead_filter = LeadFilter(
        search="acme", statuses=("new",), owners=("",), min_score=40.5, sales_ready=True,
        called_between=(CALLED, CALLED + timedelta(days=1)), custom=(("segment", "SMB"),),
    )  # fmt: skip
    assert LeadFilter.from_json(lead_filter.to_json()) == lead_filter
    assert LeadFilter.from_json({"search": "x", "from_a_newer_leaddesk": 1}) == LeadFilter("x")
    assert LeadFilter().to_json() == {}


def test_sorting_puts_empty_values_last_and_breaks_ties_by_id(
    db: Database, people: list[int]
) -> None:
    with db.read() as conn:
        by_score = [lead["id"] for lead in list_leads(conn, order_by=("score",), descending=True)]
        by_segment = [
            lead["id"] for lead in list_leads(conn, order_by=("segment",), descending=False)
        ]
    assert by_score == [people[0], people[1], people[2], people[3]]
    assert by_segment[:2] == [people[1], people[0]]  # a custom field sorts in SQL too


TEXT = "{first_name last_name email company}"


@pytest.mark.parametrize(
    ("term", "query"),
    [
        (SearchTerm("Smith"), f'{TEXT} : "smith"'),
        (SearchTerm('a"b'), f'{TEXT} : "a""b"'),
        (SearchTerm("", "4915"), 'phone_digits : "4915"'),
        (SearchTerm("(201)", "201"), f'{TEXT} : "(201)" OR phone_digits : "201"'),
        (SearchTerm("an"), None),
    ],
)  # fmt: skip
def test_index_queries_quote_what_the_user_typed(term: SearchTerm, query: str | None) -> None:
    assert term.index_query() == query


def test_other_databases_search_the_columns() -> None:
    query = sa.select(leads.c.id).where(LeadFilter(search="smith").clause())
    on_postgres = str(query.compile(dialect=postgresql.dialect()))
    on_sqlite = str(query.compile(dialect=sqlite.dialect()))
    assert "lead_search" not in on_postgres
    assert "LIKE" in on_postgres
    assert "lead_search MATCH" in on_sqlite


def _rows(db: Database) -> list[sa.Row]:
    with db.read() as conn:
        columns = (leads.c.first_name, leads.c.last_name, leads.c.email, leads.c.company,
                   leads.c.phone_digits)  # fmt: skip
        return conn.execute(sa.select(*columns)).all()


def _matches(row: sa.Row, text: str) -> bool:
    """The search's promise, written plainly."""
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and PHONE_IN_PARTS.fullmatch(text.strip()):
        return digits in (row[4] or "")
    for word in text.casefold().split():
        digits = re.sub(r"\D", "", word)
        texts = [(v or "").lower() for v in row[:4]]
        if not any(word in t for t in texts) and not (
            len(digits) >= 3 and digits in (row[4] or "")
        ):
            return False
    return True


WORDS = st.text(alphabet="abcé19 -.@", min_size=1, max_size=6)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(
        st.tuples(WORDS, WORDS, st.text(alphabet="0123456789", max_size=8)), max_size=12
    ),
    text=st.text(alphabet="abcé19 -.@", min_size=1, max_size=8),
    edits=st.lists(st.tuples(st.integers(0, 11), WORDS), max_size=3),
)
def test_the_search_index_finds_exactly_what_a_full_scan_finds(
    db: Database, names: list[tuple[str, str, str]], text: str, edits: list[tuple[int, str]]
) -> None:
    """Inserts, updates and deletes keep the index in step, and it never loses a match."""
    with db.write() as conn:
        conn.execute(leads.delete())
        if names:
            conn.execute(
                leads.insert(),
                [{"first_name": a, "company": b, "phone_digits": d, "status": "new"}
                 for a, b, d in names],
            )  # fmt: skip
        ids = list(conn.execute(sa.select(leads.c.id).order_by(leads.c.id)).scalars())
        for index, company in edits:
            if index < len(ids):
                conn.execute(leads.update().where(leads.c.id == ids[index]).values(company=company))
        if ids:
            conn.execute(leads.delete().where(leads.c.id == ids[-1]))
    expected = sum(_matches(row, text) for row in _rows(db))
    with db.read() as conn:
        assert count_leads(conn, LeadFilter(search=text)) == expected
