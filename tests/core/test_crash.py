"""Killing LeadDesk at any moment loses nothing it committed and leaves nothing half-done.

A writer process imports small files and logs calls in a loop through the real core,
printing one line after each commit returns; the test kills it with SIGKILL at a random
moment, then checks the database as the next start would find it. Python's start-up (half
a second of imports) would dwarf the work, so one worker process imports LeadDesk once and
forks a fresh writer for each kill; the writer opens the database itself, as an app would.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from leaddesk.core.db import Database
from leaddesk.core.importing.pipeline import import_file
from leaddesk.core.progress import run
from leaddesk.core.schema import Activity, ImportBatch, ImportChange, leads

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL (POSIX)"),
]

KILLS = 250
MAX_DELAY = 0.3  # a writer is killed 0-0.3 s after it starts: still opening, or many commits on
SEED = 8

WORKER = r'''
"""Imports LeadDesk once, then forks a writer for each run number read on stdin."""
import csv
import itertools
import os
import random
import sys
import traceback
from pathlib import Path

import sqlalchemy as sa

from leaddesk.core.activities import Outcome, log_outcome
from leaddesk.core.db import Database
from leaddesk.core.importing.pipeline import import_file
from leaddesk.core.progress import run
from leaddesk.core.schema import leads

DATABASE, FOLDER = Path(sys.argv[1]), Path(sys.argv[2])


def write_csv(path, tag, count):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First name", "Last name", "Email", "Company"])
        for k in range(count):
            writer.writerow([f"Ada {tag}", f"Lovelace {k}", f"ada-{tag}-{k}@example.com", "Acme"])


def write(run_id):
    rng = random.Random(run_id)
    db = Database.open(DATABASE)
    with db.read() as conn:
        ids = list(conn.execute(sa.select(leads.c.id)).scalars())
    worker = os.getppid()
    for step in itertools.count():
        if os.getppid() != worker:
            return  # the test stopped before it could kill this writer
        if rng.random() < 0.4:
            name = f"run{run_id:04d}-{step:03d}.csv"
            write_csv(FOLDER / name, f"{run_id}-{step}", rng.randint(1, 8))
            report = run(import_file(db, FOLDER / name))
            ids += report.lead_ids
            print(f"import {report.batch_id} {name} {report.created}", flush=True)
        else:
            lead_id = rng.choice(ids)
            call = log_outcome(db, lead_id, rng.choice(list(Outcome)), note=f"run {run_id}")
            print(f"call {lead_id} {call.activity_id}", flush=True)


def warm_up():
    """Pay the first-use costs (lazy imports) once, so each writer starts like a running app."""
    db = Database.open(FOLDER / "warm-up.db")
    write_csv(FOLDER / "warm-up.csv", "warm-up", 3)
    lead_id = run(import_file(db, FOLDER / "warm-up.csv")).lead_ids[0]
    log_outcome(db, lead_id, Outcome.VOICEMAIL)
    db.close()  # no connection may cross the fork


warm_up()
print("ready", flush=True)
for line in sys.stdin:
    run_id = int(line)
    pid = os.fork()
    if pid == 0:
        for fd, suffix in ((1, "out"), (2, "err")):
            target = os.open(FOLDER / f"run{run_id:04d}.{suffix}", os.O_WRONLY)
            os.dup2(target, fd)
        try:
            write(run_id)
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
        os._exit(1)
    print(pid, flush=True)
    print(os.waitpid(pid, 0)[1], flush=True)
'''


@dataclass
class Reported:
    """The commits writers reported, all runs so far: batch id -> (file, leads created),
    and activity id -> lead id."""

    imports: dict[int, tuple[str, int]] = field(default_factory=dict)
    calls: dict[int, int] = field(default_factory=dict)

    def add(self, log: str) -> None:
        """Take a writer's lines; a last line without its newline was cut by the kill."""
        for line in log.splitlines(keepends=True):
            if not line.endswith("\n"):
                break
            kind, *values = line.split()
            if kind == "import":
                self.imports[int(values[0])] = (values[1], int(values[2]))
            else:
                self.calls[int(values[1])] = int(values[0])


def write_first_leads(folder: Path, db_path: Path) -> None:
    """Leads for the first writer to call."""
    path = folder / "first.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First name", "Email"])
        writer.writerows([f"Grace {k}", f"grace-{k}@example.com"] for k in range(20))
    db = Database.open(db_path)
    try:
        run(import_file(db, path))
    finally:
        db.close()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, Path]]:
    """The forking worker, its database and its folder, stopped at the end."""
    folder = tmp_path / "files"
    folder.mkdir()
    db_path = tmp_path / "crash.db"
    write_first_leads(folder, db_path)
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    with (tmp_path / "worker.err").open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, str(script), str(db_path), str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n", (tmp_path / "worker.err").read_text()
        yield process, db_path, folder
    finally:
        process.kill()
        process.wait()
        if process.stdin is not None:
            process.stdin.close()
        if process.stdout is not None:
            process.stdout.close()


