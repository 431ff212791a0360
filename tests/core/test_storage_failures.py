"""A full disk or a read-only database while writing: a clear message, the transaction rolled
back, the file whole with exactly the rows it had, and the app able to go on.

The failures are SQLite's own, injected on the app's connection at the operation's first
INSERT, inside its transaction: ``max_page_count`` held at the file's size makes the next page
it needs fail with "database or disk is full", as a full disk does (SQLite reports ENOSPC as
the same SQLITE_FULL), and ``query_only`` refuses writes as a file that became read-only
does (the tests run as root, so permissions would stop nothing).
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from leaddesk.core.bulk import BulkAction, apply_bulk
from leaddesk.core.db import Database
from leaddesk.core.errors import DatabaseError
from leaddesk.core.importing.pipeline import import_file
from leaddesk.core.leads import LeadFilter
from leaddesk.core.progress import run

Inject = Callable[[str], None]

MESSAGES = {
    "disk full": r"^The disk is full\. Nothing was saved; free some space and try again\.$",
    "read-only": r"read-only\. Nothing was saved; check their permissions",
}


def write_csv(path: Path, tag: str, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First name", "Last name", "Email", "Company", "Country"])
        for k in range(count):
            writer.writerow([f"Ada {k}", f"Lovelace {tag}", f"ada-{tag}-{k}@example.com",
                             f"Acme {k % 7}", "DE"])  # fmt: skip
    return path


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read from the file by a connection of its own (a virtual
    table's rows are those of its shadow tables)."""
    with closing(sqlite3.connect(path)) as raw:
        tables = [r[0] for r in raw.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        )]  # fmt: skip
        return {t: sorted(raw.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as raw:
        return str(raw.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.fixture
def inject(db: Database) -> Iterator[Inject]:
    """``inject("disk full")`` or ``inject("read-only")``: from the next INSERT on, in the
    middle of its transaction, ``db`` cannot write; ``inject("")`` frees the space again."""
    pragmas = {"disk full": "PRAGMA max_page_count = 1", "read-only": "PRAGMA query_only = 1"}
    chosen: list[str] = []

    def before_execute(
        _conn: sa.Connection, cursor: sqlite3.Cursor, statement: str, *_args: object
    ) -> None:
        if chosen and statement.startswith("INSERT"):
            cursor.execute(chosen[0])  # max_page_count is raised to the file's size: no growth

    def choose(failure: str) -> None:
        chosen[:] = [pragmas[failure]] if failure else []
        db.engine.dispose()  # connections keep their pragmas: start from fresh ones

    sa.event.listen(db.engine, "before_cursor_execute", before_execute)
    yield choose
    sa.event.remove(db.engine, "before_cursor_execute", before_execute)


def do_import(db: Database, folder: Path) -> None:
    run(import_file(db, write_csv(folder / "more.csv", "more", 400)))


def do_bulk_edit(db: Database, _folder: Path) -> None:
    run(apply_bulk(db, LeadFilter(), BulkAction("tag", "spring fair")))


@pytest.mark.parametrize("failure", ["disk full", "read-only"])
@pytest.mark.parametrize("operation", [do_import, do_bulk_edit], ids=["import", "bulk edit"])
def test_a_failed_write_says_why_and_changes_nothing(
    db: Database,
    db_path: Path,
    tmp_path: Path,
    inject: Inject,
    failure: str,
    operation: Callable[[Database, Path], None],
) -> None:
    run(import_file(db, write_csv(tmp_path / "first.csv", "first", 300)))
    before = contents(db_path)
    inject(failure)
    with pytest.raises(DatabaseError, match=MESSAGES[failure]):
        operation(db, tmp_path)
    assert integrity(db_path) == "ok"
    assert contents(db_path) == before
    inject("")
    operation(db, tmp_path)  # space freed, permission given: the same work now succeeds
    assert contents(db_path) != before
    assert integrity(db_path) == "ok"
