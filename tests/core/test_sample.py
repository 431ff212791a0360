"""Sample data is realistic enough to demo, train and benchmark with."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import phonenumbers
import sqlalchemy as sa

from leaddesk.core.db import Database
from leaddesk.core.leads import LeadFilter, list_leads
from leaddesk.core.progress import run
from leaddesk.core.sample import generate_leads, load_sample
from leaddesk.core.schema import Activity, leads

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_generation_is_deterministic() -> None:
    assert list(generate_leads(20, seed=3, now=NOW)) == list(generate_leads(20, seed=3, now=NOW))


def test_leads_look_real() -> None:
    rows = list(generate_leads(400, now=NOW))
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(r["phone"])) for r in rows)
    assert len({r["email"] for r in rows}) == 400
    statuses = Counter(r["status"] for r in rows)
    assert statuses["won"] >= 20
    assert statuses["lost"] >= 20
    assert len({r["country"] for r in rows}) >= 8


def test_load_sample_inserts_scored_leads_with_activities(db: Database) -> None:
    assert run(load_sample(db, 120, now=NOW)) == 120
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar() == 120
        unscored = conn.execute(sa.select(sa.func.count()).where(leads.c.score.is_(None)))
        assert unscored.scalar() == 0
        table = Activity.__table__  # type: ignore[attr-defined]
        kinds = {row[0] for row in conn.execute(sa.select(table.c.kind).distinct())}
    assert {"call", "email_open"} <= kinds


def test_cancelled_sample_load_leaves_nothing(db: Database) -> None:
    job = load_sample(db, 5000, now=NOW)
    next(job)
    next(job)
    job.close()
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar() == 0


def test_sample_leads_are_found_by_their_national_number(db: Database) -> None:
    run(load_sample(db, 40, now=NOW))
    with db.read() as conn:
        german = conn.execute(
            sa.select(leads.c.id, leads.c.phone).where(leads.c.country == "DE").limit(1)
        ).one()
        national = "0" + german.phone.removeprefix("+49")
        found = list_leads(conn, LeadFilter(search=national[:8]))
    assert german.id in [lead["id"] for lead in found]
