"""Recompute the draft's preview shortly after each change, off the GUI thread.

Changes come in bursts (a spin box held down, typing), so the preview waits for a short
pause, runs on a worker, and at most one runs at a time: while one runs, only the newest
request is kept and started when it ends, so no stale result is ever shown.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from leaddesk.core.db import Database
from leaddesk.core.errors import CancelledError, LeadDeskError
from leaddesk.core.scoring import editing
from leaddesk.core.scoring.model import ScoringModel
from leaddesk.core.scoring.preview import preview_job
from leaddesk.ui.workers import Worker

DELAY_MS = 300


class PreviewRunner(QObject):
    """Emits ``ready(DraftPreview)`` for the newest model it was given."""

    ready = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._wanted: ScoringModel | None = None
        self._generation = 0
        self._running = 0  # the generation the running worker computes
        self.worker: Worker | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self._start)

    @property
    def busy(self) -> bool:
        """Waiting for a pause, or computing: a result is still to come."""
        return self._timer.isActive() or self.worker is not None

    def schedule(self, model: ScoringModel) -> None:
        """Preview ``model`` after a short pause (a copy is taken now)."""
        self._wanted = editing.copy_model(model)
        self._generation += 1
        self._timer.start()
        self.busy_changed.emit(True)

    def stop(self) -> None:
        """Forget pending work (another version is shown); a running job's result is dropped."""
        self._timer.stop()
        self._wanted = None
        self._generation += 1
        if self.worker is not None:
            self.worker.cancel()

    def _start(self) -> None:
        if self.worker is not None or self._wanted is None:
            return  # the running one starts the newest request when it ends
        model, self._running = self._wanted, self._generation
        self._wanted = None
        worker = Worker(preview_job(self._db, model))
        # Bound slots: Qt drops the connections if the runner is deleted first.
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        self.worker = worker.start()

    def _finished(self, result: object) -> None:
        self._done(self._running, result, None)

    def _failed(self, error: object) -> None:
        self._done(self._running, None, error)

    def _done(self, generation: int, result: object, error: object) -> None:
        self.worker = None
        if self._wanted is not None:
            self._start()
        elif generation == self._generation:
            if error is None:
                self.ready.emit(result)
            elif isinstance(error, LeadDeskError) and not isinstance(error, CancelledError):
                self.failed.emit(str(error))
            elif not isinstance(error, CancelledError):
                assert isinstance(error, BaseException)
                raise error  # a bug: the exception hook reports it
        if not self.busy:
            self.busy_changed.emit(False)
