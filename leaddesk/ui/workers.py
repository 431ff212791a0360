"""Run core jobs (generators of ``Progress``) on the thread pool, with progress and Cancel.

The job runs on a ``QThreadPool`` thread and reports through one long-lived relay
``QObject`` that lives in the GUI thread; the relay hands each report to the worker's own
``signals``, so slots always run in the GUI thread and no widget is touched from the worker.
The pool thread holds no reference to a ``Worker`` or its signals: were it to drop the last
one, the signals ``QObject`` would be destroyed in the wrong thread, with its queued events
still pending (a rare crash). Cancel is checked between two yields: the worker stops
iterating and closes the generator, which core guarantees leaves the database unchanged.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from leaddesk.core.errors import CancelledError, LeadDeskError
from leaddesk.core.progress import Job, Progress

T = TypeVar("T")

# Workers that have not reported their end yet, by id; the GUI thread alone touches this.
_RUNNING: dict[int, Worker] = {}
_IDS = itertools.count(1)


def call_job(function: Callable[[], T], message: str) -> Job[T]:
    """A one-step job around a plain call, so slow reads also run off the GUI thread."""
    yield Progress(0, 0, message)
    return function()


class WorkerSignals(QObject):
    """What a worker reports; created and only ever used in the GUI thread."""

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)


class _Relay(QObject):
    """Carries reports from pool threads to the GUI thread, where it lives for good."""

    progress = Signal(int, int, int, str)
    ended = Signal(int, bool, object)

    def __init__(self) -> None:
        super().__init__()
        self.progress.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)
        self.ended.connect(self._deliver_end, Qt.ConnectionType.QueuedConnection)

    def _deliver_progress(self, worker_id: int, done: int, total: int, message: str) -> None:
        worker = _RUNNING.get(worker_id)
        if worker is not None:
            worker.signals.progress.emit(done, total, message)

    def _deliver_end(self, worker_id: int, succeeded: bool, value: object) -> None:
        worker = _RUNNING.get(worker_id)
        if worker is None:
            return
        try:
            (worker.signals.finished if succeeded else worker.signals.failed).emit(value)
        finally:
            del _RUNNING[worker_id]


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
    return _relay


def _run(worker_id: int, job: Job[Any], cancelled: threading.Event, relay: _Relay) -> None:
    """The pool thread's part: iterate the job and report, holding no Qt object but the relay."""
    try:
        while not cancelled.is_set():
            try:
                step = next(job)
            except StopIteration as stop:
                relay.ended.emit(worker_id, True, stop.value)
                return
            relay.progress.emit(worker_id, step.done, step.total, step.message)
        job.close()
        relay.ended.emit(worker_id, False, CancelledError())
    except BaseException as exc:  # reported to the GUI thread, which decides what to show
        relay.ended.emit(worker_id, False, exc)


class Worker:
    """One core job on the global thread pool."""

    def __init__(self, job: Job[Any]) -> None:
        self.signals = WorkerSignals()
        self._job = job
        self._cancelled = threading.Event()
        self._id = next(_IDS)

    def start(self) -> Worker:
        """Run the job; connect to ``signals`` before this, so no report is missed."""
        _RUNNING[self._id] = self
        task = partial(_run, self._id, self._job, self._cancelled, _the_relay())
        QThreadPool.globalInstance().start(task)
        return self

    def cancel(self) -> None:
        """Ask the job to stop at its next yield; ``failed`` then carries a CancelledError."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


def cancel_all() -> None:
    """Ask every running worker to stop at its next step."""
    for worker in list(_RUNNING.values()):
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


class LatestLoader(QObject):
    """Reads a page's data with a core job on the thread pool, so a large database never
    freezes the window; emits ``loaded(result)`` for the newest load, or ``failed(message)``.

    Data that changed is read again at once if the page is shown, else when it is next shown
    (once, however many changes came meanwhile). At most one load runs at a time: asking
    again while one runs cancels it (it stops at its next step) and starts afresh when it
    ends, so a page only ever shows what was read after the last change.
    """

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, make_job: Callable[[], Job[Any]], page: QWidget) -> None:
        super().__init__(page)
        self._make_job = make_job
        self._page = page
        self._stale = True
        self._again = False
        self.worker: Worker | None = None
        page.installEventFilter(self)

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def refresh(self) -> None:
        """The data changed: read it again now if the page is shown, else when it is."""
        self._stale = True
        if self._page.isVisible():
            self.load()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._page and event.type() == QEvent.Type.Show and self._stale:
            # Once this turn's events are done: the window may call ``refresh`` right after
            # showing the page, and one load is enough.
            QTimer.singleShot(0, self, self._load_if_stale)
        return False

    def _load_if_stale(self) -> None:
        if self._stale and self._page.isVisible():
            self.load()

    def load(self) -> None:
        """Read now; a load already running is dropped for this one."""
        self._stale = False
        if self.worker is not None:
            self._again = True
            self.worker.cancel()
            return
        self._again = False
        worker = Worker(self._make_job())
        # Bound slots: Qt drops the connections if the loader is deleted first.
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        self.worker = worker.start()

    def _finished(self, result: object) -> None:
        self._ended(result, None)

    def _failed(self, error: object) -> None:
        self._ended(None, error)

    def _ended(self, result: object, error: object) -> None:
        self.worker = None
        if self._again:
            self.load()
        elif error is None:
            self.loaded.emit(result)
        elif isinstance(error, LeadDeskError) and not isinstance(error, CancelledError):
            self._stale = True  # try again when the page is next shown
            self.failed.emit(str(error))
        elif not isinstance(error, CancelledError):
            assert isinstance(error, BaseException)
            raise error  # a bug: the exception hook reports it
