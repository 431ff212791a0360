"""Schema migrations with Alembic, run when a database is opened.

Before an existing SQLite database is upgraded, a backup copy is made, and put back if the
upgrade fails; a database whose revision this LeadDesk does not know was written by a newer
release and is refused untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from leaddesk.core.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

    from leaddesk.core.db import Database

HERE = Path(__file__).resolve().parent


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    return config


def current_revision(db: Database) -> str | None:
    """The database's schema revision, or None for a database with no LeadDesk tables."""
    with db.read() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        if "alembic_version" not in tables:
            if tables - {"sqlite_sequence"}:
                raise DatabaseError(
                    f"{db.describe()} is not a LeadDesk database (it holds other tables). "
                    "Open a LeadDesk database or choose a new file."
                )
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def refuse_newer_file(path: Path) -> None:
    """DatabaseError if the SQLite file at ``path`` was written by a newer LeadDesk.

    Read through a read-only connection before LeadDesk opens the file its usual way, which
    switches it to write-ahead logging: a newer release's database is not written at all.
    """
    import sqlite3

    from leaddesk.core.db import SCHEMA_HEAD

    try:
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = raw.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            raw.close()
    except sqlite3.Error:
        return  # no LeadDesk schema yet, or not a database: opening it says which
    current = row[0] if row else None
    if current not in (None, SCHEMA_HEAD) and current not in known_revisions():
        raise DatabaseError(_newer_message(str(path), current))


def _newer_message(where: str, revision: str) -> str:
    return (
        f"{where} was written by a newer LeadDesk (schema {revision}). "
        "Install the latest LeadDesk to open it; this version will not change it."
    )


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def upgrade_if_needed(db: Database) -> None:
    """Bring ``db`` to the newest schema, backing it up first if it holds data."""
    from leaddesk.core.db import SCHEMA_HEAD

    current = current_revision(db)
    if current == SCHEMA_HEAD:
        return
    if current is not None and current not in known_revisions():
        raise DatabaseError(_newer_message(db.describe(), current))
    if current is None or db.path is None:
        upgrade(db)  # a new database, or a server's (whose own backups are its DBA's)
        return
    from leaddesk.core.backups import back_up, restore
    from leaddesk.paths import backup_dir

    backup = back_up(db, backup_dir(), "pre-migration")
    try:
        upgrade(db)
    except Exception as exc:
        db.engine.dispose()
        restore(backup.path, db.path, backup_dir())
        raise DatabaseError(
            f"Upgrading {db.describe()} failed ({exc}). It was put back exactly as it was "
            f"(from the backup {backup.path}); nothing is lost. Please report this problem "
            "with the files of the log folder (Help ▸ About shows where it is)."
        ) from exc


def upgrade(db: Database, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
