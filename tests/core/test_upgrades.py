"""Every released schema upgrades to today's with every row intact; a failed upgrade puts the
database back; a newer schema is refused without a byte written.

The files in tests/data/schemas/ were made by each release's migrations and filled with
rows in every table (see make.py there); they are never regenerated.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from leaddesk.core import migrations
from leaddesk.core.db import SCHEMA_HEAD, Database
from leaddesk.core.errors import DatabaseError
from leaddesk.core.leads import LeadFilter, lead_ids

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"
RELEASED = sorted(SCHEMAS.glob("leaddesk-*.db"))
_SKIPPED = ("alembic_version", "sqlite_sequence", "lead_search")


def contents(path: Path) -> dict[str, dict[str, list[object]]]:
    """Every user table's rows, column by column, in rowid order, read without LeadDesk."""
    with sqlite3.connect(path) as raw:
        tables = [
            name
            for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith(_SKIPPED)
        ]
        result = {}
        for table in tables:
            cursor = raw.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            result[table] = {n: [row[i] for row in rows] for i, n in enumerate(names)}
    return result


def test_every_released_schema_has_its_file() -> None:
    """Every revision but the newest (not released yet) has a database file to upgrade."""
    made = {p.stem.removeprefix("leaddesk-") for p in RELEASED}
    assert migrations.known_revisions() - made <= {SCHEMA_HEAD}


@pytest.mark.parametrize("release", RELEASED, ids=lambda p: p.stem.removeprefix("leaddesk-"))
def test_a_released_schema_upgrades_with_every_row(
    release: Path, tmp_path: Path, app_home: Path
) -> None:
    path = Path(shutil.copy(release, tmp_path / "leads.db"))
    before = contents(path)
    db = Database.open(path)
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            SCHEMA_HEAD
        )
        found = lead_ids(conn, LeadFilter(search="person27@example3.com"))
    db.close()
    after = contents(path)
    for table, columns in before.items():
        for column, values in columns.items():
            assert after[table][column] == values, f"{table}.{column} changed"
    assert sum(len(next(iter(c.values()))) for c in before.values()) > 100
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    assert found == [27]  # the search index covers the rows that were already there
    if release.stem != f"leaddesk-{SCHEMA_HEAD}":
        assert list((app_home / "backups").glob("leads-*-pre-migration.db"))


def test_a_failed_upgrade_puts_the_database_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(shutil.copy(RELEASED[0], tmp_path / "leads.db"))
    before = contents(path)
    real_upgrade = migrations.upgrade

    def halfway(db: Database, revision: str = "head") -> None:
        real_upgrade(db, "0003_queue_claims")  # some steps committed…
        raise RuntimeError("disk went away")  # …then the next one fails

    monkeypatch.setattr(migrations, "upgrade", halfway)
    with pytest.raises(DatabaseError, match=r"failed \(disk went away\)\. It was put back"):
        Database.open(path)
    assert contents(path) == before
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "0001_initial",
        )


def test_a_newer_schema_is_refused_without_writing(tmp_path: Path) -> None:
    path = Path(shutil.copy(RELEASED[-1], tmp_path / "leads.db"))
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    raw.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DatabaseError, match="written by a newer LeadDesk"):
        Database.open(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
