"""The dashboard's numbers, exact on small hand-made data, and the leads behind every bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leaddesk.core.dashboard import (
    DAYS,
    Bar,
    Dashboard,
    dashboard_job,
    day_starts,
    import_history,
    load_dashboard,
    outcome_label,
)
from leaddesk.core.db import Database
from leaddesk.core.leads import LeadFilter, count_leads
from leaddesk.core.progress import run
from leaddesk.core.schema import ImportBatch
from leaddesk.core.scoring import store
from leaddesk.core.scoring.model import default_model

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]  # the add_leads fixture (tests/core/conftest.py)

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday; Berlin left summer time on Oct 25
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
EDGES_0_100 = tuple(float(e) for e in range(0, 101, 10))


def span(low: int, high: int) -> str:
    return f"{low}\N{EN DASH}{high}"


def load(db: Database, zone: tzinfo = BERLIN, now: datetime = NOW) -> Dashboard:
    with db.read() as conn:
        return load_dashboard(conn, zone, now)


def assert_opens(db: Database, bars: list[Bar] | tuple[Bar, ...]) -> None:
    """Each bar's filter finds exactly as many leads as the bar counts."""
    with db.read() as conn:
        assert [count_leads(conn, bar.leads) for bar in bars] == [bar.count for bar in bars]


# -- scores -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("scores", "edges", "counts", "unscored"),
    [
        ([], EDGES_0_100, [0] * 10, 0),
        ([None, None], EDGES_0_100, [0] * 10, 2),
        ([0, 9.9, 10, 55.5, 99.9, 100], EDGES_0_100, [2, 1, 0, 0, 0, 1, 0, 0, 0, 2], 0),
        (
            [-20, -10.1, -0.1, 0, 42, None],
            tuple(float(e) for e in range(-20, 101, 10)),
            [2, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0],
            1,
        ),
        ([100.5, 110], tuple(float(e) for e in range(0, 111, 10)), [0] * 10 + [2], 0),
    ],
)
def test_score_bins(
    db: Database,
    add_leads: AddLeads,
    scores: list[float | None],
    edges: tuple[float, ...],
    counts: list[int],
    unscored: int,
) -> None:
    if scores:
        add_leads([{"score": score} for score in scores])
    chart = load(db).scores
    assert chart.edges == edges
    assert [bar.count for bar in chart.bars] == counts
    assert chart.unscored == unscored
    assert chart.scored + chart.unscored == len(scores)
    assert_opens(db, chart.bars)


def test_score_bar_filters_and_descriptions(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"score": 45}])
    bars = load(db).scores.bars
    assert bars[4].leads == LeadFilter(min_score=40, max_score=50)
    assert bars[4].description == f"Score {span(40, 50)}"
    assert bars[-1].leads == LeadFilter(min_score=90)  # the last bin holds the top score
    assert bars[-1].description == f"Score {span(90, 100)}"


