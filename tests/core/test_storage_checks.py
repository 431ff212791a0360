"""Opening a damaged database names the backup to restore and leaves the file as it was; a
database on a network share is warned about."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from leaddesk.cli import main
from leaddesk.core import storage_checks
from leaddesk.core.backups import back_up
from leaddesk.core.db import Database, sibling_files
from leaddesk.core.errors import CorruptDatabaseError
from leaddesk.core.storage_checks import (
    Mount,
    ended_uncleanly,
    filesystem_type,
    network_share_kind,
    network_share_warning,
    parse_mount_output,
    parse_mountinfo,
    windows_network_kind,
)
from leaddesk.paths import backup_dir

AddLeads = Callable[..., list[int]]
PAGE = 4096

MOUNTINFO = r"""22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
61 27 0:52 / /mnt/nas rw,relatime shared:30 - nfs4 nas:/export/sales rw,vers=4.2
62 27 0:53 / /mnt/team\040share rw,relatime - cifs //files/team rw,vers=3.1.1
63 27 0:54 / /home/me/remote rw,nosuid,nodev - fuse.sshfs me@box:/srv rw,user_id=0
64 61 254:0 /local /mnt/nas/cache rw,relatime - ext4 /dev/vda rw
65 27 0:55 / /media/usb rw - vfat /dev/sdb1 rw
66 65 0:56 / /media/usb rw master:2 - smb3 //nas/usb rw
"""

MOUNT_OUTPUT = """/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse, protect)
//me@nas._smb._tcp.local/Sales on /Volumes/Sales (smbfs, nodev, nosuid, mounted by me)
nas:/export/leads on /Volumes/leads (nfs, asynchronous)
"""


@pytest.fixture
def filled(db: Database, add_leads: AddLeads) -> Database:
    """A database of a few hundred pages of leads."""
    notes = "Met at the fair. " * 12
    add_leads([{"first_name": f"Ada {k}", "email": f"a{k}@example.com", "notes": notes}
               for k in range(3000)])  # fmt: skip
    return db


def damage(path: Path, page: int, pages: int = 1) -> bytes:
    """Overwrite whole pages (numbered from 1, as SQLite does) with junk; the file's bytes."""
    with path.open("r+b") as handle:
        handle.seek((page - 1) * PAGE)
        handle.write(b"\xa5\x5a" * (PAGE * pages // 2))
    return path.read_bytes()


def root_page(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as raw:
        query = "SELECT rootpage FROM sqlite_master WHERE name = ?"
        return int(raw.execute(query, (table,)).fetchone()[0])


def test_damaged_pages_are_found_after_an_unclean_end(filled: Database, db_path: Path) -> None:
    backup = back_up(filled, backup_dir(), "daily")
    filled.close()
    middle = db_path.stat().st_size // PAGE // 2
    damaged = damage(db_path, middle, pages=16)
    sibling_files(db_path)[0].write_bytes(b"")  # the log a crashed session leaves behind
    with pytest.raises(CorruptDatabaseError) as caught:
        Database.open(db_path)
    message = str(caught.value)
    assert message.startswith(f"{db_path} is damaged")
    assert "LeadDesk has not changed it" in message
    assert f"The latest backup is {backup.path} ({backup.describe()})" in message
    assert "File ▸ Restore from backup…" in message
    assert f'`leaddesk --db "{db_path}" restore "{backup.path}"`' in message
    assert caught.value.latest_backup == backup.path
    assert db_path.read_bytes() == damaged


def test_a_damaged_header_is_found_on_every_open(filled: Database, db_path: Path) -> None:
    filled.close()
    assert not ended_uncleanly(db_path)
    damaged = damage(db_path, 1)
    with pytest.raises(CorruptDatabaseError, match="is not a database") as caught:
        Database.open(db_path)
    assert "There is no backup of it in" in str(caught.value)
    assert caught.value.latest_backup is None
    assert db_path.read_bytes() == damaged


def test_damage_met_while_opening_is_reported_the_same(filled: Database, db_path: Path) -> None:
    """A clean file is not read whole on open, but damage the migration check reads is
    reported as damage, not as a failure to open."""
    backup = back_up(filled, backup_dir(), "daily")
    filled.close()
    damaged = damage(db_path, root_page(db_path, "alembic_version"))
    assert not ended_uncleanly(db_path)
    with pytest.raises(CorruptDatabaseError, match="malformed") as caught:
        Database.open(db_path)
    assert caught.value.latest_backup == backup.path
    assert db_path.read_bytes() == damaged


def test_only_a_session_that_did_not_close_leaves_the_log(db: Database, db_path: Path) -> None:
    """The check on open relies on SQLite removing the -wal file on a clean close."""
    other = sqlite3.connect(db_path)  # another LeadDesk still using the file
    assert ended_uncleanly(db_path)
    other.close()
    db.close()
    assert not ended_uncleanly(db_path)


def test_mountinfo_gives_each_path_its_innermost_mount() -> None:
    mounts = parse_mountinfo(MOUNTINFO)
    assert Mount(PurePosixPath("/mnt/team share"), "cifs") in mounts

    def kind(path: str) -> str | None:
        return network_share_kind(Path(path), mounts)

    assert filesystem_type(Path("/home/me/leads.db"), mounts) == "ext4"
    assert kind("/home/me/leads.db") is None
    assert kind("/mnt/nas/sales/leads.db") == "nfs4"
    assert kind("/mnt/nas/cache/leads.db") is None  # a local disk mounted inside the share
    assert kind("/mnt/nasty/leads.db") is None
    assert kind("/mnt/team share/leads.db") == "cifs"
    assert kind("/home/me/remote/leads.db") == "fuse.sshfs"
    assert kind("/media/usb/leads.db") == "smb3"  # mounted over the USB stick's folder


def test_macos_mounts_are_read_from_the_mount_command() -> None:
    mounts = parse_mount_output(MOUNT_OUTPUT)
    assert network_share_kind(Path("/Volumes/Sales/leads.db"), mounts) == "smbfs"
    assert network_share_kind(Path("/Volumes/leads/x/leads.db"), mounts) == "nfs"
    assert network_share_kind(Path("/Users/me/leads.db"), mounts) is None


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (r"\\nas\sales\leads.db", "shared folder"),
        (r"\\?\UNC\nas\sales\leads.db", "shared folder"),
        (r"C:\Users\me\leads.db", None),
        (r"\\?\C:\Users\me\leads.db", None),
    ],
)
def test_windows_unc_paths_are_shared_folders(path: str, kind: str | None) -> None:
    assert windows_network_kind(PureWindowsPath(path)) == kind


def test_the_warning_says_what_and_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage_checks, "_mounts", lambda: parse_mountinfo(MOUNTINFO))
    assert network_share_warning("/mnt/nas/leads.db") == (
        "/mnt/nas/leads.db is on a network share (nfs4). SQLite databases on shared folders "
        "can be damaged when two computers write at once; use a team database (PostgreSQL) "
        "to share leads."
    )
    assert network_share_warning("/home/me/leads.db") is None
    assert network_share_warning("postgresql://sales@db.example/leads") is None


def test_the_cli_warns_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    share = tmp_path / "share"
    fake = f"27 1 254:0 / / rw - ext4 /dev/vda rw\n61 27 0:52 / {share} rw - nfs nas:/x rw\n"
    monkeypatch.setattr(storage_checks, "_mounts", lambda: parse_mountinfo(fake))
    assert main(["--db", str(share / "leads.db"), "leads", "--json"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "[]"
    assert err == (
        f"warning: {share / 'leads.db'} is on a network share (nfs). SQLite databases on shared "
        "folders can be damaged when two computers write at once; use a team database "
        "(PostgreSQL) to share leads.\n"
    )
