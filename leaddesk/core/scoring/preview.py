"""What activating a draft would do: its effect on every lead, measured before it goes live.

The scoring editor shows this beside the rules and recomputes it on each change, so it must
stay well under a second on 100,000 leads. The draft's scores are computed once, by the same
SQL compiler that rescoring uses (so the preview is exactly what activation writes), in one
query that returns only small values per lead; everything else (counts, histogram, backtest)
is aggregated in Python from that one pass. The stored scores stand for the active model:
they are what it wrote. Nothing is written.
"""

from __future__ import annotations

import heapq
import math
import operator
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.allocation import cyclic_gc_paused
from leaddesk.core.db import Database
from leaddesk.core.fields import TIERS
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import leads
from leaddesk.core.scoring import common, sql, store
from leaddesk.core.scoring.model import ScoringModel, check

MOVES_SHOWN = 50  # leads listed as entering or leaving the sales-ready set (the counts are exact)
BIN_WIDTH = 10
_WON, _LOST = 1, 0

Outcomes = dict[float, tuple[int, int]]  # score -> (won, lost) leads with that score


@dataclass(frozen=True, slots=True)
class LeadMove:
    """A lead entering or leaving the sales-ready set, with its score before and after."""

    id: int
    name: str
    company: str
    before: float
    after: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "company": self.company,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True, slots=True)
class BandRate:
    """How the leads of one tier band ended: how many have an outcome, how many were won."""

    band: str
    leads: int
    won: int

    @property
    def rate(self) -> float | None:
        """The conversion rate, None when no lead of the band has an outcome yet."""
        return self.won / self.leads if self.leads else None

    def to_json(self) -> dict[str, Any]:
        return {"band": self.band, "leads": self.leads, "won": self.won, "rate": self.rate}


@dataclass(frozen=True, slots=True)
class Backtest:
    """How well each model's scores separate the leads already won from those already lost."""

    won: int
    lost: int
    auc_active: float | None
    auc_draft: float | None
    bands_active: tuple[BandRate, ...]
    bands_draft: tuple[BandRate, ...]

    @property
    def usable(self) -> bool:
        """Both outcomes are present; without them there is nothing to rank against."""
        return self.won > 0 and self.lost > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "won": self.won,
            "lost": self.lost,
            "usable": self.usable,
            "auc_active": self.auc_active,
            "auc_draft": self.auc_draft,
            "bands_active": [b.to_json() for b in self.bands_active],
            "bands_draft": [b.to_json() for b in self.bands_draft],
        }


@dataclass(frozen=True, slots=True)
class DraftPreview:
    """The effect of activating a draft, compared with the scores the leads have now."""

    leads: int
    changed: int
    threshold_active: float
    threshold_draft: float
    sales_ready_active: int
    sales_ready_draft: int
    entering_count: int
    leaving_count: int
    entering: tuple[LeadMove, ...]
    leaving: tuple[LeadMove, ...]
    bin_edges: tuple[float, ...]
    active_counts: tuple[int, ...]
    draft_counts: tuple[int, ...]
    backtest: Backtest

    def summary(self) -> str:
        """One sentence for the activation question ("1,204 leads will change score; …")."""
        if self.changed:
            changes = f"{_leads(self.changed)} will change score"
        else:
            changes = "No lead changes score"
        moves = []
        if self.entering_count:
            verb = "becomes" if self.entering_count == 1 else "become"
            moves.append(f"{self.entering_count:,} {verb} sales-ready")
        if self.leaving_count:
            verb = "stops" if self.leaving_count == 1 else "stop"
            moves.append(f"{self.leaving_count:,} {verb} being sales-ready")
        if moves:
            return f"{changes}; {' and '.join(moves)}."
        if self.changed:
            return f"{changes}; the sales-ready leads stay the same."
        return f"{changes}."

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "leads": self.leads,
            "changed": self.changed,
            "threshold_active": self.threshold_active,
            "threshold_draft": self.threshold_draft,
            "sales_ready_active": self.sales_ready_active,
            "sales_ready_draft": self.sales_ready_draft,
            "entering_count": self.entering_count,
            "leaving_count": self.leaving_count,
            "entering": [m.to_json() for m in self.entering],
            "leaving": [m.to_json() for m in self.leaving],
            "histogram": {
                "bin_edges": list(self.bin_edges),
                "active": list(self.active_counts),
                "draft": list(self.draft_counts),
            },
            "backtest": self.backtest.to_json(),
        }