def test_threshold_and_sales_ready_follow_the_active_model(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads([{"score": s} for s in (64.9, 65, 80, None)])
    assert load(db).scores.threshold == default_model().threshold
    model = default_model()
    model.threshold = 65
    with db.write() as conn:
        store.save_model(conn, model, state="active")
    dashboard = load(db)
    assert dashboard.scores.threshold == 65
    ready = dashboard.headline.sales_ready
    assert (ready.count, ready.leads) == (2, LeadFilter(sales_ready=True))
    assert ready.description == "Sales-ready: score 65 or more"
    assert_opens(db, [ready])


# -- conversion ---------------------------------------------------------------------------
def test_conversion_by_band(db: Database, add_leads: AddLeads) -> None:
    rows = [
        *[{"score": 85, "status": "won"}] * 3,
        {"score": 81, "status": "lost"},
        {"score": 100, "status": "won"},
        {"score": 15, "status": "won"},
        *[{"score": 12, "status": "lost"}] * 3,
        {"score": 50, "status": "disqualified"},  # closed, but neither won nor lost
        {"score": None, "status": "won"},  # unscored: in no band
        {"score": 55, "status": "new"},
    ]
    add_leads(rows)
    bands = load(db).conversion
    won_lost = {10: (1, 3), 80: (3, 1), 90: (1, 0)}
    assert [(b.label, b.won, b.lost) for b in bands] == [
        (span(low, low + 10), *won_lost.get(low, (0, 0))) for low in range(0, 100, 10)
    ]
    assert [b.rate for b in bands if b.closed] == [0.25, 0.75, 1.0]
    assert bands[0].rate is None
    assert bands[1].leads == LeadFilter(statuses=("won", "lost"), min_score=10, max_score=20)
    assert bands[1].description == f"Won or lost, score {span(10, 20)}"
    with db.read() as conn:
        assert [count_leads(conn, b.leads) for b in bands] == [b.closed for b in bands]


# -- tiers, grades and statuses -------------------------------------------------------------
def test_tiers_by_grade(db: Database, add_leads: AddLeads) -> None:
    rows = [
        *[{"tier": "Hot", "grade": "A", "score": 90}] * 2,
        {"tier": "Warm", "grade": "A", "score": 60},
        {"tier": "Cold", "grade": "D", "score": 5},
        {"tier": "Lukewarm", "grade": "B", "score": 50},  # a tier a newer LeadDesk named
        {"tier": None, "grade": None, "score": None},
    ]
    add_leads(rows)
    chart = load(db).tiers
    assert chart.keys == ("A", "B", "C", "D")
    assert chart.categories == ("Grade A", "Grade B", "Grade C", "Grade D")
    assert {s.key: [b.count for b in s.bars] for s in chart.series} == {
        "Hot": [2, 0, 0, 0],
        "Warm": [1, 0, 0, 0],
        "Cold": [0, 0, 0, 1],
        "Lukewarm": [0, 1, 0, 0],
    }
    assert [s.key for s in chart.series] == ["Hot", "Warm", "Cold", "Lukewarm"]
    hot_a = chart.series[0].bars[0]
    assert hot_a.leads == LeadFilter(tiers=("Hot",), grades=("A",))
    assert hot_a.description == "Hot, grade A"
    assert_opens(db, [bar for series in chart.series for bar in series.bars])


def test_pipeline_by_status(db: Database, add_leads: AddLeads) -> None:
    statuses = ["new", "new", "won", "lost", "lost", "lost", "parked"]
    add_leads([{"status": status} for status in statuses])
    chart = load(db).pipeline
    assert chart.categories == (
        "New", "Contacted", "Qualified", "Nurture", "Won", "Lost", "Disqualified", "Parked"
    )  # fmt: skip
    assert [b.count for b in chart.series[0].bars] == [2, 0, 0, 0, 1, 3, 0, 1]
    assert chart.series[0].bars[4].leads == LeadFilter(statuses=("won",))
    assert chart.series[0].bars[4].description == "Won leads"
    assert_opens(db, chart.series[0].bars)
    won = load(db).headline.won
    assert (won.count, won.leads) == (1, LeadFilter(statuses=("won",)))


# -- calls --------------------------------------------------------------------------------
def call(at: datetime, outcome: str | None = "no-answer", kind: str = "call") -> dict[str, Any]:
    return {"kind": kind, "outcome": outcome, "at": at}


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "at", "day"),
    [
        (BERLIN, utc(1, 22, 59), "2026-11-01"),  # 23:59 CET
        (BERLIN, utc(1, 23, 0), "2026-11-02"),  # midnight CET
        (NEW_YORK, utc(1, 23, 0), "2026-11-01"),  # 18:00 EST
        (NEW_YORK, utc(2, 4, 59), "2026-11-01"),  # 23:59 EST
        (NEW_YORK, utc(2, 5, 0), "2026-11-02"),
        (KOLKATA, utc(1, 18, 29), "2026-11-01"),  # 23:59 IST (UTC+5:30)
        (KOLKATA, utc(1, 18, 30), "2026-11-02"),
        (BERLIN, utc(24, 22, 30, month=10), "2026-10-25"),  # 00:30 CEST, on the long day
        (BERLIN, utc(25, 22, 59, month=10), "2026-10-25"),  # 23:59 CET, 25 hours later
        (BERLIN, utc(25, 23, 0, month=10), "2026-10-26"),
        (BERLIN, utc(3, 22, 0, month=10), "2026-10-04"),  # the first day's first instant
        (BERLIN, utc(3, 21, 59, month=10), None),  # 31 days ago: not shown
        (UTC, utc(2, 23, 59), "2026-11-02"),  # later today
        (UTC, utc(3, 0, 0), None),  # tomorrow
    ],
)
def test_calls_fall_on_the_users_local_day(
    db: Database, add_leads: AddLeads, zone: tzinfo, at: datetime, day: str | None
) -> None:
    add_leads([{}], activities=[(0, call(at))])
    calls = load(db, zone).calls
    assert len(calls.keys) == DAYS
    assert calls.keys[-1] == "2026-11-02"
    assert {key: calls.column(key) for key in calls.keys if calls.column(key)} == (
        {day: 1} if day else {}
    )


