"""Backups of a SQLite database, made safely, kept sparingly, and restored.

A backup is made with SQLite's online backup API (never a file copy of a live database),
written under a temporary name, checked with ``quick_check`` and only then given its name:
a backup that exists is whole. Names say which database, when and why
(``leads-20261124-091402-123456-daily.db``), so the folder reads as a history. LeadDesk
backs up once a day when it starts, before every migration and before every import undo,
and keeps every backup of the last day, then the newest of each of the last 7 days and of
each of the last 4 weeks.

Restoring copies a backup over the database the same safe way, after keeping the database
as it was (or, if it cannot be read, moving it aside untouched), and removes the old
write-ahead log so SQLite cannot replay it onto the restored file.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from leaddesk.core.db import Database, backup_name, sibling_files
from leaddesk.core.errors import DatabaseError

DAILY_KEPT = 7
WEEKLY_KEPT = 4
DUE_AFTER = timedelta(days=1)
_NAME = re.compile(r"^(?P<stem>.+)-(?P<when>\d{8}-\d{6}-\d{6})-(?P<reason>[a-z0-9-]+)\.db$")
_REASONS = {
    "daily": "daily",
    "manual": "made by hand",
    "pre-migration": "before an upgrade",
    "before-restore": "before a restore",
}


@dataclass(frozen=True, slots=True)
class Backup:
    """One backup file, and what its name says of it."""

    path: Path
    made_at: datetime  # this computer's local time, as in the name
    reason: str

    def describe(self) -> str:
        """One line for a list: "Tue 24 Nov 2026 09:14 · daily · 12.4 MB"."""
        size = self.path.stat().st_size / 1_000_000
        return f"{self.made_at:%a %d %b %Y %H:%M} · {self.reason_text} · {size:,.1f} MB"

    @property
    def reason_text(self) -> str:
        if self.reason.startswith("before-undo-import-"):
            return f"before undoing import {self.reason.rsplit('-', 1)[1]}"
        return _REASONS.get(self.reason, self.reason.replace("-", " "))


def backups_of(database: Path, folder: Path) -> list[Backup]:
    """The backups of ``database`` in ``folder``, newest first."""
    found = []
    for path in folder.glob(f"{database.stem}-*.db"):
        match = _NAME.match(path.name)
        if match and match["stem"] == database.stem:
            made_at = datetime.strptime(match["when"], "%Y%m%d-%H%M%S-%f")
            found.append(Backup(path, made_at, match["reason"]))
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def back_up(db: Database, folder: Path, reason: str, *, spare: Path | None = None) -> Backup:
    """Back ``db`` up into ``folder`` and prune the folder's older backups of it (but
    ``spare``: the backup being restored)."""
    path = folder / backup_name(db, reason)
    partial = path.with_name(path.name + ".partial")
    try:
        db.backup(partial)
        check_file(partial)
        partial.replace(path)
    finally:
        with suppress(OSError):  # nothing to clean up where nothing could be written
            partial.unlink(missing_ok=True)
    assert db.path is not None  # db.backup refused a server database
    prune(db.path, folder, spare)
    return next(b for b in backups_of(db.path, folder) if b.path == path)


def backup_due(db: Database, folder: Path, now: datetime | None = None) -> bool:
    """No backup of ``db`` in ``folder`` is younger than a day."""
    if db.path is None:
        return False
    newest = backups_of(db.path, folder)
    return not newest or (now or datetime.now()) - newest[0].made_at >= DUE_AFTER


def prune(database: Path, folder: Path, spare: Path | None = None) -> list[Path]:
    """Delete the backups of ``database`` no longer kept; the paths deleted.

    Kept: every backup of the last day (an undo's backup must outlive the day's next one),
    the newest of each of the last ``DAILY_KEPT`` days that have one, the newest of each of
    the last ``WEEKLY_KEPT`` weeks, and ``spare``.
    """
    backups = backups_of(database, folder)
    if not backups:
        return []
    recent = [b for b in backups if backups[0].made_at - b.made_at < DUE_AFTER]
    days = _newest_per(backups, lambda b: b.made_at.date(), DAILY_KEPT)
    weeks = _newest_per(backups, lambda b: tuple(b.made_at.isocalendar())[:2], WEEKLY_KEPT)
    kept = {b.path for b in (*recent, *days, *weeks)} | {spare}
    removed = [b.path for b in backups if b.path not in kept]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _newest_per(
    backups: list[Backup], period: Callable[[Backup], Hashable], count: int
) -> list[Backup]:
    """The newest backup of each of the ``count`` most recent periods (backups: newest first)."""
    seen: dict[Hashable, Backup] = {}
    for backup in backups:
        seen.setdefault(period(backup), backup)
    return list(seen.values())[:count]


def check_file(path: Path) -> None:
    """DatabaseError unless ``path`` is a readable, undamaged LeadDesk database."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a readable database ({exc}).") from exc
    if verdict != "ok":
        raise DatabaseError(f"{path} is damaged ({verdict}).")
    if "alembic_version" not in tables or "leads" not in tables:
        raise DatabaseError(f"{path} is not a LeadDesk database.")


def restore(backup: Path, database: Path, folder: Path) -> Path | None:
    """Put ``backup`` in place of the SQLite file ``database`` (which must not be open).

    The database as it was is backed up into ``folder`` first, or, when it cannot be read,
    moved aside beside itself; that file's path is returned (None if there was none).
    Nothing is replaced unless the backup checks out.
    """
    check_file(backup)
    kept = _keep_current(database, folder, backup) if database.exists() else None
    partial = database.with_name(database.name + ".restoring")
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        check_file(partial)
        for leftover in sibling_files(database):
            leftover.unlink(missing_ok=True)  # a stale log would be replayed onto the backup
        os.replace(partial, database)
    finally:
        partial.unlink(missing_ok=True)
    return kept


def _keep_current(database: Path, folder: Path, backup: Path) -> Path:
    """Back the database up before it is replaced; move it aside if it cannot be read."""
    try:
        check_file(database)
        current = Database.open(database, migrate=False)
        try:
            return back_up(current, folder, "before-restore", spare=backup).path
        finally:
            current.close()
    except DatabaseError:
        aside = database.with_name(f"{database.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(database, aside)
        for leftover, moved in zip(sibling_files(database), sibling_files(aside), strict=True):
            if leftover.exists():
                os.replace(leftover, moved)
        return aside
