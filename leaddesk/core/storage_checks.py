"""Checks of a SQLite database file made when it is opened: is it whole, and is it on a
network share.

A damaged file is caught before LeadDesk writes to it, and named with the latest backup to
restore; it is only ever read here, never changed. ``PRAGMA quick_check`` reads every page,
which costs 1.2-2.8 s on a 1,000,000-lead database (1.6 GB) with the file in the system's
cache, and 16-18 s right after a reboot: too much for every start. So the full check runs
only when the previous session did not end cleanly (a crash, a power cut: when damage is
likely), and every open makes the cheap one (reading the schema, about 1 ms, which catches a
damaged header or a file that is not a database at all).

A network share is allowed but warned about: SQLite's locks do not hold across computers.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import NamedTuple

from leaddesk.core.backups import backups_of
from leaddesk.core.db import sibling_files, to_url
from leaddesk.core.errors import CorruptDatabaseError
from leaddesk.paths import backup_dir

_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)

# Filesystem types (Linux mountinfo, macOS mount) that live on another computer.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afpfs", "webdav", "davfs",
        "ncpfs", "afs", "9p", "ceph", "glusterfs", "lustre", "gpfs", "beegfs", "orangefs",
        "fuse.sshfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.davfs2",
        "fuse.glusterfs", "fuse.ceph-fuse", "fuse.smbnetfs", "fuse.curlftpfs",
    }
)  # fmt: skip


# --- damage ----------------------------------------------------------------------------------


def ended_uncleanly(path: Path) -> bool:
    """Whether the database was left open: SQLite deletes the ``-wal`` file when the last
    connection closes, so one found before opening means a session crashed (or another
    LeadDesk has the file open, which costs a needless check, never a missed one)."""
    return sibling_files(path)[0].exists()


def check_database_file(path: Path) -> None:
    """Raise CorruptDatabaseError if the SQLite file at ``path`` is damaged.

    The file is opened read-only, so a damaged one is left exactly as it was. Any other
    failure (a folder that cannot be read) is left to the normal open to report.
    """
    if not path.is_file():
        return
    unclean = ended_uncleanly(path)  # before connecting, which makes the log
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            problems = _quick_check(connection) if unclean else []
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        if (damage := damage_in(exc)) is None:
            return
        raise corrupt_database(path, str(damage)) from exc
    if problems:
        raise corrupt_database(path, problems[0])


def _quick_check(connection: sqlite3.Connection) -> list[str]:
    """The problems ``PRAGMA quick_check`` finds, one per line (none: the file is whole)."""
    rows = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
    if rows == ["ok"]:
        return []
    lines = (line for row in rows for line in row.splitlines())
    return [line for line in lines if not line.startswith("***")] or rows


def damage_in(exc: BaseException) -> sqlite3.DatabaseError | None:
    """SQLite's report of a damaged file in ``exc`` or the errors it was raised from."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, sqlite3.DatabaseError) and (seen.sqlite_errorcode & 0xFF) in _DAMAGED:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def corrupt_database(path: Path, detail: str) -> CorruptDatabaseError:
    """The error for a damaged file: what SQLite found, and the latest backup to restore."""
    found = backups_of(path, backup_dir())
    latest = found[0].path if found else None
    state = "is damaged"
    if "not a database" in detail:  # SQLite cannot tell a damaged header from another file
        state += " or is not a LeadDesk database"
    what = f"{path} {state} (SQLite: {detail}). LeadDesk has not changed it."
    if latest is None:
        todo = (
            f"There is no backup of it in {backup_dir()}. If you have a copy of the file, "
            "open the copy; keep this file, which a data-recovery tool may still read."
        )
    else:
        todo = (
            f"The latest backup is {latest} ({found[0].describe()}). Restore it with "
            f'File ▸ Restore from backup… or `leaddesk --db "{path}" restore "{latest}"`.'
        )
    return CorruptDatabaseError(f"{what} {todo}", path, latest)


# --- network shares --------------------------------------------------------------------------


class Mount(NamedTuple):
    """A mounted filesystem: where it is mounted, and its type as the system names it."""

    point: PurePosixPath
    fstype: str


