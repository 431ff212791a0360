"""Storage: pragmas, transactions, migrations, and refusing what must not be touched."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from leaddesk.core import migrations
from leaddesk.core.db import SCHEMA_HEAD, Database, to_url
from leaddesk.core.errors import DatabaseError
from leaddesk.core.schema import leads, metadata, utcnow
from leaddesk.core.search_index import is_index_table

pytestmark = pytest.mark.both_backends


@pytest.mark.sqlite_only
def test_sqlite_connection_settings(db: Database) -> None:
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_schema_head_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert script.get_heads() == [SCHEMA_HEAD]


def test_migrations_build_exactly_the_declared_schema(db: Database) -> None:
    with db.read() as conn:
        # The search index is SQLite's own virtual table, not part of the portable schema.
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, _: kind != "table" or not is_index_table(name),
            },
        )
        assert compare_metadata(context, metadata) == []


def test_every_table_exists_after_open(db: Database) -> None:
    with db.read() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {"leads", "activities", "scoring_models", "import_batches", "custom_fields"} <= tables


def test_write_rolls_back_on_error(db: Database) -> None:
    def insert_then_fail() -> None:
        with db.write() as conn:
            conn.execute(leads.insert(), [{"first_name": "Ada", "custom": {}}])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        insert_then_fail()
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar() == 0


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), db.write() as conn:
        conn.execute(leads.insert(), [{"created_at": datetime(2026, 1, 1), "custom": {}}])


def test_datetimes_come_back_aware_utc(db: Database) -> None:
    now = utcnow()
    with db.write() as conn:
        conn.execute(leads.insert(), [{"created_at": now, "custom": {}}])
    with db.read() as conn:
        stored = conn.execute(sa.select(leads.c.created_at)).scalar_one()
    assert stored == now
    assert stored.tzinfo is not None


def test_database_from_a_newer_leaddesk_is_refused_untouched(db_path: Path) -> None:
    Database.open(db_path).close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = db_path.read_bytes()
    with pytest.raises(DatabaseError, match="newer LeadDesk"):
        Database.open(db_path)
    assert db_path.read_bytes() == before


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(DatabaseError, match="not a LeadDesk database"):
        Database.open(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n" * 200)
    with pytest.raises(DatabaseError, match="damaged or is not a LeadDesk database"):
        Database.open(path)


def test_an_older_database_is_backed_up_then_upgraded(db_path: Path, app_home: Path) -> None:
    db = Database.open(db_path, migrate=False)
    migrations.upgrade(db, "0001_initial")
    with db.write() as conn:
        conn.execute(leads.insert(), [{"first_name": "Ada", "custom": {}}])
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0001_initial'"))
    db.close()
    reopened = Database.open(db_path)
    with reopened.read() as conn:
        assert conn.execute(sa.select(leads.c.first_name)).scalar() == "Ada"
    reopened.close()
    if SCHEMA_HEAD != "0001_initial":
        assert list((app_home / "backups").glob("*-pre-migration.db"))


def test_adding_the_claim_columns_keeps_every_lead_and_its_activities(db_path: Path) -> None:
    db = Database.open(db_path, migrate=False)
    migrations.upgrade(db, "0002_undo_changes")
    with db.write() as conn:
        conn.execute(sa.text("INSERT INTO leads (id, first_name, custom) VALUES (1, 'Ada', '{}')"))
        conn.execute(
            sa.text(
                "INSERT INTO activities (lead_id, kind, at) VALUES (1, 'call', '2026-03-05 10:00')"
            )
        )
    db.close()
    reopened = Database.open(db_path)
    with reopened.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM activities")).scalar() == 1
        lead = conn.execute(sa.select(leads).where(leads.c.id == 1)).mappings().one()
        assert (lead["first_name"], lead["claimed_by"]) == ("Ada", None)
    reopened.close()


@pytest.mark.sqlite_only
def test_backup_is_a_consistent_copy(db: Database, tmp_path: Path) -> None:
    with db.write() as conn:
        conn.execute(leads.insert(), [{"first_name": "Grace", "custom": {}}])
    copy = db.backup(tmp_path / "copy.db")
    with sqlite3.connect(copy) as raw:
        assert raw.execute("SELECT first_name FROM leads").fetchall() == [("Grace",)]
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_urls_and_paths() -> None:
    assert to_url("leads.db").get_backend_name() == "sqlite"
    assert to_url("postgresql://u:secret@host/db").get_backend_name() == "postgresql"
    assert to_url("postgresql://u@host/db").drivername == "postgresql+psycopg"
    assert to_url(":memory:").database == ":memory:"  # in memory, not a file named so
    with pytest.raises(DatabaseError):
        to_url("::not a url::/x://")


def test_a_database_moves_with_its_data_and_leaves_nothing_behind(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "a" / "leads.db")
    with db.write() as conn:
        conn.execute(leads.insert().values(first_name="Ann", status="new"))
    moved = db.move_to(tmp_path / "b" / "leads.db")
    try:
        with moved.read() as conn:
            assert conn.execute(sa.select(leads.c.first_name)).scalars().all() == ["Ann"]
        assert list((tmp_path / "a").iterdir()) == []
        with pytest.raises(DatabaseError, match="already exists"):
            moved.move_to(tmp_path / "b" / "leads.db")
    finally:
        moved.close()
