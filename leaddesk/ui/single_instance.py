"""One LeadDesk per database file: a second launch hands over to the first, or says who holds it.

The lock is a ``QLockFile`` beside the database (``leads.db.lock``), so that LeadDesk on another
computer opening the same file from a shared folder sees it too and can say which computer
holds it. A folder that cannot take the lock file (read-only, or a share that refuses it) must
not make the database unusable: the lock then goes into LeadDesk's own data folder, named after
the database's full path, where this computer's launches still find each other; and if even
that fails, the database opens unguarded.

Age alone never makes a lock stale (``setStaleLockTime(0)``: a window may stay open for weeks).
A lock whose process is gone from this computer is taken over by ``QLockFile`` itself; one held
from another computer, or by a process that does not answer, is removed only when the user says
LeadDesk no longer runs there.

The holder listens on a local server named after the database (and the user); a later launch
sends it one line of JSON, ``{"import": "/abs/file.xlsx"}`` or ``{"import": null}``, and exits.
Server databases (PostgreSQL) are shared by design and never locked.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QSysInfo, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWidget

from leaddesk import APP_NAME, paths
from leaddesk.core.db import to_url
from leaddesk.core.errors import DatabaseError
from leaddesk.ui import dialogs

log = logging.getLogger(__name__)

TIMEOUT_MS = 2000  # to reach the holder: it answers from its event loop, even when busy
_FALLBACK_ERRORS = (QLockFile.LockError.PermissionError, QLockFile.LockError.UnknownError)


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a database's lock, as its lock file says."""

    pid: int
    hostname: str
    appname: str
    lock_file: Path

    @property
    def on_this_computer(self) -> bool:
        return not self.hostname or self.hostname == QSysInfo.machineHostName()


def database_file(location: str) -> Path | None:
    """The SQLite file ``location`` names, resolved; None for a server or in-memory database
    (and for an address that makes no sense: opening it will explain)."""
    try:
        url = to_url(location)
    except DatabaseError:
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def lock_files(database: Path) -> tuple[Path, Path]:
    """Where the lock of ``database`` may live: beside it, else in the app's data folder."""
    key = hashlib.sha256(str(database).encode()).hexdigest()[:16]
    return database.with_name(database.name + ".lock"), paths.data_dir() / "locks" / f"{key}.lock"


def server_name(database: Path) -> str:
    """The local server the holder of ``database`` listens on: one per user and file."""
    key = hashlib.sha256(f"{getpass.getuser()}\0{database}".encode()).hexdigest()[:16]
    return f"leaddesk-{key}"


def _take_lock(database: Path) -> tuple[QLockFile | None, Holder | None]:
    """Lock ``database``: the lock (None when nowhere could hold one), or who holds it."""
    for path in lock_files(database):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # the database's may not exist yet
        except OSError:
            continue
        lock = QLockFile(str(path))
        lock.setStaleLockTime(0)
        if lock.tryLock(0):
            return lock, None
        if lock.error() not in _FALLBACK_ERRORS:
            pid, hostname, appname = lock.getLockInfo()
            return None, Holder(pid, hostname, appname, path)
    log.warning("no lock could be made for %s; it opens unguarded", database)
    return None, None


class InstanceGuard(QObject):
    """This process's hold on the database its window shows, and the door later launches of
    LeadDesk on that database knock on."""

    launched = Signal(object)  # a later launch on this database: the Path to import, or None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database: Path | None = None
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None

    def claim(self, database: Path | None) -> Holder | None:
        """Hold ``database`` instead of the file held so far (None: a server database, which
        needs no hold); who holds it, if another LeadDesk does, and then nothing changes."""
        if database == self.database:
            return None
        lock = None
        if database is not None:
            lock, holder = _take_lock(database)
            if holder is not None:
                return holder
        self.release()
        self.database, self._lock = database, lock
        if database is not None:
            self._server = self._listen(server_name(database))
        return None

    def release(self) -> None:
        """Let go of the database held, if any."""
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
        if self._lock is not None:
            self._lock.unlock()
        self.database, self._lock, self._server = None, None, None

    def _listen(self, name: str) -> QLocalServer | None:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(name)  # left by a LeadDesk that crashed: the lock is ours now
        if not server.listen(name):
            log.warning("later launches cannot reach this one: %s", server.errorString())
            server.deleteLater()
            return None
        # Bound slots, not lambdas: a lambda on a child's signal would keep this guard alive
        # until the child goes, then destroy the guard (and the child) from its destructor.
        server.newConnection.connect(self._accept)
        return server

    def _accept(self) -> None:
        server = self.sender()
        assert isinstance(server, QLocalServer)
        while (socket := server.nextPendingConnection()) is not None:
            socket.readyRead.connect(self._read)
            socket.disconnected.connect(socket.deleteLater)

    def _read(self) -> None:
        socket = self.sender()
        assert isinstance(socket, QLocalSocket)
        if socket.canReadLine():
            message = bytes(socket.readLine().data())
            socket.disconnectFromServer()
            self.launched.emit(_file_to_import(message))


