"""Issue 8: the same import and rescoring on SQLite and on PostgreSQL, side by side.

Imports the generated workbook of ``bench_import`` (N rows x 20 columns) into a fresh
SQLite file and into a fresh database on a throwaway local PostgreSQL server (the one the
tests use: ``tests/postgres_server.py``), then rescores every lead of each with the
25-rule benchmark model. A workbook of a million rows is more than the importer reads at
once (5 million cells), so ``--rescore N`` instead copies the cached N-lead benchmark
database (``common.bench_database``: leads and 3 activities each) into PostgreSQL and times
rescoring alone on both. Prints one JSON list of rows.

Usage: ``python benchmarks/bench_engines.py [--leads N …] [--rescore N …]``.
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
from bench_scoring import bench_model, build
from common import ROOT, bench_database, emit, result, timer

from leaddesk.core.db import Database, insert_many
from leaddesk.core.importing.pipeline import import_file
from leaddesk.core.progress import run
from leaddesk.core.schema import Activity, leads
from leaddesk.core.scoring import sql, store

sys.path.insert(0, str(ROOT.parent / "tests"))
from postgres_server import postgres_server_programs, throwaway_server

activities = Activity.__table__  # type: ignore[attr-defined]


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


def copied(source: Path, target: Database) -> None:
    """Every lead and activity of the SQLite database ``source``, into ``target``."""
    engine = sa.create_engine(f"sqlite:///{source}")
    with engine.connect() as conn, target.write() as out:
        for table in (leads, activities):
            result = conn.execution_options(stream_results=True).execute(sa.select(table))
            for rows in result.mappings().partitions(20_000):
                insert_many(out, table, list(table.c.keys()), rows)
        out.exec_driver_sql("SELECT setval('leads_id_seq', (SELECT max(id) FROM leads))")
        out.exec_driver_sql("ANALYZE")
    engine.dispose()


def rescore_rows(folder: Path, server: sa.URL, admin: sa.Engine, n: int) -> list[dict[str, Any]]:
    rows = []
    sqlite_db = build(folder / f"sqlite-{n}", n)
    rescored = timed(lambda: run(sql.rescore_job(sqlite_db, full=True)))
    rows.append(result(f"rescore every lead, {n:,} leads, SQLite", rescored, "s", "-", True))
    sqlite_db.close()
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE copy_{n}")
    postgres_db = Database.open(server.set(database=f"copy_{n}").render_as_string(False))
    copied(bench_database(n), postgres_db)
    with postgres_db.write() as conn:
        store.save_model(conn, bench_model(), state="active")
    rescored = timed(lambda: run(sql.rescore_job(postgres_db, full=True)))
    rows.append(result(f"rescore every lead, {n:,} leads, PostgreSQL", rescored, "s", "-", True))
    postgres_db.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, nargs="*", default=[100_000])
    parser.add_argument("--rescore", type=int, nargs="*", default=[])
    args = parser.parse_args()
    sizes = args.leads
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
        for n in args.rescore:
            rows += rescore_rows(Path(folder), server, admin, n)
        admin.dispose()
    emit(rows)


if __name__ == "__main__":
    main()
