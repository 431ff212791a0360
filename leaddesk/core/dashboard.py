"""The dashboard's numbers: how scores spread and convert, and how the work moves.

Each chart is one aggregate query, a GROUP BY on a bucket expression, so the page stays
quick on a million leads. Every bar carries the ``LeadFilter`` of the leads it counts and a
short description, so a click opens exactly those leads, and the rule for which leads stand
behind a bar lives here, tested without Qt, rather than in the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core import progress
from leaddesk.core.activities import Outcome
from leaddesk.core.db import Database
from leaddesk.core.fields import GRADES, LEAD_STATUSES, TIERS
from leaddesk.core.leads import LeadFilter, lead_count
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import Activity, ImportBatch, leads, utcnow
from leaddesk.core.scoring.preview import BIN_WIDTH, bin_edges
from leaddesk.core.scoring.sql import ensure_math_functions
from leaddesk.core.scoring.store import active_model

activities = Activity.__table__  # type: ignore[attr-defined]
batches = ImportBatch.__table__  # type: ignore[attr-defined]

DAYS = 30
IMPORTS_SHOWN = 10
CLOSED = ("won", "lost")


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar or bar segment: how many, and the leads behind it (what a click opens)."""

    count: int
    leads: LeadFilter
    description: str


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked layer of a chart (a tier, an outcome): a bar per category."""

    key: str
    label: str
    bars: tuple[Bar, ...]

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


@dataclass(frozen=True, slots=True)
class Chart:
    """Counts by category (``keys``, shown as ``categories``) in one or more stacked series."""

    keys: tuple[str, ...]
    categories: tuple[str, ...]
    series: tuple[Series, ...]

    @property
    def total(self) -> int:
        return sum(series.total for series in self.series)

    def column(self, key: str) -> int:
        """The stacked count of the category ``key`` (0 for one the chart does not have)."""
        if key not in self.keys:
            return 0
        index = self.keys.index(key)
        return sum(series.bars[index].count for series in self.series)


@dataclass(frozen=True, slots=True)
class ScoreChart:
    """Leads per score bin, with the active model's sales-ready threshold.

    The bins are the scoring editor's: ``BIN_WIDTH`` wide, from 0 to 100 at least. A bin
    holds its lower edge; the last one holds its upper edge too, so a perfect score counts.
    """

    edges: tuple[float, ...]
    bars: tuple[Bar, ...]
    threshold: float
    unscored: int

    @property
    def scored(self) -> int:
        return sum(bar.count for bar in self.bars)


@dataclass(frozen=True, slots=True)
class Band:
    """How the closed leads of one score bin ended: do higher scores convert better?"""

    label: str
    won: int
    lost: int
    leads: LeadFilter
    description: str

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def rate(self) -> float | None:
        """Won ÷ (won + lost); None while no lead of the band is won or lost."""
        return self.won / self.closed if self.closed else None


@dataclass(frozen=True, slots=True)
class Headline:
    """The tiles above the charts, each with its leads."""

    leads: Bar
    sales_ready: Bar
    calls_today: Bar
    meetings: Bar
    """Calls that booked a meeting, over the days of the calls chart."""
    won: Bar


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the dashboard page shows, read in one transaction."""

    headline: Headline
    scores: ScoreChart
    tiers: Chart
    """Grades (categories) by tier (series)."""
    conversion: tuple[Band, ...]
    """One band per bin of ``scores``."""
    calls: Chart
    """The user's last ``DAYS`` days (keys are ISO dates, oldest first) by call outcome."""
    pipeline: Chart
    imports: Chart
    """The latest imports still in effect, newest first: leads created and updated."""

    @property
    def is_empty(self) -> bool:
        return self.headline.leads.count == 0


def dashboard_job(db: Database, zone: tzinfo, now: datetime | None = None) -> Job[Dashboard]:
    """The whole dashboard as a job for the GUI worker, in one read transaction."""
    with db.read() as conn:
        return (yield from dashboard_steps(conn, zone, now))