def test_thirty_days_with_empty_days_and_outcomes_stacked(
    db: Database, add_leads: AddLeads
) -> None:
    activities = [
        (0, call(utc(2, 9), "meeting")),
        (1, call(utc(2, 9), "no-answer")),
        (2, call(utc(2, 8), "no-answer")),
        (2, call(utc(30, 8, month=10), "connected")),
        (3, call(utc(30, 8, month=10), "left-a-note")),  # an outcome a newer LeadDesk has
        (3, call(utc(30, 9, month=10), None)),
        (0, call(utc(2, 8), None, kind="email_open")),  # not a call
    ]
    add_leads([{}] * 4, activities=activities)
    calls = load(db).calls
    assert calls.keys == tuple(
        (date(2026, 10, 4) + timedelta(days=i)).isoformat() for i in range(30)
    )
    assert calls.categories[0] == "Oct 4"
    assert calls.categories[-1] == "Nov 2"
    assert [(s.key, s.label, s.total) for s in calls.series] == [
        ("no-answer", "No answer", 2),
        ("connected", "Connected", 1),
        ("meeting", "Meeting booked", 1),
        ("", "No outcome", 1),
        ("left-a-note", "Left a note", 1),
    ]
    assert sum(calls.column(key) for key in calls.keys) == 6
    assert [calls.column(key) for key in calls.keys].count(0) == 28
    no_answer_today = calls.series[0].bars[-1]
    assert no_answer_today.count == 2
    assert no_answer_today.description == "No answer on Mon, Nov 2"
    start, end = datetime(2026, 11, 1, 23, tzinfo=UTC), datetime(2026, 11, 2, 23, tzinfo=UTC)
    assert no_answer_today.leads == LeadFilter(
        called_between=(start, end), call_outcomes=("no-answer",)
    )
    assert calls.series[3].bars[26].leads.call_outcomes == ()  # no outcome: every call that day
    assert_opens(db, [bar for s in calls.series[:3] for bar in s.bars])

    tiles = load(db).headline
    assert (tiles.calls_today.count, tiles.meetings.count) == (3, 1)
    assert tiles.calls_today.description == "Called today"
    assert tiles.meetings.description == "Meetings booked in the last 30 days"
    with db.read() as conn:
        assert count_leads(conn, tiles.calls_today.leads) == 3
        assert count_leads(conn, tiles.meetings.leads) == 1


def test_a_bar_counts_calls_and_opens_leads(db: Database, add_leads: AddLeads) -> None:
    """Two calls to one lead on one day are two calls, and one lead to open."""
    add_leads([{}], activities=[(0, call(utc(2, 8))), (0, call(utc(2, 9)))])
    bar = load(db).calls.series[0].bars[-1]
    with db.read() as conn:
        assert (bar.count, count_leads(conn, bar.leads)) == (2, 1)


