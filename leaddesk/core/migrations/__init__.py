"""Schema migrations with Alembic, run when a database is opened.

Before an existing SQLite database is upgraded, a backup copy is made; a database whose
revision this LeadDesk does not know was written by a newer release and is refused untouched.
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
        raise DatabaseError(
            f"{db.describe()} was written by a newer LeadDesk (schema {current}). "
            "Install the latest LeadDesk to open it; this version will not change it."
        )
    if current is not None and db.path is not None:
        from leaddesk.core.backups import back_up
        from leaddesk.paths import backup_dir

        back_up(db, backup_dir(), "pre-migration")
    upgrade(db)


def upgrade(db: Database, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