def network_share_warning(location: str | os.PathLike[str]) -> str | None:
    """What to tell the user when the SQLite database at ``location`` is on a network
    share, or None (a local file, or a server database)."""
    url = to_url(location)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(str(url.database))
    kind = network_share_kind(path)
    if kind is None:
        return None
    return (
        f"{path} is on a network share ({kind}). SQLite databases on shared folders can be "
        "damaged when two computers write at once; use a team database (PostgreSQL) to "
        "share leads."
    )


def network_share_kind(path: Path, mounts: Sequence[Mount] | None = None) -> str | None:
    """The network filesystem ``path`` is on ("nfs", "mapped network drive"), or None.

    Linux and macOS: the type of the mount holding the path (``os.statvfs`` does not tell
    it). Windows: a UNC path (``\\\\server\\share``) or a drive Windows reports as remote.
    """
    path = path.resolve()  # a link to a share is on the share
    if sys.platform == "win32":
        return windows_network_kind(PureWindowsPath(path))
    fstype = filesystem_type(path, _mounts() if mounts is None else mounts)
    return fstype if fstype in NETWORK_FILESYSTEMS else None


def filesystem_type(path: PurePath, mounts: Sequence[Mount]) -> str | None:
    """The type of the innermost mount holding ``path`` (the last one mounted, if several
    are mounted on the same folder)."""
    target = PurePosixPath(path)
    best: Mount | None = None
    for mount in mounts:
        inside = mount.point == target or mount.point in target.parents
        if inside and (best is None or len(mount.point.parts) >= len(best.point.parts)):
            best = mount
    return best.fstype if best else None


def _mounts() -> list[Mount]:
    """This computer's mounts: Linux lists them in /proc; macOS and the BSDs say them with
    ``mount``. Unknown mounts mean no warning, never a failure to open."""
    mountinfo = Path("/proc/self/mountinfo")
    try:
        if mountinfo.exists():
            return parse_mountinfo(mountinfo.read_text(encoding="utf-8", errors="replace"))
        result = subprocess.run(
            ["mount"], capture_output=True, text=True, timeout=5, check=True, errors="replace"
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_mount_output(result.stdout)


def parse_mountinfo(text: str) -> list[Mount]:
    """Mounts from Linux's /proc/self/mountinfo (see proc(5)): the mount point is the fifth
    field, the filesystem type the first after the ``-`` separator."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if "-" not in fields[6:]:
            continue
        separator = fields.index("-", 6)
        if separator + 1 < len(fields):
            mounts.append(Mount(PurePosixPath(_unescape(fields[4])), fields[separator + 1]))
    return mounts


def _unescape(field: str) -> str:
    """A mountinfo path, whose spaces, tabs, newlines and backslashes are octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field)


_MOUNT_LINE = re.compile(r"^.+? on (?P<point>/.*?) \((?P<fstype>[^,()]+)")


def parse_mount_output(text: str) -> list[Mount]:
    """Mounts from macOS's ``mount``: ``//me@nas/team on /Volumes/team (smbfs, nodev, …)``."""
    return [
        Mount(PurePosixPath(match["point"]), match["fstype"].strip())
        for line in text.splitlines()
        if (match := _MOUNT_LINE.match(line))
    ]


_DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a network drive


def windows_network_kind(path: PureWindowsPath) -> str | None:
    """What kind of network share a Windows path is on: a UNC path (``\\\\server\\share\\…``,
    also as ``\\\\?\\UNC\\…``) is a "shared folder", a drive Windows reports as remote a
    "mapped network drive"; None for a local disk."""
    drive = path.drive.upper()
    if drive.startswith("\\\\?\\UNC\\") or (
        drive.startswith("\\\\") and not drive.startswith("\\\\?\\")
    ):
        return "shared folder"
    if sys.platform == "win32" and drive.endswith(":"):
        import ctypes

        if ctypes.windll.kernel32.GetDriveTypeW(f"{drive}\\") == _DRIVE_REMOTE:
            return "mapped network drive"
    return None