@pytest.mark.parametrize(
    ("zone", "today", "hours"),
    [
        (BERLIN, date(2026, 10, 25), 25),  # clocks go back
        (BERLIN, date(2026, 3, 29), 23),  # clocks go forward
        (ZoneInfo("America/Santiago"), date(2026, 9, 6), 23),  # midnight itself is skipped
        (KOLKATA, date(2026, 10, 25), 24),
    ],
)
def test_day_starts_are_local_midnights(zone: ZoneInfo, today: date, hours: int) -> None:
    bounds = day_starts(today, 3, zone)
    assert len(bounds) == 4
    assert bounds[2].astimezone(zone).date() == today
    assert (bounds[3] - bounds[2]) / timedelta(hours=1) == hours
    assert all(b.astimezone(zone).hour in (0, 1) for b in bounds)


@pytest.mark.parametrize(
    ("outcome", "label"),
    [
        ("voicemail", "Left voicemail"),
        ("do-not-call", "Do not call"),
        ("left-a-note", "Left a note"),
    ],
)
def test_outcome_labels(outcome: str, label: str) -> None:
    assert outcome_label(outcome) == label


# -- imports ------------------------------------------------------------------------------
def test_import_history_shows_the_latest_imports_in_effect(
    db: Database, add_leads: AddLeads
) -> None:
    table = ImportBatch.__table__  # type: ignore[attr-defined]
    batches = [
        ("old.csv", utc(1, 9, month=9), 5, 0, None),
        ("march.xlsx", utc(20, 23, month=10), 100, 7, None),
        ("undone.xlsx", utc(21, 9, month=10), 50, 0, utc(21, 10, month=10)),
        ("crm.xlsx", utc(1, 9), 3, 40, None),
    ]
    with db.write() as conn:
        ids = [
            conn.execute(
                table.insert()
                .values(
                    file_name=name, file_hash="0" * 64, mapping={}, report={}, created=created,
                    updated=updated, imported_at=at, undone_at=undone,
                )
                .returning(table.c.id)
            ).scalar_one()
            for name, at, created, updated, undone in batches
        ]  # fmt: skip
    add_leads([{"import_batch_id": ids[3]}])
    with db.read() as conn:
        chart = import_history(conn, BERLIN, limit=2)
        everything = load(db).imports
    assert chart.categories == ("crm.xlsx (Nov 1)", "march.xlsx (Oct 21)")  # Berlin's days
    assert chart.keys == (str(ids[3]), str(ids[1]))
    assert [(s.key, [b.count for b in s.bars]) for s in chart.series] == [
        ("created", [3, 100]),
        ("updated", [40, 7]),
    ]
    assert chart.series[0].bars[0].leads == LeadFilter(import_batch=ids[3])
    assert chart.series[0].bars[0].description == "Leads from crm.xlsx (Nov 1)"
    assert everything.categories == ("crm.xlsx (Nov 1)", "march.xlsx (Oct 21)", "old.csv (Sep 1)")


# -- the whole page -----------------------------------------------------------------------
def test_empty_database(db: Database) -> None:
    dashboard = load(db)
    assert dashboard.is_empty
    assert dashboard.scores.edges == EDGES_0_100
    assert dashboard.scores.scored == dashboard.scores.unscored == 0
    assert dashboard.tiers.total == dashboard.pipeline.total == dashboard.calls.total == 0
    assert dashboard.calls.series == ()
    assert len(dashboard.calls.keys) == DAYS
    assert dashboard.imports.keys == ()
    assert all(band.rate is None for band in dashboard.conversion)
    tiles = dashboard.headline
    counts = (tiles.leads, tiles.sales_ready, tiles.calls_today, tiles.meetings, tiles.won)
    assert [bar.count for bar in counts] == [0] * 5


def test_job_reads_in_its_own_transaction(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"score": 70, "status": "won", "tier": "Hot", "grade": "B"}])
    steps: list[str] = []
    dashboard = run(dashboard_job(db, BERLIN, NOW), lambda step: steps.append(step.message))
    assert not dashboard.is_empty
    assert dashboard.headline.leads.count == 1
    assert len(steps) == 6
    assert dashboard == load(db)