def _file_to_import(message: bytes) -> Path | None:
    """The spreadsheet a later launch asks to import; nothing from a message that makes no
    sense (the window still comes forward)."""
    try:
        wanted = json.loads(message).get("import")
    except (ValueError, AttributeError):
        return None
    return Path(wanted) if isinstance(wanted, str) else None


def forward(database: Path, open_file: Path | None) -> bool:
    """Ask the LeadDesk holding ``database`` to come forward (and import ``open_file``);
    whether it could be reached."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(database))
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    wanted = str(open_file.resolve()) if open_file is not None else None
    socket.write(json.dumps({"import": wanted}).encode() + b"\n")
    sent = socket.waitForBytesWritten(TIMEOUT_MS) or socket.bytesToWrite() == 0
    socket.disconnectFromServer()
    return sent


def holder_message(holder: Holder, database: Path, *, can_force: bool) -> str:
    """Who holds ``database``, and what the user can do about it (``can_force``: the dialog
    offers Open anyway)."""
    force = "choose Open anyway" if can_force else "delete the lock file, then open it again"
    if holder.on_this_computer:
        where = "in another LeadDesk on this computer, which does not answer"
        advice = (
            "It may be busy: wait a moment and try again. If it stays unresponsive, end "
            f"process {holder.pid}, then open the database again.\n\n"
            f"If process {holder.pid} is not LeadDesk, {force}."
        )
    else:
        where = "in LeadDesk on another computer"
        advice = (
            "A database file can be used by one LeadDesk at a time: close LeadDesk on "
            f"{holder.hostname}, then open the database again. (A team can share a PostgreSQL "
            "database instead.)\n\n"
            f"If LeadDesk no longer runs there (the computer crashed or was switched off), {force}."
        )
    return (
        f"{database.name} is already open {where}.\n\n"
        f"Computer: {holder.hostname or 'this one'}\n"
        f"Program: {holder.appname}, process {holder.pid}\n\n"
        f"{advice}\n\nDatabase: {database}\nLock file: {holder.lock_file}"
    )


class HolderDialog(dialogs.MessageDialog):
    """Says who holds the database; Quit is the default, Open anyway removes the lock."""

    def __init__(self, holder: Holder, database: Path, parent: QWidget | None = None) -> None:
        super().__init__(
            "warning",
            holder_message(holder, database, can_force=True),
            parent,
            accept_text="Open anyway",
            reject_text="Quit",
        )
        self.setWindowTitle(f"{database.name} is in use — {APP_NAME}")
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                quits = self.buttons.buttonRole(button) == QDialogButtonBox.ButtonRole.RejectRole
                button.setDefault(quits)


def hold_or_hand_over(guard: InstanceGuard, location: str, open_file: Path | None) -> int | None:
    """Hold the database at ``location`` for this launch: None to go on; else the exit status,
    once the launch is handed to the LeadDesk holding it, or the user is told who does."""
    database = database_file(location)
    while (holder := guard.claim(database)) is not None:
        assert database is not None  # only a file is held
        if holder.on_this_computer and forward(database, open_file):
            return 0
        if HolderDialog(holder, database).exec() != QDialog.DialogCode.Accepted:
            return 1
        if not QLockFile(str(holder.lock_file)).removeStaleLockFile():
            dialogs.MessageDialog(
                "warning",
                f"The lock on {database.name} could not be removed: LeadDesk still uses the "
                f"database. Close it first.\n\nLock file: {holder.lock_file}",
            ).exec()
            return 1
    return None
