"""Issue 6 at scale: the Dashboard page's numbers on 1,000,000 leads and 3,000,000 activities.

Copies the cached benchmark database, rescores it with the 25-rule benchmark model (see
``bench_scoring.build``) and records ten imports, then times each dashboard query and the
whole page's load (target: under a second), best of three on a warm cache. Migration 0005
adds the indexes these counts read (without them the whole load took 2.1 s).
Prints one JSON list of rows.

Usage: ``python benchmarks/bench_dashboard.py [--leads N]``
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench_scoring import build
from common import NOW, best_of, emit, result
from sqlalchemy.engine import Connection

from leaddesk.core import dashboard, progress
from leaddesk.core.db import Database
from leaddesk.core.leads import lead_count
from leaddesk.core.schema import ImportBatch
from leaddesk.core.scoring import sql, store

ZONE = ZoneInfo("Europe/Berlin")


def record_imports(db: Database, count: int = 10) -> None:
    """Import batches for the history chart (their numbers only: no rows behind them)."""
    table = ImportBatch.__table__  # type: ignore[attr-defined]
    with db.write() as conn:
        conn.execute(
            table.insert(),
            [
                {
                    "file_name": f"leads-{i + 1:02d}.xlsx",
                    "file_hash": f"{i:064d}",
                    "mapping": {},
                    "report": {},
                    "rows_read": 100_000,
                    "created": 90_000 - 5_000 * i,
                    "updated": 10_000 + 5_000 * i,
                    "imported_at": NOW - timedelta(days=3 * (count - i)),
                }
                for i in range(count)
            ],
        )


def query_times(conn: Connection) -> dict[str, float]:
    """Seconds (best of three) of each dashboard query and of the whole load."""
    sql.ensure_math_functions(conn)
    threshold = store.active_model(conn)[1].threshold
    total = lead_count(conn)
    scores = dashboard.score_chart(conn, threshold, total)
    days = dashboard.day_starts(NOW.astimezone(ZONE).date(), dashboard.DAYS, ZONE)
    calls = dashboard.calls_per_day(conn, days, ZONE)
    statuses = dashboard.pipeline(conn)
    parts: dict[str, Callable[[], Any]] = {
        "lead_count": lambda: lead_count(conn),
        "score_histogram": lambda: dashboard.score_chart(conn, threshold, total),
        "conversion_by_band": lambda: dashboard.conversion(conn, scores.edges),
        "tiers_by_grade": lambda: dashboard.tiers_by_grade(conn),
        "pipeline_by_status": lambda: dashboard.pipeline(conn),
        "calls_per_day_30": lambda: dashboard.calls_per_day(conn, days, ZONE),
        "import_history": lambda: dashboard.import_history(conn, ZONE),
        "headline_tiles": lambda: dashboard.headline(conn, scores, calls, statuses, days),
        "whole_dashboard": lambda: dashboard.load_dashboard(conn, ZONE, NOW),
    }
    return {name: best_of(3, action) for name, action in parts.items()}


def rows_for(times: dict[str, float], size: str) -> list[dict[str, Any]]:
    rows = []
    for name, seconds in times.items():
        whole = name == "whole_dashboard"
        target = "< 1000" if whole else "-"
        rows.append(
            result(
                f"dashboard_{name}",
                seconds * 1000,
                "ms",
                target,
                seconds < 1 if whole else True,
                **({"size": size} if whole else {}),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    n = parser.parse_args().leads
    size = f"{n:,} leads, {3 * n:,} activities"
    with tempfile.TemporaryDirectory() as folder:
        db = build(Path(folder), n)
        with db.write() as conn:
            progress.run(sql.rescore_with_active_steps(conn, now=NOW))
        record_imports(db)
        with db.read() as conn:
            times = query_times(conn)
        db.close()
    emit(rows_for(times, size))


if __name__ == "__main__":
    main()
