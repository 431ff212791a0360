"""Shared pieces of the benchmark scripts: results in one shape, cached large databases."""

from __future__ import annotations

import json
import random
import resource
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
sys.path.insert(0, str(ROOT.parent))

from leaddesk.core.db import SCHEMA_HEAD, Database  # noqa: E402
from leaddesk.core.sample import generate_leads  # noqa: E402
from leaddesk.core.schema import Activity, leads  # noqa: E402

# A fixed "now" so cached databases and their scores stay comparable between runs.
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
ACTIVITY_KINDS = ("email_open", "email_click", "page_view", "form_submission", "call")


def result(
    benchmark: str, value: float, unit: str, target: str, meets: bool, **extra: Any
) -> dict[str, Any]:
    """One row of the table ``run.py`` prints."""
    return {
        "benchmark": benchmark,
        "value": round(value, 4),
        "unit": unit,
        "target": target,
        "meets": meets,
        **extra,
    }


def emit(rows: list[dict[str, Any]]) -> None:
    print(json.dumps(rows, indent=2))


def peak_memory_mb() -> float:
    """Peak resident memory of this process, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def best_of(repeats: int, action: Callable[[], Any]) -> float:
    """The fastest of ``repeats`` runs, in seconds: the least disturbed by the machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_database(n_leads: int, activities_per_lead: int = 3) -> Path:
    """A SQLite database of ``n_leads`` sample leads and activities, built once and cached."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"leads-{n_leads}-{activities_per_lead}-{SCHEMA_HEAD}.db"
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    for stale in OUT.glob(partial.name + "*"):
        stale.unlink()
    older = sorted(OUT.glob(f"leads-{n_leads}-{activities_per_lead}-*.db"))
    if older:  # the same data under an older schema: migrating it is much faster
        shutil.copy(older[-1], partial)
        Database.open(partial).close()
        partial.rename(path)
        return path
    db = Database.open(partial)
    rng = random.Random(11)
    chunk: list[dict[str, Any]] = []
    next_id = 1
    with db.write() as conn:
        for lead in generate_leads(n_leads, seed=5, now=NOW):
            lead.pop("_activities")
            lead["id"] = next_id
            next_id += 1
            chunk.append(lead)
            if len(chunk) == 20_000:
                conn.execute(leads.insert(), chunk)
                chunk = []
        if chunk:
            conn.execute(leads.insert(), chunk)
        table = Activity.__table__  # type: ignore[attr-defined]
        batch: list[dict[str, Any]] = []
        for lead_id in range(1, n_leads + 1):
            for _ in range(activities_per_lead):
                kind = rng.choice(ACTIVITY_KINDS)
                outcome = rng.choice(("connected", "no-answer")) if kind == "call" else None
                batch.append(
                    {
                        "lead_id": lead_id,
                        "kind": kind,
                        "outcome": outcome,
                        "at": NOW - timedelta(days=rng.uniform(0, 120)),
                    }
                )
            if len(batch) >= 60_000:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)
    db.close()
    partial.rename(path)
    return path