def _leads(count: int) -> str:
    return f"{count:,} lead" if count == 1 else f"{count:,} leads"


def preview_draft(
    conn: Connection, draft: ScoringModel, *, now: datetime | None = None
) -> DraftPreview:
    """Score every lead with ``draft`` (without writing) and compare with the stored scores.

    A lead never scored counts as a stored score of 0. Raises InvalidInputError if
    the draft does not validate against this database's fields.
    """
    registry = load_registry(conn)
    check(draft, registry)
    sql.ensure_math_functions(conn)
    active = store.active_model(conn)[1]
    with cyclic_gc_paused():  # 100,000 rows, no cycles: about a sixth faster
        ids, before, after, results = _score_columns(
            conn, sql.Compiler(draft, registry, conn.dialect.name, common.scoring_moment(now))
        )
        t_active, t_draft = float(active.threshold), float(draft.threshold)
        entering = [
            (i, b, a)
            for i, b, a in zip(ids, before, after, strict=True)
            if a >= t_draft and b < t_active
        ]
        leaving = [
            (i, b, a)
            for i, b, a in zip(ids, before, after, strict=True)
            if b >= t_active and a < t_draft
        ]
        decided = [
            (b, a, r) for b, a, r in zip(before, after, results, strict=True) if r is not None
        ]
        active_at: Counter[float] = Counter(before)
        draft_at: Counter[float] = Counter(after)
        changed = sum(map(operator.ne, before, after))
        ready_active = sum(map(t_active.__le__, before))
        ready_draft = sum(map(t_draft.__le__, after))
    top_entering = heapq.nsmallest(MOVES_SHOWN, entering, key=lambda m: (-m[2], m[0]))
    top_leaving = heapq.nsmallest(MOVES_SHOWN, leaving, key=lambda m: (-m[1], m[0]))
    names = _names(conn, [m[0] for m in (*top_entering, *top_leaving)])
    every_score = active_at.keys() | draft_at.keys()
    edges = bin_edges(min(every_score, default=0.0), max(every_score, default=0.0))
    outcomes_active = _outcomes_at((b, r) for b, _, r in decided)
    outcomes_draft = _outcomes_at((a, r) for _, a, r in decided)
    won = sum(1 for *_, r in decided if r == _WON)
    return DraftPreview(
        leads=len(ids),
        changed=changed,
        threshold_active=t_active,
        threshold_draft=t_draft,
        sales_ready_active=ready_active,
        sales_ready_draft=ready_draft,
        entering_count=len(entering),
        leaving_count=len(leaving),
        entering=tuple(LeadMove(i, *names[i], b, a) for i, b, a in top_entering),
        leaving=tuple(LeadMove(i, *names[i], b, a) for i, b, a in top_leaving),
        bin_edges=edges,
        active_counts=_histogram(active_at, edges),
        draft_counts=_histogram(draft_at, edges),
        backtest=Backtest(
            won=won,
            lost=len(decided) - won,
            auc_active=_auc(outcomes_active),
            auc_draft=_auc(outcomes_draft),
            bands_active=_band_rates(outcomes_active, active),
            bands_draft=_band_rates(outcomes_draft, draft),
        ),
    )


def _score_columns(conn: Connection, compiler: sql.Compiler) -> tuple[tuple[Any, ...], ...]:
    """(ids, stored scores, draft scores, outcomes) of every lead, from one query.

    The draft's scores are the costly part (most of the time allowed), so they are computed
    once, and only small values come back. Column by column, the counting that follows runs
    mostly in C (``Counter``, ``map``, ``sum``).
    """
    scores = compiler.scores(sa.true(), sa.true())
    outcome = sa.case(
        (leads.c.status == "won", sa.literal(_WON)),
        (leads.c.status == "lost", sa.literal(_LOST)),
        else_=sa.null(),
    )
    query = sa.select(
        leads.c.id, sa.func.coalesce(leads.c.score, 0.0), scores.c.total, outcome
    ).select_from(leads.join(scores, scores.c.id == leads.c.id))
    rows = conn.execute(query).all()
    return tuple(zip(*rows, strict=True)) or ((), (), (), ())


