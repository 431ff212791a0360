"""Team mode: taking the next lead claims it, nobody else gets it, and claims run out."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from leaddesk.core.activities import Outcome, log_outcome
from leaddesk.core.claims import claim_next, release_claims
from leaddesk.core.db import Database
from leaddesk.core.leads import get_lead
from leaddesk.core.queue import build_queue, why_not_queued
from leaddesk.core.queue_settings import QueueSettings

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]
NOW = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
SETTINGS = QueueSettings(timezone="UTC", claim_minutes=15)
CALLABLE = {"phone": "+4930123456", "score": 50.0}


def queue_of(db: Database, rep: str, now: datetime = NOW) -> list[int]:
    with db.read() as conn:
        return [e.lead_id for e in build_queue(conn, now=now, owner=rep, settings=SETTINGS)]


def claim(db: Database, ids: list[int], rep: str, now: datetime = NOW) -> int | None:
    return claim_next(db, ids, rep, settings=SETTINGS, now=now)


def test_a_claimed_lead_leaves_everyone_elses_queue(db: Database, add_leads: AddLeads) -> None:
    first, second = add_leads([CALLABLE | {"first_name": "Acme"}, CALLABLE])
    assert claim(db, [first, second], "ann") == first
    assert queue_of(db, "ann") == [first, second]  # still hers
    assert queue_of(db, "bob") == [second]
    assert claim(db, [first, second], "bob") == second
    with db.read() as conn:
        why = why_not_queued(conn, first, now=NOW, owner="bob", settings=SETTINGS)
    assert why == ["Acme is not in the queue because ann has it open (until today 14:15)."]
    # The claim runs out if Ann walks away.
    assert queue_of(db, "bob", NOW + timedelta(minutes=16)) == [first, second]


def test_a_rep_holds_one_claim_at_a_time(db: Database, add_leads: AddLeads) -> None:
    first, second = add_leads([CALLABLE, CALLABLE])
    assert claim(db, [first], "ann") == first
    assert claim(db, [second], "ann") == second
    with db.read() as conn:
        assert get_lead(conn, first)["claimed_by"] is None
        assert get_lead(conn, second)["claimed_by"] == "ann"
    release_claims(db, "ann")
    assert queue_of(db, "bob") == [first, second]


def test_eligibility_is_checked_again_when_claiming(db: Database, add_leads: AddLeads) -> None:
    called, closed, fine = add_leads(
        [
            CALLABLE | {"last_contacted_at": NOW - timedelta(minutes=5), "attempts": 1},
            CALLABLE | {"status": "won"},
            CALLABLE,
        ]
    )
    assert claim(db, [called, closed, fine], "ann") == fine
    assert claim(db, [called, closed], "bob") is None


def test_concurrent_reps_never_call_the_same_lead(db: Database, add_leads: AddLeads) -> None:
    ids = add_leads([CALLABLE] * 60)
    calls: list[tuple[str, int]] = []

    # The reps take leads in rounds, all four at the same moment (SQLite's busy handler is
    # not fair: left alone, one writer can take every lead before the others get a turn).
    rounds = threading.Barrier(4, timeout=30)

    def rep(name: str) -> None:
        # Each rep takes the next lead of the same queue, calls it, and moves on.
        while rounds.wait() is not None and (lead := claim(db, ids, name)) is not None:
            log_outcome(db, lead, Outcome.NO_ANSWER, at=NOW, rep=name)
            calls.append((name, lead))

    threads = [threading.Thread(target=rep, args=(f"rep{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    called = Counter(lead for _, lead in calls)
    assert sorted(called) == ids
    assert set(called.values()) == {1}  # every lead called, none twice
    assert len({name for name, _ in calls}) > 1  # the reps really shared the work
