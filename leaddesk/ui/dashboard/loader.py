"""Read the dashboard on the thread pool, so a million leads never freeze the window.

At most one load runs at a time. Asking again while one runs cancels it (it stops between
two queries) and starts afresh when it ends, so only numbers read after the last change are
ever shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from PySide6.QtCore import QObject, Signal

from leaddesk.core.dashboard import dashboard_job
from leaddesk.core.db import Database
from leaddesk.core.errors import CancelledError, LeadDeskError
from leaddesk.ui.workers import Worker


class DashboardLoader(QObject):
    """Emits ``loaded(Dashboard)`` for the newest load, or ``failed(message)``."""

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(
        self, db: Database, zone: Callable[[], tzinfo], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._zone = zone
        self._again = False
        self.worker: Worker | None = None

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def load(self) -> None:
        """Read the dashboard now; a load already running is dropped for this one."""
        if self.worker is not None:
            self._again = True
            self.worker.cancel()
            return
        self._again = False
        worker = Worker(dashboard_job(self._db, self._zone()))
        # Bound slots: Qt drops the connections if the loader is deleted first.
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        self.worker = worker.start()

    def _finished(self, dashboard: object) -> None:
        self._ended(dashboard, None)

    def _failed(self, error: object) -> None:
        self._ended(None, error)

    def _ended(self, dashboard: object, error: object) -> None:
        self.worker = None
        if self._again:
            self.load()
        elif error is None:
            self.loaded.emit(dashboard)
        elif isinstance(error, LeadDeskError) and not isinstance(error, CancelledError):
            self.failed.emit(str(error))
        elif not isinstance(error, CancelledError):
            assert isinstance(error, BaseException)
            raise error  # a bug: the exception hook reports it