def preview_job(
    db: Database, draft: ScoringModel, now: datetime | None = None
) -> Job[DraftPreview]:
    """``preview_draft`` as a job for the GUI worker, in its own read transaction."""
    with db.read() as conn:
        yield Progress(0, 1, "Previewing the draft…")
        return preview_draft(conn, draft, now=now)


def bin_edges(low: float, high: float) -> tuple[float, ...]:
    """Edges every ten points, from 0 to 100 at least, widened to take every score."""
    start = min(0, math.floor(low / BIN_WIDTH) * BIN_WIDTH)
    stop = max(100, math.ceil(high / BIN_WIDTH) * BIN_WIDTH)
    return tuple(float(edge) for edge in range(start, stop + 1, BIN_WIDTH))


def _histogram(counts: Counter[float], edges: tuple[float, ...]) -> tuple[int, ...]:
    """Leads per bin from leads per score; a bin holds its lower edge, the last one both."""
    bins = len(edges) - 1
    start = edges[0]
    per_bin = [0] * bins
    for value, count in counts.items():
        per_bin[min(int((value - start) // BIN_WIDTH), bins - 1)] += count
    return tuple(per_bin)


def _names(conn: Connection, ids: list[int]) -> dict[int, tuple[str, str]]:
    """(name, company) of the few leads listed, read after the one pass over every lead."""
    found = {lead_id: (f"Lead {lead_id}", "") for lead_id in ids}  # if deleted meanwhile
    if not ids:
        return found
    rows = conn.execute(
        sa.select(
            leads.c.id, leads.c.first_name, leads.c.last_name, leads.c.email, leads.c.company
        ).where(leads.c.id.in_(ids))
    ).all()
    for row in rows:
        name = " ".join(p for p in (row.first_name, row.last_name) if p)
        found[row.id] = (name or row.email or f"Lead {row.id}", row.company or "")
    return found


def _outcomes_at(scored: Iterable[tuple[float, int]]) -> Outcomes:
    """Per score, how many leads with that score were won and how many lost."""
    at: Outcomes = {}
    for (score, result), count in Counter(scored).items():
        won, lost = at.get(score, (0, 0))
        at[score] = (won + count, lost) if result == _WON else (won, lost + count)
    return at


def auc(scored: Iterable[tuple[float, bool]]) -> float | None:
    """ROC AUC of (score, won) pairs: the chance that a won lead outscores a lost one.

    None when no lead is won or none is lost.
    """
    return _auc(_outcomes_at((score, _WON if won else _LOST) for score, won in scored))


def _auc(outcomes: Outcomes) -> float | None:
    """Exact Mann-Whitney AUC from won and lost counts per score.

    Scores are rounded to 0.1, so ties are common; a tie counts one half.
    """
    won = sum(w for w, _ in outcomes.values())
    lost = sum(lost for _, lost in outcomes.values())
    if not won or not lost:
        return None
    wins = 0.0
    lost_below = 0
    for score in sorted(outcomes):
        won_here, lost_here = outcomes[score]
        wins += won_here * (lost_below + lost_here / 2)
        lost_below += lost_here
    return wins / (won * lost)


def _band_rates(outcomes: Outcomes, model: ScoringModel) -> tuple[BandRate, ...]:
    """Leads with an outcome, and won ones, per tier: always Hot, Warm and Cold, in order.

    A band the model does not define is listed with no leads, so the active and draft rows
    line up.
    """
    decided: Counter[str] = Counter()
    won: Counter[str] = Counter()
    for score, (won_here, lost_here) in outcomes.items():
        tier = model.tier_for(score)
        decided[tier] += won_here + lost_here
        won[tier] += won_here
    return tuple(BandRate(tier, decided[tier], won[tier]) for tier in TIERS)