def load_dashboard(conn: Connection, zone: tzinfo, now: datetime | None = None) -> Dashboard:
    """The whole dashboard; days are ``zone``'s calendar days up to ``now``'s."""
    return progress.run(dashboard_steps(conn, zone, now))


def dashboard_steps(conn: Connection, zone: tzinfo, now: datetime | None = None) -> Job[Dashboard]:
    """``load_dashboard`` one query at a time, so a stale load stops between two of them."""
    steps = 6
    yield Progress(0, steps, "Reading scores…")
    ensure_math_functions(conn)
    _model_id, model = active_model(conn)
    scores = score_chart(conn, model.threshold, lead_count(conn))
    yield Progress(1, steps, "Reading conversion…")
    bands = conversion(conn, scores.edges)
    yield Progress(2, steps, "Reading tiers and grades…")
    tiers = tiers_by_grade(conn)
    yield Progress(3, steps, "Reading the pipeline…")
    statuses = pipeline(conn)
    yield Progress(4, steps, "Reading calls…")
    days = day_starts((now or utcnow()).astimezone(zone).date(), DAYS, zone)
    calls = calls_per_day(conn, days, zone)
    yield Progress(5, steps, "Reading imports…")
    imports = import_history(conn, zone)
    tiles = headline(conn, scores, calls, statuses, days)
    return Dashboard(tiles, scores, tiers, bands, calls, statuses, imports)


