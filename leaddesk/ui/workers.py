"""Run core jobs (generators of ``Progress``) on the thread pool, with progress and Cancel.

The job runs on a ``QThreadPool`` thread and only talks back through the signals of a
separate ``QObject`` that lives in the GUI thread, so slots always run in the GUI thread and
no widget is touched from the worker. Cancel is checked between two yields: the worker stops
iterating and closes the generator, which core guarantees leaves the database unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from leaddesk.core.errors import CancelledError
from leaddesk.core.progress import Job, Progress

T = TypeVar("T")

# Workers still running; holding them here keeps them alive until their last signal.
_RUNNING: set[Worker] = set()


def call_job(function: Callable[[], T], message: str) -> Job[T]:
    """A one-step job around a plain call, so slow reads also run off the GUI thread."""
    yield Progress(0, 0, message)
    return function()


class WorkerSignals(QObject):
    """What a worker reports; created in the GUI thread, so receivers run there."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)


class Worker:
    """One core job on the global thread pool."""

    def __init__(self, job: Job[Any]) -> None:
        self.signals = WorkerSignals()
        self._job = job
        self._cancelled = threading.Event()

    def start(self) -> Worker:
        """Run the job; connect to ``signals`` before this, so no report is missed."""
        # Connected last, so the worker (and its signals) outlive every other slot.
        self.signals.finished.connect(self._forget)
        self.signals.failed.connect(self._forget)
        _RUNNING.add(self)
        QThreadPool.globalInstance().start(self._run)
        return self

    def cancel(self) -> None:
        """Ask the job to stop at its next yield; ``failed`` then carries a CancelledError."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def _run(self) -> None:
        try:
            while not self._cancelled.is_set():
                try:
                    step = next(self._job)
                except StopIteration as stop:
                    self.signals.finished.emit(stop.value)
                    return
                self.signals.progress.emit(step.done, step.total, step.message)
            self._job.close()
            self.signals.failed.emit(CancelledError())
        except BaseException as exc:  # reported to the GUI thread, which decides what to show
            self.signals.failed.emit(exc)

    def _forget(self, _result: object) -> None:
        _RUNNING.discard(self)


def cancel_all() -> None:
    """Ask every running worker to stop at its next step."""
    for worker in list(_RUNNING):
        worker.cancel()


def running_workers() -> int:
    """How many workers have not reported their end yet (tests wait for zero)."""
    return len(_RUNNING)


def run_with_progress(
    parent: QWidget,
    job: Job[T],
    title: str,
    on_done: Callable[[T], None],
    on_failed: Callable[[BaseException], None] | None = None,
    *,
    cancellable: bool = True,
) -> Worker:
    """Run ``job`` behind a window-modal progress dialog with a Cancel button.

    A job that cannot stop part-way (one plain call, see ``call_job``, that writes) passes
    ``cancellable=False``: a Cancel button that cannot cancel would mislead.

    ``on_done`` receives the job's result. A failure goes to ``on_failed``, or by default to
    the user: a cancel is silent (nothing changed), a ``LeadDeskError`` becomes a warning, and
    anything else is a bug for the exception hook.
    """
    from leaddesk.ui import dialogs

    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title.rstrip("…."))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(420)
    if not cancellable:
        dialog.setCancelButton(None)
    worker = Worker(job)

    def show_progress(done: int, total: int, message: str) -> None:
        if dialog.wasCanceled():
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if message:
            dialog.setLabelText(message)

    def close_dialog() -> None:
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()

    def finished(result: object) -> None:
        close_dialog()
        on_done(result)  # type: ignore[arg-type]

    def failed(error: object) -> None:
        close_dialog()
        assert isinstance(error, BaseException)
        if on_failed is not None:
            on_failed(error)
        elif not isinstance(error, CancelledError):
            dialogs.report(error, parent)

    dialog.canceled.connect(worker.cancel)
    worker.signals.progress.connect(show_progress)
    worker.signals.finished.connect(finished)
    worker.signals.failed.connect(failed)
    return worker.start()
