"""Scores that decay stay current while the app runs: a rescore on start and each new day.

Decay and "within the last N days" rules move once a day (``common.scoring_moment``). The
rescore runs in the background, without a dialog; when scores are already current it only
checks them (a fraction of a second), and the status bar says what changed. The day is
checked every few minutes rather than timed to midnight: a timer does not count the hours a
laptop sleeps, and a rescore still running when the day turns must be followed by another.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from leaddesk.core.db import Database
from leaddesk.core.errors import CancelledError, LeadDeskError
from leaddesk.core.scoring.common import scoring_moment
from leaddesk.core.scoring.sql import RescoreResult, rescore_job
from leaddesk.ui.workers import Worker

CHECK_MS = 5 * 60 * 1000  # how often to look whether the scoring day has turned


class DailyRescore(QObject):
    """Rescores on ``start()`` and again at every new scoring day until stopped."""

    scores_changed = Signal()
    message = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._worker: Worker | None = None
        self._moment = scoring_moment()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self._check_day)

    def start(self) -> None:
        self.timer.start()
        self.run()

    def stop(self) -> None:
        self.timer.stop()
        if self._worker is not None:
            self._worker.cancel()

    def run(self) -> None:
        """Rescore as of today, unless a rescore is still running (it checks the day after)."""
        if self._worker is not None:
            return
        self._moment = scoring_moment()
        self._worker = Worker(rescore_job(self._db))
        self._worker.signals.finished.connect(self._finished)
        self._worker.signals.failed.connect(self._failed)
        self._worker.start()

    def _check_day(self) -> None:
        if scoring_moment() != self._moment:
            self.run()

    def _finished(self, result: RescoreResult) -> None:
        self._worker = None
        self._check_day()  # the day turned while it ran
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
