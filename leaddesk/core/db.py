"""The one module that owns the database engine.

``Database.open()`` turns a path or URL into a ready engine: SQLite gets WAL, foreign keys and
a busy timeout, and its write transactions start with ``BEGIN IMMEDIATE`` so two writers queue
instead of failing half-way; PostgreSQL is the same code through its URL. Opening brings the
schema up to date with Alembic (after a backup copy), and refuses a database written by a
newer LeadDesk rather than touch it.
"""

from __future__ import annotations

import operator
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from leaddesk.core.errors import DatabaseError

# The newest schema this LeadDesk knows; a test holds it equal to Alembic's head, so the
# common case (database already current) needs no Alembic import at start-up.
SCHEMA_HEAD = "0006_predictive"

_WRITE = "leaddesk_write"


def to_url(path_or_url: str | os.PathLike[str]) -> sa.URL:
    """A SQLAlchemy URL for a file path (SQLite) or an URL given as is."""
    text = os.fspath(path_or_url)
    if "://" in text:
        try:
            return sa.make_url(text)
        except sa.exc.ArgumentError as exc:
            raise DatabaseError(
                f"“{text}” is not a database address LeadDesk understands."
            ) from exc
    return sa.URL.create("sqlite", database=str(Path(text).expanduser().resolve()))


class Database:
    """An open, migrated LeadDesk database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, path_or_url: str | os.PathLike[str], *, migrate: bool = True) -> Database:
        """Open (creating if needed) and migrate the database at ``path_or_url``.

        Raises:
            DatabaseError: the database cannot be reached, is locked, corrupt, or newer than
                this LeadDesk.
        """
        url = to_url(path_or_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        db = cls(engine)
        try:
            if migrate:
                from leaddesk.core.migrations import upgrade_if_needed

                upgrade_if_needed(db)
        except BaseException:
            engine.dispose()
            raise
        return db

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a server database or an in-memory one."""
        name = self.engine.url.database
        if not self.is_sqlite or not name or name == ":memory:":
            return None
        return Path(name)

    def describe(self) -> str:
        """What to show the user as the database's location (never a password)."""
        return str(self.path) if self.path else self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading; on SQLite it sees one consistent snapshot."""
        with translate_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with translate_errors(), self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    def move_to(self, target: Path) -> Database:
        """Move this SQLite database to ``target`` and return it opened there (this one is
        closed). The copy is made with the backup API and checked before the old file goes.
        """
        source = self.path
        if source is None:
            raise DatabaseError("A team database lives on its server; it cannot be moved here.")
        target = target.expanduser().resolve()
        if target.exists():
            raise DatabaseError(f"{target} already exists. Choose a new file name.")
        self.backup(target)
        moved = Database.open(target)
        self.close()
        for leftover in (source, *sibling_files(source)):
            leftover.unlink(missing_ok=True)
        return moved

    def backup(self, target: Path) -> Path:
        """Copy a SQLite database with the online backup API (safe while it is in use)."""
        source = self.path
        if source is None:
            raise DatabaseError("Backups are made by the database server for team databases.")
        target.parent.mkdir(parents=True, exist_ok=True)
        with translate_errors():
            raw = self.engine.raw_connection()
            try:
                dest = sqlite3.connect(target)
                try:
                    raw.driver_connection.backup(dest)  # type: ignore[union-attr]
                finally:
                    dest.close()
            finally:
                raw.close()
        return target


def insert_many(
    conn: Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """INSERT ``rows`` (each holding every name in ``columns``) as one driver executemany.

    Each value still goes through its column type's bind processor (JSON, UTC datetimes),
    but not through SQLAlchemy's per-row parameter machinery, which costs more than the
    insert itself on a 100,000-row import.
    """
    if not rows:
        return
    dialect = conn.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
    names = list(compiled.positiontup or []) if compiled.positional else list(columns)
    values_of = operator.itemgetter(*names)
    processors = [
        (index, processor)
        for index, name in enumerate(names)
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    params: list[Any] = []
    last: dict[int, tuple[Any, Any]] = {}  # the same object (an import's timestamp) once
    for row in rows:
        values = list(values_of(row)) if len(names) > 1 else [row[names[0]]]
        for index, processor in processors:
            value = values[index]
            if value is not None:
                seen = last.get(index)
                if seen is None or seen[0] is not value:
                    seen = last[index] = (value, processor(value))
                values[index] = seen[1]
        named = not compiled.positional
        params.append(dict(zip(names, values, strict=True)) if named else tuple(values))
    conn.exec_driver_sql(str(compiled), params)


def create_engine(url: sa.URL) -> Engine:
    """An engine with LeadDesk's connection settings for the URL's backend."""
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, future=True)
    memory = url.database in (None, "", ":memory:")
    kwargs: dict[str, Any] = {}
    if memory:
        kwargs["poolclass"] = sa.pool.StaticPool
        kwargs["connect_args"] = {"check_same_thread": False}
    engine = sa.create_engine(url, **kwargs)
    sa.event.listen(engine, "connect", _sqlite_on_connect)
    sa.event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy's "begin" event open transactions, so writes can use BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA cache_size = -65536")  # 64 MB: sorts and scans of big tables
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn the database's environmental failures into messages a user can act on.

    Anything not recognised as a problem of the world (an integrity error, say) is a bug
    and propagates unchanged.
    """
    try:
        yield
    except sa.exc.DBAPIError as exc:
        message = _explain(exc)
        if message is None:
            raise
        raise DatabaseError(message) from exc


def _explain(exc: sa.exc.DBAPIError) -> str | None:
    text = str(exc.orig).lower()
    if "locked" in text or "busy" in text:
        return (
            "The database is busy: another LeadDesk window or program is writing to it. "
            "Wait a moment and try again."
        )
    if ("disk" in text and "full" in text) or "no space" in text:
        return "The disk is full. Nothing was saved; free some space and try again."
    if "readonly" in text or "read-only" in text:
        return "The database file is read-only. Check its permissions, or open another database."
    if "not a database" in text or "malformed" in text:
        return (
            "The database file is damaged or is not a LeadDesk database. "
            "Open another file, or restore a backup."
        )
    if "unable to open" in text:
        return "The database file cannot be opened. Check that its folder exists and is writable."
    if isinstance(exc, OperationalError):
        return f"The database could not be used: {exc.orig}. Check the connection and try again."
    return None


def sibling_files(path: Path) -> tuple[Path, Path]:
    """SQLite's write-ahead log and shared-memory files beside a database file."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def backup_name(db: Database, reason: str) -> str:
    """A backup file name that sorts by time and says why it was made."""
    stem = db.path.stem if db.path else "leaddesk"
    return f"{stem}-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}-{reason}.db"
