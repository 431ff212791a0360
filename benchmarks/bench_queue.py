"""Issue 5 at scale: today's call queue on 1,000,000 leads and 3,000,000 activities.

Copies the cached benchmark database and rescores it with the 25-rule benchmark model (see
``bench_scoring.build``), then times what the Queue page does: building the top-200 queue with
its reasons (with and without calling hours at the lead), logging an outcome and showing the
next lead (its explanation, recent activity and local time), claiming a lead in team mode,
"Why isn't … here?", the day's progress, and (issue 7) the top 200 without callbacks by rule
score, by probability and by the blend. Prints one JSON list of rows.

Usage: ``python benchmarks/bench_queue.py [--leads N]``
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import time
from pathlib import Path

import sqlalchemy as sa
from bench_scoring import build
from common import NOW, best_of, emit, result

from leaddesk.core import progress
from leaddesk.core.activities import Outcome, log_outcome, recent_activities
from leaddesk.core.claims import claim_next
from leaddesk.core.db import Database
from leaddesk.core.queue import (
    build_queue,
    day_progress,
    latest_engagement,
    time_at_lead,
    why_not_here,
)
from leaddesk.core.queue_settings import QueueSettings
from leaddesk.core.schema import leads
from leaddesk.core.scoring import sql
from leaddesk.core.scoring.explain import explain_lead

SETTINGS = QueueSettings(timezone="Europe/Berlin")
HOURS = QueueSettings(timezone="Europe/Berlin", calling_hours=(time(9), time(18)))


def time_orders(db: Database) -> dict[str, float]:
    """The top 200 when no callback fills it, by each queue order (ms, best of five).

    Every callback is cleared and nine leads in ten get a probability that follows the score
    loosely (half the score plus a spread of 50 points), as a model's would.
    """
    with db.write() as conn:
        conn.execute(sa.update(leads).values(next_follow_up_at=None))
        spread = (leads.c.id * 7919) % 500 / 10.0
        probability = sa.func.min(100.0, sa.func.coalesce(leads.c.score, 0) * 0.5 + spread)
        conn.execute(
            sa.update(leads).values(
                probability=sa.case((leads.c.id % 10 == 0, None), else_=probability)
            )
        )
    times = {}
    with db.read() as conn:
        for order in ("score", "probability", "blend"):
            settings = replace(SETTINGS, order=order, blend=50)
            times[order] = best_of(5, lambda s=settings: build_queue(conn, now=NOW, settings=s))
    return {order: seconds * 1000 for order, seconds in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    n = parser.parse_args().leads
    with tempfile.TemporaryDirectory() as folder:
        db = build(Path(folder), n)
        with db.write() as conn:
            progress.run(sql.rescore_with_active_steps(conn, now=NOW))
        with db.read() as conn:
            queue = build_queue(conn, now=NOW, settings=SETTINGS)
            queue_s = best_of(5, lambda: build_queue(conn, now=NOW, settings=SETTINGS))
            hours_s = best_of(5, lambda: build_queue(conn, now=NOW, settings=HOURS))
            buckets = Counter(e.bucket for e in queue)
            # The sample data has many callbacks due, which fill the top 200; the reasons of
            # called leads (their latest engagement) are timed on 200 leads spread over the table.
            spread = list(range(1, n + 1, max(n // 200, 1)))[:200]
            deeds_s = best_of(5, lambda: latest_engagement(conn, spread))
            queued = {e.lead_id: e.rank for e in queue}
            why_s = best_of(5, lambda: why_not_here(conn, "smith", queued, now=NOW))
            day_s = best_of(5, lambda: day_progress(conn, now=NOW, settings=SETTINGS))
        entries = iter(queue)

        def log_and_show_next() -> None:
            """As the Queue page does: log, drop the row, show the next lead's card."""
            logged, following = next(entries), next(entries)
            log_outcome(db, logged.lead_id, Outcome.NO_ANSWER, at=NOW, settings=SETTINGS)
            with db.read() as conn:
                explain_lead(conn, following.lead_id)
                recent_activities(conn, following.lead_id)
            time_at_lead(following.lead, SETTINGS, NOW)

        log_s = best_of(5, log_and_show_next)
        ids = [e.lead_id for e in queue[20:]]
        claim_s = best_of(5, lambda: claim_next(db, ids, "ann", settings=SETTINGS, now=NOW))
        orders_ms = time_orders(db)
        db.close()
    size = f"{n:,} leads, {3 * n:,} activities"
    emit([
        result("queue_top200_with_reasons", queue_s * 1000, "ms", "< 100", queue_s < 0.1,
               size=size, buckets=dict(buckets)),
        result("latest_engagement_of_200_leads", deeds_s * 1000, "ms", "-", True),
        result("queue_top200_calling_hours_at_the_lead", hours_s * 1000, "ms", "< 100",
               hours_s < 0.1),
        result("log_outcome_and_show_next_lead", log_s * 1000, "ms", "< 50", log_s < 0.05),
        result("claim_next_lead_team_mode", claim_s * 1000, "ms", "-", True),
        result("why_isnt_it_here", why_s * 1000, "ms", "-", True),
        result("day_progress", day_s * 1000, "ms", "-", True),
        *(result(f"queue_top200_by_{order}_no_callbacks", ms, "ms", "< 100", ms < 100)
          for order, ms in orders_ms.items()),
    ])  # fmt: skip


if __name__ == "__main__":
    main()
