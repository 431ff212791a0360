"""Watches a team database's connection, so the window can say when it is offline.

The check (``Database.ping``) runs on the thread pool, never in the GUI thread: reaching a
server that is gone can take the whole connect timeout. It repeats every few seconds while
offline and rarely while online, and runs at once when work fails on a lost connection.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from leaddesk.core.db import Database
from leaddesk.core.errors import CancelledError, LeadDeskError
from leaddesk.ui.workers import Worker, call_job

ONLINE_INTERVAL_MS = 30_000
OFFLINE_INTERVAL_MS = 3_000


class ConnectionMonitor(QObject):
    """Emits ``offline()`` when the server stops answering and ``online()`` when it is back.

    ``ping`` replaces ``db.ping`` (the tests' fake server).
    """

    offline = Signal()
    online = Signal()
    _lost = Signal()  # from any thread: queued to this object's (the GUI) thread

    def __init__(
        self, db: Database, parent: QObject | None = None, ping: Callable[[], bool] | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._ping = ping if ping is not None else db.ping
        self.is_online = True
        self._watching = False
        self._worker: Worker | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_now)
        self._lost.connect(self.check_now)

    def start(self) -> None:
        """Begin watching; a lost connection seen by any work triggers a check at once."""
        self._watching = True
        self._db.lost_listeners.append(self.report_lost)
        self._timer.start(ONLINE_INTERVAL_MS)

    def stop(self) -> None:
        """Stop watching (the window closes, or shows another database)."""
        self._watching = False
        self._timer.stop()
        if self.report_lost in self._db.lost_listeners:
            self._db.lost_listeners.remove(self.report_lost)
        if self._worker is not None:
            self._worker.cancel()

    def report_lost(self) -> None:
        """Work failed on a lost connection (called on whichever thread saw it)."""
        self._lost.emit()

    def check_now(self) -> None:
        """Ping the server now, unless a ping is already on its way."""
        if self._worker is not None:
            return
        self._timer.stop()
        worker = Worker(call_job(self._ping, "Checking the connection to the team database…"))
        worker.signals.finished.connect(self._answered)
        worker.signals.failed.connect(self._failed)
        self._worker = worker.start()

    def _answered(self, reachable: object) -> None:
        self._worker = None
        if reachable != self.is_online:
            self.is_online = bool(reachable)
            (self.online if self.is_online else self.offline).emit()
        if self._watching:
            self._timer.start(ONLINE_INTERVAL_MS if self.is_online else OFFLINE_INTERVAL_MS)

    def _failed(self, error: object) -> None:
        """A problem other than a lost connection (a refused login, say) is offline too;
        a cancelled ping means the monitor was stopped."""
        if isinstance(error, CancelledError):
            self._worker = None
            return
        if not isinstance(error, LeadDeskError):
            assert isinstance(error, BaseException)
            raise error  # a bug: the exception hook reports it
        self._answered(False)