def kill_one_writer(
    process: subprocess.Popen[str], run_id: int, delay: float, folder: Path
) -> None:
    """Start writer ``run_id``, SIGKILL it after ``delay`` seconds, and wait until it is
    gone; a writer that died any other way fails the test with its traceback."""
    stdin, stdout = process.stdin, process.stdout
    assert stdin is not None
    assert stdout is not None
    for suffix in ("out", "err"):  # there even when the kill comes before the writer runs
        (folder / f"run{run_id:04d}.{suffix}").touch()
    stdin.write(f"{run_id}\n")
    stdin.flush()
    pid = int(stdout.readline())
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    status = int(stdout.readline())
    errors = (folder / f"run{run_id:04d}.err").read_text(encoding="utf-8")
    assert os.WIFSIGNALED(status), f"writer {run_id} stopped by itself:\n{errors}"
    assert os.WTERMSIG(status) == signal.SIGKILL, errors


def check_database(db_path: Path, folder: Path, reported: Reported) -> None:
    """What the next start finds: a whole file, every reported commit, no half-done work."""
    db = Database.open(db_path)  # also runs the quick_check an unclean end calls for
    try:
        with db.read() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]
            check_imports(conn, folder, reported)
            check_calls(conn, reported)
    finally:
        db.close()


def check_imports(conn: sa.Connection, folder: Path, reported: Reported) -> None:
    """Every reported import is there whole; every batch there holds exactly its file's rows
    as new leads, each with its undo record."""
    batches = ImportBatch.__table__  # type: ignore[attr-defined]
    changes = ImportChange.__table__  # type: ignore[attr-defined]
    made = sa.select(sa.func.count()).where(leads.c.import_batch_id == batches.c.id)
    undo = sa.select(sa.func.count()).where(
        changes.c.batch_id == batches.c.id, changes.c.action == "created"
    )
    found = {
        row.id: row
        for row in conn.execute(
            sa.select(
                batches.c.id,
                batches.c.file_name,
                batches.c.rows_read,
                batches.c.created,
                made.scalar_subquery().label("leads"),
                undo.scalar_subquery().label("undo"),
            )
        )
    }
    for batch_id, (name, created) in reported.imports.items():
        assert batch_id in found, f"reported import {batch_id} ({name}) is lost"
        assert (found[batch_id].file_name, found[batch_id].created) == (name, created)
    for row in found.values():
        rows = file_rows(folder / row.file_name)
        assert row.rows_read == row.created == row.leads == row.undo == rows, row


def file_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def check_calls(conn: sa.Connection, reported: Reported) -> None:
    """Every reported call is there; each lead was changed once per call it has (its
    version) and was last contacted at its latest call: no call without its lead update."""
    activities = Activity.__table__  # type: ignore[attr-defined]
    calls: dict[int, int] = dict(
        conn.execute(
            sa.select(activities.c.id, activities.c.lead_id).where(activities.c.kind == "call")
        ).all()
    )
    lost = {a: lead for a, lead in reported.calls.items() if calls.get(a) != lead}
    assert not lost, f"reported calls lost (activity: lead): {lost}"
    per_lead = (
        sa.select(
            activities.c.lead_id,
            sa.func.count().label("calls"),
            sa.func.max(activities.c.at).label("last"),
        )
        .where(activities.c.kind == "call")
        .group_by(activities.c.lead_id)
        .subquery()
    )
    broken = conn.execute(
        sa.select(leads.c.id, leads.c.version, per_lead.c.calls)
        .select_from(leads.outerjoin(per_lead, per_lead.c.lead_id == leads.c.id))
        .where(
            sa.or_(
                leads.c.version != 1 + sa.func.coalesce(per_lead.c.calls, 0),
                leads.c.last_contacted_at.is_distinct_from(per_lead.c.last),
            )
        )
    ).all()
    assert not broken, f"leads whose calls and values disagree: {broken[:5]}"


def test_killed_writers_lose_nothing_committed(
    worker: tuple[subprocess.Popen[str], Path, Path],
    record_property: Callable[[str, object], None],
) -> None:
    process, db_path, folder = worker
    rng = random.Random(SEED)
    reported = Reported()
    started = time.perf_counter()
    for run_id in range(KILLS):
        kill_one_writer(process, run_id, rng.uniform(0, MAX_DELAY), folder)
        reported.add((folder / f"run{run_id:04d}.out").read_text(encoding="utf-8"))
        check_database(db_path, folder, reported)
    seconds = time.perf_counter() - started
    summary = (
        f"{KILLS} kills survived with nothing lost: {len(reported.imports)} imports and "
        f"{len(reported.calls)} calls reported and found, in {seconds:.0f} s"
    )
    record_property("kills_survived", KILLS)
    sys.stdout.write(summary + "\n")
    assert reported.imports, summary
    assert reported.calls, summary
