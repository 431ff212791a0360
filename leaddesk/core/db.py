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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from leaddesk.core.errors import ConnectionLostError, DatabaseError

# The newest schema this LeadDesk knows; a test holds it equal to Alembic's head, so the
# common case (database already current) needs no Alembic import at start-up.
SCHEMA_HEAD = "0007_suppressions"

_WRITE = "leaddesk_write"
CONNECT_TIMEOUT = 10  # seconds to reach a PostgreSQL server


def to_url(path_or_url: str | os.PathLike[str]) -> sa.URL:
    """A SQLAlchemy URL for a file path (SQLite) or an URL given as is."""
    text = os.fspath(path_or_url)
    if "://" in text:
        try:
            url = sa.make_url(text)
        except (sa.exc.ArgumentError, ValueError) as exc:  # ValueError: a port not a number
            raise DatabaseError(
                f"“{text}” is not a database address LeadDesk understands."
            ) from exc
        # postgresql:// means the driver LeadDesk ships (psycopg 3), not SQLAlchemy's default.
        return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url
    if text == ":memory:":  # SQLite's name for a database in memory, not a file here
        return sa.URL.create("sqlite", database=text)
    return sa.URL.create("sqlite", database=str(Path(text).expanduser().resolve()))


class Database:
    """An open, migrated LeadDesk database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Once the server has answered, failing to reach it means the connection was lost.
        self._reached = False
        # Called (on the thread that saw it) when work fails on a lost connection, so the GUI
        # can check the connection at once rather than at its next scheduled look.
        self.lost_listeners: list[Callable[[], None]] = []

    @classmethod
    def open(
        cls,
        path_or_url: str | os.PathLike[str],
        *,
        migrate: bool = True,
        password: str | None = None,
    ) -> Database:
        """Open (creating if needed) and migrate the database at ``path_or_url``.

        ``password`` is given apart from the URL, so the URL can be shown and remembered.

        Raises:
            DatabaseError: the database cannot be reached, is locked, corrupt, or newer than
                this LeadDesk (``LoginRefusedError`` when the server refuses the login).
        """
        url = to_url(path_or_url)
        if password is not None:
            url = url.set(password=password)
        from leaddesk.core import storage_checks

        file = None
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            file = Path(url.database)
            file.parent.mkdir(parents=True, exist_ok=True)
            storage_checks.check_database_file(file)
            if migrate and file.exists():
                from leaddesk.core.migrations import refuse_newer_file

                refuse_newer_file(file)
        engine = create_engine(url)
        db = cls(engine)
        try:
            if migrate:
                from leaddesk.core.migrations import upgrade_if_needed

                upgrade_if_needed(db)
        except BaseException as exc:
            engine.dispose()
            if file is not None and (damage := storage_checks.damage_in(exc)):
                raise storage_checks.corrupt_database(file, str(damage)) from exc
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
        with self._translated(), self.engine.connect() as conn:
            self._reached = True
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self._translated(), self.engine.connect() as conn:
            self._reached = True
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """``translate_errors`` for this database, telling ``lost_listeners`` of a lost
        connection."""
        try:
            with translate_errors(self.engine.url, reached=self._reached):
                yield
        except ConnectionLostError:
            for listener in self.lost_listeners:
                listener()
            raise

    def ping(self) -> bool:
        """Whether the database answers now: a cheap check the GUI repeats while offline.
        False when the connection is lost; other problems still raise."""
        try:
            with translate_errors(self.engine.url, reached=True), self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except ConnectionLostError:
            return False
        return True

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
        try:
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
        except (sqlite3.Error, OSError) as exc:  # the copy's side: a full disk, a locked folder
            raise DatabaseError(
                f"The backup could not be written to {target} ({exc}). Check that the folder "
                "exists, is writable and has free space; the database itself is unchanged."
            ) from exc
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
        # An unreachable server fails in seconds, not after the system's TCP timeout.
        timeout = {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT}
        return sa.create_engine(url, pool_pre_ping=True, future=True, connect_args=timeout)
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
        # Deleted and overwritten rows are zeroed, so an erased lead's bytes leave the file
        # (Debian's SQLite does this by default; python.org's and Windows' builds do not).
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class LoginRefusedError(DatabaseError):
    """The server wants a password, or another one: asking the user again may help."""


@contextmanager
def translate_errors(url: sa.URL | None = None, *, reached: bool = False) -> Iterator[None]:
    """Turn the database's environmental failures into messages a user can act on.

    ``url`` names the server in the messages; ``reached`` says the server has answered
    before, so that failing to reach it now is a lost connection (``ConnectionLostError``)
    rather than a wrong address. Anything not recognised as a problem of the world (an
    integrity error, say) is a bug and propagates unchanged.
    """
    try:
        yield
    except sa.exc.DBAPIError as exc:
        if isinstance(exc, OperationalError) and _connection_lost(exc, reached):
            raise ConnectionLostError() from exc
        if isinstance(exc, OperationalError) and (problem := _server_problem(exc, url)):
            raise problem from exc
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
        return (
            "The database cannot be written: the file or its folder is read-only. Nothing was "
            "saved; check their permissions (and that the drive is not write-protected), or "
            "open another database."
        )
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


def _connection_lost(exc: OperationalError, reached: bool) -> bool:
    """A connection that broke during work (SQLAlchemy saw it invalidated, or libpq says
    so), or a server that answered before and cannot be reached now."""
    text = str(exc.orig).lower()
    if exc.connection_invalidated or any(sign in text for sign in _DROPPED):
        return True
    return reached and any(sign in text for sign in _UNREACHABLE)


def _server_problem(exc: OperationalError, url: sa.URL | None) -> DatabaseError | None:
    """A PostgreSQL server that cannot be reached or refuses the connection (libpq's
    messages), in words; the login's refusals come first, as one attempt may report several.
    """
    text = str(exc.orig).lower()
    server = f"{url.host}:{url.port or 5432}" if url is not None and url.host else "the server"
    user = f"“{url.username}”" if url is not None and url.username else "this user"
    database = f"“{url.database}”" if url is not None and url.database else "this database"
    if "no password supplied" in text:
        return LoginRefusedError(f"The server at {server} asks for the password of {user}.")
    if "authentication failed" in text or ("role" in text and "does not exist" in text):
        return LoginRefusedError(
            f"The server refused the user name or password ({user} at {server}). "
            "Check both and try again."
        )
    if "database" in text and "does not exist" in text:
        return DatabaseError(
            f"There is no database {database} on {server}. Check its name, or ask whoever "
            "runs the server to create it."
        )
    if "pg_hba.conf" in text:
        if "no encryption" in text:
            return DatabaseError(
                f"The server at {server} accepts only encrypted connections. Require "
                "encryption (sslmode=require) and try again."
            )
        return DatabaseError(
            f"The server at {server} does not let {user} connect to {database} from this "
            "computer. Ask whoever runs the server to allow it."
        )
    if "server does not support ssl" in text:
        return DatabaseError(
            f"The server at {server} does not offer encryption, and this connection requires "
            "it. Ask whoever runs the server to turn on TLS, or go without encryption "
            "(sslmode=disable) only on a network you trust."
        )
    if "root certificate" in text:
        return DatabaseError(
            "The CA certificate file cannot be read. Choose the file you were given by whoever "
            "runs the server (often called root.crt or ca.pem)."
        )
    if "does not match host name" in text:
        return DatabaseError(
            f"The server's certificate was not issued for {server}. Check the address, or "
            "ask whoever runs the server."
        )
    if "certificate" in text:
        return DatabaseError(
            "The server's certificate could not be verified with the CA certificate file. "
            "Check that you chose the right file, or ask whoever runs the server."
        )
    if "invalid response to ssl negotiation" in text:
        return DatabaseError(
            f"What answers at {server} is not a PostgreSQL server. Check the address and port."
        )
    if any(sign in text for sign in _UNREACHABLE):
        return DatabaseError(
            f"Could not reach {server}. Check the address, the network, or ask whoever runs "
            "the server whether it is running."
        )
    if "too many clients" in text or "too many connections" in text:
        return DatabaseError(
            f"The server at {server} has too many connections open. Try again in a moment."
        )
    if "starting up" in text or "shutting down" in text or "recovery mode" in text:
        return DatabaseError(f"The server at {server} is starting or stopping. Try again soon.")
    return None


_DROPPED = (
    "server closed the connection unexpectedly",
    "terminating connection due to administrator command",
    "could not receive data",
    "could not send data",
    "connection is closed",
    "connection is lost",
)

_UNREACHABLE = (
    "connection refused",
    "could not translate host name",
    "failed to resolve host",
    "name or service not known",
    "nodename nor servname",
    "timeout expired",
    "timed out",
    "no route to host",
    "network is unreachable",
    "host is unreachable",
)


def sibling_files(path: Path) -> tuple[Path, Path]:
    """SQLite's write-ahead log and shared-memory files beside a database file."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def backup_name(db: Database, reason: str) -> str:
    """A backup file name that sorts by time and says why it was made."""
    stem = db.path.stem if db.path else "leaddesk"
    return f"{stem}-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}-{reason}.db"
