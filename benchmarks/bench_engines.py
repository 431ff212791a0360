"""Issue 8: the same import and rescoring on SQLite and on PostgreSQL, side by side.

Imports the generated workbook of ``bench_import`` (N rows x 20 columns) into a fresh
SQLite file and into a fresh database on a throwaway local PostgreSQL server (the one the
tests use: ``tests/postgres_server.py``), then rescores every lead of each with the
25-rule benchmark model. Prints one JSON list of rows.

Usage: ``python benchmarks/bench_engines.py [--leads N …]`` (default 100,000).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from bench_import import write_workbook
from bench_scoring import bench_model
from common import ROOT, emit, result, timer

from leaddesk.core.db import Database
from leaddesk.core.importing.pipeline import import_file
from leaddesk.core.progress import run
from leaddesk.core.scoring import sql, store

sys.path.insert(0, str(ROOT.parent / "tests"))
from postgres_server import postgres_server_programs, throwaway_server


def timed(action: Callable[[], Any]) -> float:
    with timer() as elapsed:
        action()
    return elapsed()


def engine_rows(engine: str, db: Database, book: Path, n: int) -> list[dict[str, Any]]:
    imported = timed(lambda: run(import_file(db, book)))
    with db.write() as conn:
        store.save_model(conn, bench_model(), state="active")
    rescored = timed(lambda: run(sql.rescore_job(db, full=True)))
    size = f"{n:,} leads"
    return [
        result(f"import {size}, {engine}", imported, "s", "-", True),
        result(f"rescore every lead, {size}, {engine}", rescored, "s", "-", True),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, nargs="+", default=[100_000])
    sizes = parser.parse_args().leads
    programs = postgres_server_programs()
    if programs is None:
        raise SystemExit("No PostgreSQL server programs: scripts/install-system-deps.sh --tests")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder, throwaway_server(programs) as server:
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        for n in sizes:
            book = Path(folder) / f"leads-{n}.xlsx"
            write_workbook(book, n)
            sqlite_db = Database.open(Path(folder) / f"leads-{n}.db")
            rows += engine_rows("SQLite", sqlite_db, book, n)
            sqlite_db.close()
            with admin.connect() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE leads_{n}")
            url = server.set(database=f"leads_{n}").render_as_string(hide_password=False)
            postgres_db = Database.open(url)
            rows += engine_rows("PostgreSQL", postgres_db, book, n)
            postgres_db.close()
        admin.dispose()
    emit(rows)


if __name__ == "__main__":
    main()
