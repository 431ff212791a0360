"""Backups: made whole or not at all, kept 7 daily and 4 weekly, restored safely."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from leaddesk.core import backups
from leaddesk.core.backups import back_up, backup_due, backups_of, check_file, prune, restore
from leaddesk.core.db import Database, sibling_files
from leaddesk.core.errors import DatabaseError
from leaddesk.core.schema import leads

AddLeads = Callable[..., list[int]]


def names(db_path: Path, folder: Path) -> list[str]:
    return [b.path.name for b in backups_of(db_path, folder)]


def fake_backup(folder: Path, stem: str, when: datetime, reason: str = "daily") -> Path:
    """An empty file named like a backup made at ``when`` (pruning reads only names)."""
    path = folder / f"{stem}-{when:%Y%m%d-%H%M%S-%f}-{reason}.db"
    path.write_bytes(b"")
    return path


def count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar_one())


def test_a_backup_is_checked_named_and_listed(
    db: Database, add_leads: AddLeads, tmp_path: Path
) -> None:
    add_leads([{"first_name": "Ada"}, {"first_name": "Alan"}])
    folder = tmp_path / "backups"
    made = back_up(db, folder, "manual")
    assert made.reason == "manual"
    assert made.reason_text == "made by hand"
    assert made.path.name.startswith("leads-")
    assert [b.path for b in backups_of(db.path, folder)] == [made.path]  # type: ignore[arg-type]
    check_file(made.path)
    copy = Database.open(made.path, migrate=False)
    assert count(copy) == 2
    copy.close()
    assert not list(folder.glob("*.partial"))


def test_a_failed_backup_leaves_no_file_behind(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path) -> None:
        raise DatabaseError(f"{path} is damaged (test).")

    monkeypatch.setattr(backups, "check_file", broken)
    folder = tmp_path / "backups"
    with pytest.raises(DatabaseError, match="damaged"):
        back_up(db, folder, "manual")
    assert list(folder.iterdir()) == []


def test_a_backup_is_due_once_a_day(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    assert backup_due(db, folder)
    made = back_up(db, folder, "daily")
    assert not backup_due(db, folder)
    assert backup_due(db, folder, now=made.made_at + timedelta(days=1, seconds=1))


def test_seven_daily_and_four_weekly_backups_are_kept(tmp_path: Path) -> None:
    database = tmp_path / "leads.db"
    folder = tmp_path / "backups"
    folder.mkdir()
    start = datetime(2026, 9, 1, 9, 0)  # a Tuesday
    made = [fake_backup(folder, "leads", start + timedelta(days=d, hours=h))
            for d in range(60) for h in (0, 5)]  # fmt: skip
    other = fake_backup(folder, "other", start)  # another database's backup is left alone
    removed = prune(database, folder)
    kept = sorted(b.made_at for b in backups_of(database, folder))
    last_day = start + timedelta(days=59, hours=5)
    daily = [last_day - timedelta(days=d) for d in range(7)]
    assert set(daily) <= set(kept)
    assert last_day - timedelta(hours=5) in kept  # the last day's backups are all kept
    # Beyond those days, the newest backup of each of the four latest weeks (Sundays 14:00).
    weeks = {(m.isocalendar()[0], m.isocalendar()[1]) for m in kept}
    assert len(weeks) == 4
    assert len(kept) == len(set(kept)) <= 1 + 7 + 4  # and the day's earlier backup
    assert len(removed) == len(made) - len(kept)
    assert other.exists()


def test_restore_puts_the_backup_back_and_keeps_the_database_as_it_was(
    db: Database, add_leads: AddLeads, tmp_path: Path
) -> None:
    add_leads([{"first_name": "Ada"}])
    folder = tmp_path / "backups"
    made = back_up(db, folder, "manual")
    add_leads([{"first_name": "Later"}, {"first_name": "Later too"}])
    path = db.path
    assert path is not None
    db.close()
    stale_wal, _ = sibling_files(path)
    stale_wal.write_bytes(b"not a log of the restored file")
    kept = restore(made.path, path, folder)
    assert kept is not None
    assert not stale_wal.exists()
    restored = Database.open(path)
    assert count(restored) == 1
    restored.close()
    before = Database.open(kept, migrate=False)
    assert count(before) == 3
    before.close()


def test_a_damaged_database_is_moved_aside_not_overwritten(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    made = back_up(db, folder, "manual")
    path = db.path
    assert path is not None
    db.close()
    path.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 200)
    kept = restore(made.path, path, folder)
    assert kept is not None
    assert kept.name.startswith("leads.db.damaged-")
    assert kept.read_bytes().endswith(b"\x00garbage")
    check_file(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is no database at all, just text" * 100, "not a readable database"),
        (None, "not a LeadDesk database"),
    ],
)
def test_a_bad_backup_is_refused_and_nothing_is_touched(
    db: Database, tmp_path: Path, content: bytes | None, message: str
) -> None:
    bad = tmp_path / "bad.db"
    if content is None:
        sqlite3.connect(bad).execute("CREATE TABLE notes (text)").connection.close()
    else:
        bad.write_bytes(content)
    path = db.path
    assert path is not None
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match=message):
        restore(bad, path, tmp_path / "backups")
    assert path.read_bytes() == before


def test_a_backup_into_a_folder_that_cannot_take_it_says_so(db: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    with pytest.raises(DatabaseError, match=r"could not be written to .*the database itself"):
        back_up(db, blocker, "manual")
