"""Explanations: each contribution with its label and points, caps as lines, sums that add up."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from leaddesk.core.db import Database
from leaddesk.core.errors import NotFoundError
from leaddesk.core.fields import FieldRegistry
from leaddesk.core.progress import run
from leaddesk.core.scoring import sql
from leaddesk.core.scoring.explain import Contribution, evaluate, explain_lead
from leaddesk.core.scoring.model import ActivityRule, Rule, ScoringModel

AddLeads = Callable[..., list[int]]
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
REGISTRY = FieldRegistry()

MODEL = ScoringModel(
    "explained",
    fit_rules=[
        Rule("job_title", "contains", "VP", 20),
        Rule("email", "ends_with", ["@gmail.com"], -10, "Free email domain"),
        Rule("country", "equals", "DE", 40),
    ],
    engagement_rules=[Rule("page_views", "at_least", 10, 45)],
    activity_rules=[ActivityRule("email_open", None, 4, half_life_days=9, label="Opened email")],
    fit_cap=30,
    engagement_cap=50,
    threshold=60,
)


def opens(*ages: float) -> list[dict[str, object]]:
    return [
        {"id": i, "kind": "email_open", "outcome": None, "at": NOW - timedelta(days=a)}
        for i, a in enumerate(ages)
    ]


def test_contributions_caps_and_total() -> None:
    lead = {
        "id": 7,
        "job_title": "vp sales",
        "email": "x@gmail.com",
        "country": "DE",
        "page_views": 12.0,
    }
    result = evaluate(MODEL, lead, opens(9, 9, 9, 9), REGISTRY, NOW)
    assert [c.text() for c in result.contributions] == [
        "+20 Job title contains 'VP'",
        "\N{MINUS SIGN}10 Free email domain",
        "+40 Country is 'DE'",
        "\N{MINUS SIGN}20 cap: fit limited to 30",
        "+45 Page views \N{GREATER-THAN OR EQUAL TO} 10",
        "+8 Opened email \N{MULTIPLICATION SIGN}4 (decayed from 16, last 9 days ago)",
        "\N{MINUS SIGN}3 cap: engagement limited to 50",
    ]
    assert (result.fit_score, result.engagement_score, result.score) == (30, 50, 80)
    assert sum(c.points for c in result.contributions) == result.score
    assert (result.grade, result.tier, result.sales_ready) == ("C", "Hot", True)
    data = result.to_json()
    assert set(data) >= {"lead_id", "score", "fit_score", "engagement_score", "grade", "tier"}
    assert data["contributions"][0] == {
        "group": "fit",
        "label": "Job title contains 'VP'",
        "points": 20.0,
    }


def test_an_empty_lead_scores_zero() -> None:
    result = evaluate(MODEL, {"id": 1}, [], REGISTRY, NOW)
    assert (result.score, result.contributions, result.grade, result.tier) == (0, [], "D", "Cold")


@pytest.mark.parametrize(
    ("ages", "line"),
    [
        ((0,), "Opened email \N{MULTIPLICATION SIGN}1 (today)"),
        ((1, 2), "Opened email \N{MULTIPLICATION SIGN}2 (decayed from 8, last one yesterday)"),
        ((-3,), "Opened email \N{MULTIPLICATION SIGN}1 (today)"),
    ],
)
def test_decay_is_explained(ages: tuple[float, ...], line: str) -> None:
    result = evaluate(MODEL, {"id": 1}, opens(*ages), REGISTRY, NOW)
    assert [c.label for c in result.contributions] == [line]


def test_negative_activity_rules_are_capped_below() -> None:
    model = ScoringModel("neg", activity_rules=[ActivityRule("call", "no-answer", -2, cap=5)])
    calls = [{"id": i, "kind": "call", "outcome": "no-answer", "at": NOW} for i in range(4)]
    result = evaluate(model, {"id": 1}, calls, REGISTRY, NOW)
    assert result.contributions == [
        Contribution(
            "engagement",
            "call: no-answer \N{MULTIPLICATION SIGN}4 (capped at 5, last one today)",
            -5,
        )
    ]


def test_explain_lead_matches_the_stored_score(db: Database, add_leads: AddLeads) -> None:
    ids = add_leads(
        [{"job_title": "Head of Ops", "employees": 120.0, "page_views": 14.0}],
        [(0, {"kind": "call", "outcome": "connected", "at": NOW - timedelta(days=3)})],
    )
    run(sql.rescore_job(db, now=NOW))
    with db.read() as conn:
        start = time.perf_counter()
        explanation = explain_lead(conn, ids[0], now=NOW)
        elapsed = time.perf_counter() - start
        from leaddesk.core.leads import get_lead

        lead = get_lead(conn, ids[0])
        with pytest.raises(NotFoundError):
            explain_lead(conn, 999)
    assert explanation.score == lead["score"] > 0
    assert any("Connected call" in c.label for c in explanation.contributions)
    assert elapsed < 0.5  # generous here; the benchmark holds it under 10 ms


def test_explaining_before_any_model_is_stored_writes_nothing(
    db: Database, add_leads: AddLeads
) -> None:
    from leaddesk.core.scoring import store

    ids = add_leads([{"job_title": "VP Sales"}])
    with db.read() as conn:
        explanation = explain_lead(conn, ids[0], now=NOW)
    with db.read() as conn:
        assert store.list_models(conn) == []
    assert explanation.score == 20.0  # the built-in default model's VP rule
