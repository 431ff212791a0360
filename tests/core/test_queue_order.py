"""The queue in the team's order: by rule score, by probability, or by a blend of the two."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from leaddesk.core.db import Database
from leaddesk.core.queue import QueueEntry, build_queue, likely
from leaddesk.core.queue_settings import QueueSettings
from leaddesk.core.scoring.predictive.predictions import explain_leads
from leaddesk.core.scoring.predictive.target import STATUS_TARGET, Target

AddLeads = Callable[..., list[int]]
NOW = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)  # a Thursday
CALLED = {"phone": "+4930123456", "attempts": 1, "last_contacted_at": NOW - timedelta(days=3)}


def settings(order: str = "score", blend: int = 50, **more: Any) -> QueueSettings:
    return QueueSettings(timezone="UTC", order=order, blend=blend, **more)


def names(db: Database, chosen: QueueSettings, **kwargs: Any) -> list[str]:
    with db.read() as conn:
        entries = build_queue(conn, now=NOW, settings=chosen, **kwargs)
    return [e.lead["first_name"] for e in entries]


# (name, score, probability): the blend at 50 % is in the comment.
LEADS = [
    ("Ada", 90.0, 10.0),  # 50
    ("Ben", 50.0, 60.0),  # 55, a tie with Cy broken by the score
    ("Cy", 20.0, 90.0),  # 55
    ("Dee", 70.0, None),  # no probability yet
    ("Eve", None, 40.0),  # not scored yet
    ("Fay", 50.0, 35.0),  # 42.5
]
ORDERS = [
    (settings(), ["Ada", "Dee", "Ben", "Fay", "Cy", "Eve"]),
    (settings("probability"), ["Cy", "Ben", "Eve", "Fay", "Ada", "Dee"]),
    (settings("blend"), ["Ben", "Cy", "Ada", "Fay", "Dee", "Eve"]),
    (settings("blend", 80), ["Cy", "Ben", "Fay", "Ada", "Dee", "Eve"]),
]


@pytest.mark.parametrize(
    ("chosen", "expected"), ORDERS, ids=["score", "probability", "blend 50", "blend 80"]
)
def test_each_order(
    db: Database, add_leads: AddLeads, chosen: QueueSettings, expected: list[str]
) -> None:
    add_leads([CALLED | {"first_name": n, "score": s, "probability": p} for n, s, p in LEADS])
    assert names(db, chosen) == expected


def test_without_a_model_no_probability_is_mentioned(db: Database, add_leads: AddLeads) -> None:
    # A probability left from a model that is gone means nothing to the rep.
    add_leads([CALLED | {"first_name": "Ada", "score": 50.0, "probability": 64.0}])
    with db.read() as conn:
        (entry,) = build_queue(conn, now=NOW, settings=settings("probability"))
    assert "likely" not in entry.reason


def test_callbacks_keep_their_time_order(db: Database, add_leads: AddLeads) -> None:
    callbacks = [
        {"first_name": "Late", "next_follow_up_at": NOW.replace(hour=16), "probability": 99.0},
        {"first_name": "Early", "next_follow_up_at": NOW.replace(hour=9), "probability": 1.0},
    ]
    add_leads([CALLED | row for row in callbacks] + [CALLED | {"first_name": "Called"}])
    for order in ("score", "probability", "blend"):
        assert names(db, settings(order)) == ["Early", "Late", "Called"]


def test_new_leads_follow_the_order_too(db: Database, add_leads: AddLeads) -> None:
    fresh = {"phone": "+4930123456"}
    add_leads(
        [
            fresh | {"first_name": "Sure", "score": 10.0, "probability": 80.0},
            fresh | {"first_name": "Scored", "score": 80.0, "probability": 5.0},
            CALLED | {"first_name": "Called", "score": 1.0, "probability": 1.0},
        ]
    )
    assert names(db, settings()) == ["Called", "Scored", "Sure"]
    assert names(db, settings("probability")) == ["Called", "Sure", "Scored"]


@pytest.fixture
def many(add_leads: AddLeads) -> list[dict[str, Any]]:
    """300 called leads with scores and probabilities in no relation, ties and gaps included;
    every other one in Tokyo, where it is night at 14:00 UTC."""
    pick = random.Random(7)
    rows = [
        CALLED
        | {
            "first_name": f"Lead {i}",
            "score": pick.choice([None, 100.0, 100.0, float(pick.randint(-10, 100))]),
            "probability": pick.choice([None, 50.0, round(pick.uniform(0, 100), 1)]),
            "last_activity_at": None,
            "timezone": "Asia/Tokyo" if i % 2 else None,
        }
        for i in range(300)
    ]
    add_leads(rows)
    return rows


def by_score(row: dict[str, Any]) -> tuple[bool, float]:
    return row["score"] is None, -(row["score"] or 0)


def blended(rows: list[dict[str, Any]], weight: float) -> list[str]:
    """The blend order worked out the slow way: every lead sorted in Python."""
    both = [r for r in rows if r["score"] is not None and r["probability"] is not None]
    rest = [r for r in rows if r not in both]

    def key(r: dict[str, Any]) -> tuple[float, float]:
        return (-(weight * r["probability"] + (1 - weight) * r["score"]), -r["score"])

    ordered = sorted(both, key=key)  # stable: ties in insertion (id) order
    ordered += sorted(rest, key=by_score)
    return [r["first_name"] for r in ordered]


@pytest.mark.parametrize("weight", [10, 50, 90])
@pytest.mark.parametrize("limit", [1, 30, 200, 300])
def test_the_blend_is_exact(
    db: Database, many: list[dict[str, Any]], weight: int, limit: int
) -> None:
    # Read along the score and probability indexes, it matches sorting every lead.
    expected = blended(many, weight / 100)
    assert names(db, settings("blend", weight), limit=limit) == expected[:limit]
    # With calling hours, the Tokyo leads are skipped and the next pages read.
    hours = settings("blend", weight, calling_hours=(time(9), time(18)), weekdays_only=False)
    open_now = [n for n in expected if int(n.split()[1]) % 2 == 0]
    assert names(db, hours, limit=limit) == open_now[:limit]


@pytest.mark.parametrize(("weight", "same_as"), [(0, "score"), (100, "probability")])
def test_a_blend_all_one_way_is_that_order(
    db: Database, many: list[dict[str, Any]], weight: int, same_as: str
) -> None:
    assert names(db, settings("blend", weight)) == names(db, settings(same_as))


def test_leads_without_a_probability_come_last(db: Database, many: list[dict[str, Any]]) -> None:
    with db.read() as conn:
        entries = build_queue(conn, now=NOW, settings=settings("probability"), limit=300)
    probabilities = [e.lead["probability"] for e in entries]
    known = [p for p in probabilities if p is not None]
    assert probabilities == known + [None] * (300 - len(known))
    assert known == sorted(known, reverse=True)
    unknown = [e.lead for e in entries[len(known) :]]
    assert unknown == sorted(unknown, key=by_score)  # then by score


def test_likely_in_words() -> None:
    assert likely(64.2, STATUS_TARGET) == "64% likely to win"
    assert likely(7.5, Target("converted", "Converted")) == "8% likely: Converted"


def ranked(entries: list[QueueEntry]) -> list[QueueEntry]:
    return [e for e in entries if e.bucket in ("score", "new") and e.lead["probability"]]


PERCENT = re.compile(r"· (\d+)% likely to win")


def test_the_reason_gives_the_probability(trained: Database) -> None:
    with trained.read() as conn:
        entries = build_queue(conn, settings=settings())
    assert entries
    for entry in entries:
        found = PERCENT.search(entry.reason)
        assert found is not None, entry.reason
        assert int(found[1]) == round(entry.lead["probability"])
        assert not entry.reason[found.end() :].startswith(" (")  # by score: no factor


@pytest.mark.parametrize("order", ["probability", "blend"])
def test_ranked_by_probability_the_reason_names_its_strongest_cause(
    trained: Database, order: str
) -> None:
    now = datetime.now(UTC)
    with trained.read() as conn:
        entries = ranked(build_queue(conn, now=now, settings=settings(order)))
        assert entries
        predictions = explain_leads(conn, [e.lead_id for e in entries], now=now, top=1)
    for entry in entries:
        best = next(f for f in predictions[entry.lead_id].factors if f.weight > 0)
        assert f"% likely to win ({best.text})" in entry.reason, entry.reason
