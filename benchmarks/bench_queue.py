"""Issue 5: build today's queue (top 200 with reasons) from 1,000,000 leads in under 100 ms,
and log an outcome then show the next lead in under 50 ms."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from common import NOW, bench_database, best_of, emit, result

from leaddesk.core.activities import Outcome, log_outcome
from leaddesk.core.db import Database
from leaddesk.core.progress import run
from leaddesk.core.queue import build_queue
from leaddesk.core.scoring.sql import rescore_job

LEADS = 1_000_000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "queue.db"
        shutil.copy(bench_database(LEADS), path)
        db = Database.open(path)
        run(rescore_job(db, now=NOW))

        def top_200() -> list[object]:
            with db.read() as conn:
                return list(build_queue(conn, now=NOW, limit=200))

        top_200()  # warm the page cache, as a running app has it
        queue_s = best_of(5, top_200)

        def log_and_next() -> None:
            with db.read() as conn:
                entry = build_queue(conn, now=NOW, limit=1)[0]
            log_outcome(db, entry.lead_id, Outcome.NO_ANSWER, at=NOW)
            with db.read() as conn:
                build_queue(conn, now=NOW, limit=1)

        log_s = best_of(5, log_and_next)
        db.close()
    emit(
        [
            result("queue_top200_1M_leads", queue_s * 1000, "ms", "< 100", queue_s < 0.1),
            result("log_outcome_and_next_lead", log_s * 1000, "ms", "< 50", log_s < 0.05),
        ]
    )


if __name__ == "__main__":
    main()
