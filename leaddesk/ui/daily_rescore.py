"""Scores that decay stay current while the app runs: a rescore on start and each new day.

Decay and "within the last N days" rules move once a day (``common.scoring_moment``). The
rescore runs in the background, without a dialog; when scores are already current it only
checks them (a fraction of a second), and the status bar says what changed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from leaddesk.core.db import Database
from leaddesk.core.errors import CancelledError, LeadDeskError
from leaddesk.core.scoring.common import seconds_to_next_scoring_day
from leaddesk.core.scoring.sql import RescoreResult, rescore_job
from leaddesk.ui.workers import Worker

MARGIN_MS = 5_000  # run just after the day turns, never just before


class DailyRescore(QObject):
    """Rescores on ``start()`` and again at every new scoring day until stopped."""

    scores_changed = Signal()
    message = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._worker: Worker | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run)

    def start(self) -> None:
        self.run()

    def stop(self) -> None:
        self.timer.stop()
        if self._worker is not None:
            self._worker.cancel()

    def run(self) -> None:
        """Rescore now (unless one is still running), and plan the next day's."""
        self.timer.start(int(seconds_to_next_scoring_day() * 1000) + MARGIN_MS)
        if self._worker is not None:
            return
        self._worker = Worker(rescore_job(self._db))
        self._worker.signals.finished.connect(self._finished)
        self._worker.signals.failed.connect(self._failed)
        self._worker.start()

    def _finished(self, result: RescoreResult) -> None:
        self._worker = None
        if result.changed:
            noun = "lead" if result.changed == 1 else "leads"
            self.message.emit(f"Scores updated for today: {result.changed:,} {noun} changed.")
            self.scores_changed.emit()

    def _failed(self, error: object) -> None:
        self._worker = None
        if isinstance(error, CancelledError):
            return
        if isinstance(error, LeadDeskError):  # e.g. the database stayed busy: next time then
            self.message.emit(f"Scores could not be updated for today: {error}")
            return
        assert isinstance(error, BaseException)
        raise error  # a bug: the exception hook logs it and tells the user
