"""Issue 4 at scale: rescoring and explaining on a large database (the queue: bench_queue).

Copies the cached benchmark database (``--leads`` sample leads, default 1,000,000, and three
activities per lead; see ``common.bench_database``), then times, with a 25-rule model:
a first rescore (every score changes), a rescore where nothing changes (it finds the scores
current and writes nothing), the same forced to recompute every lead (``full``), the
Python executor on a sample (extrapolated to every lead, for the "3x faster" comparison),
and explaining one lead.
Prints one JSON list of rows like the other benchmark scripts.

Usage: ``python benchmarks/bench_scoring.py [--leads N] [--python-sample N]``
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from common import NOW, bench_database, best_of, emit, result

from leaddesk.core import progress
from leaddesk.core.db import Database
from leaddesk.core.leads import load_registry
from leaddesk.core.schema import Activity, leads
from leaddesk.core.scoring import sql, store
from leaddesk.core.scoring.explain import evaluate, explain_lead
from leaddesk.core.scoring.model import Rule, ScoringModel, default_model
from leaddesk.core.scoring.preview import preview_draft


def bench_model() -> ScoringModel:
    """The default model plus four rules: 25 in all."""
    model = default_model()
    model.name = "Benchmark model (25 rules)"
    model.fit_rules += [
        Rule("industry", "one_of", ["software", "finance"], 5),
        Rule("annual_revenue", "between", [1e6, 5e7], 10),
        Rule("city", "is_not_empty", None, 1),
    ]
    model.engagement_rules.append(Rule("email_clicks", "greater_than", 3, 4))
    return model


def build(folder: Path, n: int) -> Database:
    """A private copy of the cached benchmark database, with the 25-rule model active."""
    folder.mkdir(exist_ok=True)
    path = folder / "bench.db"
    shutil.copy(bench_database(n), path)
    db = Database.open(path)
    with db.write() as conn:
        store.save_model(conn, bench_model(), state="active")
    return db


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def python_executor(db: Database, sample: int) -> float:
    """Seconds for the Python executor to score ``sample`` leads (reads included)."""
    activities = Activity.__table__  # type: ignore[attr-defined]
    with db.read() as conn:
        _model_id, model = store.active_model(conn)
        registry = load_registry(conn)
        start = time.perf_counter()
        rows = conn.execute(sa.select(leads).where(leads.c.id <= sample)).mappings().all()
        by_lead: dict[int, list[dict[str, Any]]] = {}
        columns = [activities.c[name] for name in ("id", "lead_id", "kind", "outcome", "at")]
        query = sa.select(*columns).where(activities.c.lead_id <= sample)
        for act in conn.execute(query).mappings():
            by_lead.setdefault(act["lead_id"], []).append(dict(act))
        for lead in rows:
            evaluate(model, lead, by_lead.get(lead["id"], []), registry, NOW)
        return time.perf_counter() - start


def preview_seconds(folder: Path, n: int) -> float:
    """The editor's live preview of a changed draft on ``n`` leads (best of three)."""
    db = build(folder / "preview", n)
    draft = bench_model()
    draft.fit_rules[0].points += 5
    draft.threshold -= 10
    with db.read() as conn:
        seconds = best_of(3, lambda: preview_draft(conn, draft, now=NOW))
    db.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--python-sample", type=int, default=50_000)
    parser.add_argument("--preview-leads", type=int, default=100_000)
    args = parser.parse_args()
    n = args.leads
    with tempfile.TemporaryDirectory() as folder:
        build_s, db = timed(lambda: build(Path(folder), n))

        def rescore(full: bool = False) -> sql.RescoreResult:
            with db.write() as conn:
                return progress.run(sql.rescore_with_active_steps(conn, now=NOW, full=full))

        first_s, first = timed(rescore)
        again_s, again = timed(rescore)
        full_s, full = timed(lambda: rescore(full=True))
        sample = min(args.python_sample, n)
        python_s = python_executor(db, sample) * n / sample
        with db.read() as conn:
            explain_s = best_of(20, lambda: explain_lead(conn, n // 2, now=NOW))
        db.close()
        preview_s = preview_seconds(Path(folder), args.preview_leads)
    leads_m = f"{n:,} leads, {3 * n:,} activities, 25 rules"
    emit([
        result("bench_data_copy", build_s, "s", "-", True, size=leads_m),
        result("rescore_all_changed", first_s, "s", "<= 5", first_s <= 5, changed=first.changed),
        result("rescore_nothing_changed", again_s, "s", "< 1.5", again_s < 1.5,
               changed=again.changed, up_to_date=again.up_to_date),
        result("rescore_full_recompute_nothing_changed", full_s, "s", "-", True,
               changed=full.changed),
        result("python_executor_all_leads", python_s, "s", ">= 3x rescore", python_s >= 3 * first_s,
            extrapolated_from=sample, ratio=round(python_s / first_s, 2)),
        result("explain_one_lead", explain_s * 1000, "ms", "< 10", explain_s < 0.01),
        result("draft_preview", preview_s, "s", "< 1", preview_s < 1,
               size=f"{args.preview_leads:,} leads"),
    ])  # fmt: skip


if __name__ == "__main__":
    main()