# -- scores -------------------------------------------------------------------------------
def _bin_of(score: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The number of the bin a score falls in: floor, so that -5 is in bin -1."""
    return sa.func.floor(score / sa.literal_column(f"{float(BIN_WIDTH)}", sa.Float()))


def _bin_index(bin_number: float, edges: Sequence[float]) -> int:
    """Where a SQL bin number lands in ``edges``; the highest edge joins the last bin."""
    return min(int(bin_number) - int(edges[0] // BIN_WIDTH), len(edges) - 2)


def _bin_filter(edges: Sequence[float], index: int, statuses: tuple[str, ...] = ()) -> LeadFilter:
    """The leads of bin ``index`` (with ``statuses``): the last bin has no upper bound."""
    last = index == len(edges) - 2
    high = None if last else edges[index + 1]
    return LeadFilter(statuses=statuses, min_score=edges[index], max_score=high)


def _span(edges: Sequence[float], index: int) -> str:
    return f"{edges[index]:g}\N{EN DASH}{edges[index + 1]:g}"


def score_chart(conn: Connection, threshold: float, total: int) -> ScoreChart:
    """Leads per score bin (``total`` leads in all, to count the unscored ones).

    The lowest and highest scores come first, each one step down the score index; the
    GROUP BY then needs nothing but the bin. Call ``ensure_math_functions`` first.
    """
    score = leads.c.score
    low, high = conn.execute(
        sa.select(
            sa.select(sa.func.min(score)).scalar_subquery(),
            sa.select(sa.func.max(score)).scalar_subquery(),
        )
    ).one()
    edges = bin_edges(low or 0.0, high or 0.0)
    rows = conn.execute(
        sa.select(_bin_of(score).label("score_bin"), sa.func.count())
        .where(score.is_not(None))
        .group_by("score_bin")
    ).all()
    counts = [0] * (len(edges) - 1)
    for row in rows:
        counts[_bin_index(row.score_bin, edges)] += row[1]
    bars = tuple(
        Bar(count, _bin_filter(edges, i), f"Score {_span(edges, i)}")
        for i, count in enumerate(counts)
    )
    return ScoreChart(edges, bars, threshold, total - sum(counts))


def conversion(conn: Connection, edges: Sequence[float]) -> tuple[Band, ...]:
    """Won and lost leads in each score bin of ``edges`` (those of ``score_chart``)."""
    rows = conn.execute(
        sa.select(_bin_of(leads.c.score).label("score_bin"), leads.c.status, sa.func.count())
        .where(leads.c.status.in_(CLOSED), leads.c.score.is_not(None))
        .group_by("score_bin", leads.c.status)
    ).all()
    won = [0] * (len(edges) - 1)
    lost = [0] * (len(edges) - 1)
    for row in rows:
        (won if row.status == "won" else lost)[_bin_index(row.score_bin, edges)] += row[2]
    return tuple(
        Band(
            _span(edges, i),
            won[i],
            lost[i],
            _bin_filter(edges, i, CLOSED),
            f"Won or lost, score {_span(edges, i)}",
        )
        for i in range(len(edges) - 1)
    )


# -- leads --------------------------------------------------------------------------------
def tiers_by_grade(conn: Connection) -> Chart:
    """Scored leads by grade (how well they fit) and tier (their whole score)."""
    rows = conn.execute(
        sa.select(leads.c.grade, leads.c.tier, sa.func.count())
        .where(leads.c.grade.is_not(None), leads.c.tier.is_not(None))
        .group_by(leads.c.grade, leads.c.tier)
    ).all()
    counts = {(row.grade, row.tier): int(row[2]) for row in rows}
    grades = _ordered(GRADES, (grade for grade, _ in counts))
    tiers = _ordered(TIERS, (tier for _, tier in counts))
    series = tuple(
        Series(
            tier,
            tier,
            tuple(
                Bar(
                    counts.get((grade, tier), 0),
                    LeadFilter(tiers=(tier,), grades=(grade,)),
                    f"{tier}, grade {grade}",
                )
                for grade in grades
            ),
        )
        for tier in tiers
    )
    return Chart(grades, tuple(f"Grade {grade}" for grade in grades), series)


def pipeline(conn: Connection) -> Chart:
    """Leads by status, in the order a lead moves through them."""
    rows = conn.execute(sa.select(leads.c.status, sa.func.count()).group_by(leads.c.status))
    counts = {row.status: int(row[1]) for row in rows}
    statuses = _ordered(LEAD_STATUSES, counts)
    labels = tuple(status.capitalize() for status in statuses)
    bars = tuple(
        Bar(counts.get(status, 0), LeadFilter(statuses=(status,)), f"{label} leads")
        for status, label in zip(statuses, labels, strict=True)
    )
    return Chart(statuses, labels, (Series("leads", "Leads", bars),))


def _ordered(known: Sequence[str], found: Iterable[str]) -> tuple[str, ...]:
    """``known`` values in their order, then any others found (a newer LeadDesk's), sorted."""
    return (*known, *sorted(set(found) - set(known)))


# -- calls --------------------------------------------------------------------------------
def day_starts(today: date, days: int, zone: tzinfo) -> tuple[datetime, ...]:
    """The instants (in UTC) the user's last ``days`` days begin, ``today`` the last, and
    the instant it ends.

    Local midnights, so a day is 23 or 25 hours long across a daylight-saving change; a
    midnight the clock skips is the first instant of its day.
    """
    first = today - timedelta(days=days - 1)
    return tuple(
        datetime.combine(first + timedelta(days=i), time(), zone).astimezone(UTC)
        for i in range(days + 1)
    )


def _position(column: sa.ColumnElement[Any], bounds: Sequence[datetime]) -> Any:
    """The index i with ``bounds[i] <= column < bounds[i + 1]``, as nested CASEs.

    A binary search: each row costs log2(days) comparisons instead of one per day. The
    bounds are instants, so days of any length and zones of any offset come out right.
    """

    def search(low: int, high: int) -> Any:
        if high - low == 1:
            return sa.literal(low)
        middle = (low + high) // 2
        return sa.case((column < bounds[middle], search(low, middle)), else_=search(middle, high))

    return search(0, len(bounds) - 1)


def calls_per_day(conn: Connection, bounds: Sequence[datetime], zone: tzinfo) -> Chart:
    """Calls on each day between consecutive ``bounds`` (``day_starts`` in ``zone``), by
    outcome; the keys are the days' ISO dates."""
    at = activities.c.at
    rows = conn.execute(
        sa.select(_position(at, bounds).label("day_index"), activities.c.outcome, sa.func.count())
        .where(activities.c.kind == "call", at >= bounds[0], at < bounds[-1])
        .group_by("day_index", activities.c.outcome)
    ).all()
    counts = {(int(row.day_index), row.outcome or ""): int(row[2]) for row in rows}
    outcomes = _ordered([o.value for o in Outcome], (outcome for _, outcome in counts))
    present = [o for o in outcomes if any(found == o for _, found in counts)]
    dates = [start.astimezone(zone).date() for start in bounds[:-1]]
    series = tuple(
        Series(
            outcome,
            outcome_label(outcome),
            tuple(
                Bar(
                    counts.get((index, outcome), 0),
                    _called(bounds[index], bounds[index + 1], outcome),
                    f"{outcome_label(outcome)} on {day:%a}, {_short_date(day)}",
                )
                for index, day in enumerate(dates)
            ),
        )
        for outcome in present
    )
    return Chart(
        tuple(day.isoformat() for day in dates), tuple(_short_date(day) for day in dates), series
    )


def _called(start: datetime, end: datetime, outcome: str = "") -> LeadFilter:
    """Leads with a call (with ``outcome``; any, for "") in [start, end)."""
    return LeadFilter(called_between=(start, end), call_outcomes=(outcome,) if outcome else ())


def outcome_label(outcome: str) -> str:
    """A call outcome as the Queue page names it; one LeadDesk does not know, readable."""
    if outcome in {o.value for o in Outcome}:
        return Outcome(outcome).label
    return outcome.replace("-", " ").capitalize() or "No outcome"


def _short_date(day: date) -> str:
    return f"{day:%b} {day.day}"


# -- imports ------------------------------------------------------------------------------
def import_history(conn: Connection, zone: tzinfo, limit: int = IMPORTS_SHOWN) -> Chart:
    """The last ``limit`` imports not undone, newest first: leads created and updated."""
    columns = [batches.c[n] for n in ("id", "file_name", "imported_at", "created", "updated")]
    rows = conn.execute(
        sa.select(*columns)
        .where(batches.c.undone_at.is_(None))
        .order_by(batches.c.imported_at.desc(), batches.c.id.desc())
        .limit(limit)
    ).all()
    names = [
        f"{row.file_name} ({_short_date(row.imported_at.astimezone(zone).date())})" for row in rows
    ]
    series = tuple(
        Series(
            key,
            key.capitalize(),
            tuple(
                Bar(int(getattr(row, key)), LeadFilter(import_batch=row.id), f"Leads from {name}")
                for row, name in zip(rows, names, strict=True)
            ),
        )
        for key in ("created", "updated")
    )
    return Chart(tuple(str(row.id) for row in rows), tuple(names), series)


# -- tiles --------------------------------------------------------------------------------
def headline(
    conn: Connection,
    scores: ScoreChart,
    calls: Chart,
    statuses: Chart,
    days: Sequence[datetime],
) -> Headline:
    """The tiles, mostly from the charts; sales-ready needs the exact threshold, not bins."""
    ready = conn.execute(
        sa.select(sa.func.count()).where(leads.c.score >= scores.threshold)
    ).scalar_one()
    meetings = next((s.total for s in calls.series if s.key == Outcome.MEETING), 0)
    return Headline(
        leads=Bar(scores.scored + scores.unscored, LeadFilter(), "All leads"),
        sales_ready=Bar(
            int(ready),
            LeadFilter(sales_ready=True),
            f"Sales-ready: score {scores.threshold:g} or more",
        ),
        calls_today=Bar(calls.column(calls.keys[-1]), _called(days[-2], days[-1]), "Called today"),
        meetings=Bar(
            meetings,
            _called(days[0], days[-1], Outcome.MEETING.value),
            f"Meetings booked in the last {len(days) - 1} days",
        ),
        won=Bar(statuses.column("won"), LeadFilter(statuses=("won",)), "Won leads"),
    )
