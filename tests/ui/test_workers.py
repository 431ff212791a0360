"""Workers: core jobs on the thread pool, with progress, results, failures and cancel."""

from __future__ import annotations

import gc
import threading
import types
from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError, CancelledError
from leaddesk.core.importing.pipeline import import_file
from leaddesk.core.leads import lead_count
from leaddesk.core.progress import Job, Progress
from leaddesk.ui import dialogs, workers
from leaddesk.ui.workers import Worker, call_job, cancel_all, run_with_progress


def counting(n: int) -> Job[int]:
    for i in range(n):
        yield Progress(i, n, f"step {i}")
    return n * 10


def test_worker_reports_progress_and_result(qtbot: QtBot) -> None:
    worker = Worker(counting(3))
    steps: list[tuple[int, int, str]] = []
    worker.signals.progress.connect(lambda *step: steps.append(step))
    with qtbot.waitSignal(worker.signals.finished) as blocker:
        worker.start()
    assert blocker.args == [30]
    assert steps == [(0, 3, "step 0"), (1, 3, "step 1"), (2, 3, "step 2")]


def test_worker_reports_failure(qtbot: QtBot) -> None:
    def broken() -> Job[None]:
        yield Progress(0, 1)
        raise BadFileError("That file is not a spreadsheet.")

    worker = Worker(broken())
    with qtbot.waitSignal(worker.signals.failed) as blocker:
        worker.start()
    assert isinstance(blocker.args[0], BadFileError)


def test_cancel_stops_between_yields_and_closes_the_job(qtbot: QtBot) -> None:
    entered, paused, closed = threading.Event(), threading.Event(), threading.Event()

    def slow() -> Job[str]:
        try:
            yield Progress(0, 2)
            entered.set()
            paused.wait(5)
            yield Progress(1, 2)
            return "should not finish"
        finally:
            closed.set()

    worker = Worker(slow())
    finished: list[object] = []
    worker.signals.finished.connect(finished.append)
    with qtbot.waitSignal(worker.signals.failed) as blocker:
        worker.start()
        qtbot.waitUntil(entered.is_set)
        worker.cancel()
        paused.set()
    assert isinstance(blocker.args[0], CancelledError)
    assert closed.is_set()
    assert finished == []


def big_workbook(path: Path, rows: int) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["First name", "Last name", "Email", "Phone", "Company"])
    for i in range(rows):
        sheet.append([f"Ann{i}", f"Lee{i}", f"ann{i}@example.com", f"+4420794600{i:02d}", "Acme"])
    book.save(path)
    return path


def test_cancelled_import_leaves_the_database_unchanged(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    worker = Worker(import_file(db, big_workbook(tmp_path / "leads.xlsx", 60)))
    gate = threading.Event()
    worker.signals.progress.connect(lambda *_: (worker.cancel(), gate.set()))
    with qtbot.waitSignal(worker.signals.failed) as blocker:
        worker.start()
    assert gate.is_set()
    assert isinstance(blocker.args[0], CancelledError)
    with db.read() as conn:
        assert lead_count(conn) == 0


def test_call_job_runs_a_plain_call_off_the_gui_thread(qtbot: QtBot) -> None:
    threads: list[threading.Thread] = []
    worker = Worker(call_job(lambda: threads.append(threading.current_thread()) or 7, "Reading"))
    with qtbot.waitSignal(worker.signals.finished) as blocker:
        worker.start()
    assert blocker.args == [7]
    assert threads[0] is not threading.main_thread()


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_progress_dialog_delivers_the_result(qtbot: QtBot, parent: QWidget) -> None:
    results: list[int] = []
    run_with_progress(parent, counting(5), "Counting…", results.append)
    qtbot.waitUntil(lambda: results == [50])


def test_progress_dialog_shows_problems_and_keeps_cancel_silent(
    qtbot: QtBot, parent: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        dialogs, "show_problem", lambda message, _parent=None: shown.append(message)
    )

    def broken() -> Job[None]:
        yield Progress(0, 0)
        raise BadFileError("That file is not a spreadsheet.")

    def cancelled() -> Job[None]:
        yield Progress(0, 0)
        raise CancelledError()

    run_with_progress(parent, broken(), "Reading…", lambda _: None)
    run_with_progress(parent, cancelled(), "Reading…", lambda _: None)
    qtbot.waitUntil(lambda: shown == ["That file is not a spreadsheet."])


def test_cancel_button_of_the_progress_dialog_stops_the_job(
    qtbot: QtBot, parent: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_problem", lambda text, _parent=None: shown.append(text))
    entered, release = threading.Event(), threading.Event()

    def slow() -> Job[str]:
        yield Progress(0, 2, "first half")
        entered.set()
        release.wait(5)
        yield Progress(1, 2, "second half")
        return "finished"

    done: list[str] = []
    worker = run_with_progress(parent, slow(), "Working…", done.append)
    qtbot.waitUntil(entered.is_set)
    dialog = parent.findChild(QProgressDialog)
    assert dialog is not None
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None
    assert cancel.text() == "Cancel"
    with qtbot.waitSignal(worker.signals.failed) as blocker:
        cancel.click()
        release.set()
    assert isinstance(blocker.args[0], CancelledError)
    assert done == []
    assert shown == []  # a cancel is not a problem: nothing was changed


def test_a_job_that_cannot_stop_offers_no_cancel_button(qtbot: QtBot, parent: QWidget) -> None:
    entered, release = threading.Event(), threading.Event()

    def undo_like() -> str:
        entered.set()
        release.wait(5)
        return "undone"

    done: list[str] = []
    worker = run_with_progress(
        parent, call_job(undo_like, "Undoing…"), "Undoing…", done.append, cancellable=False
    )
    qtbot.waitUntil(entered.is_set)
    dialog = parent.findChild(QProgressDialog)
    assert dialog is not None
    assert dialog.findChild(QPushButton) is None
    with qtbot.waitSignal(worker.signals.finished):
        release.set()
    assert done == ["undone"]


def test_cancel_all_stops_every_running_worker(qtbot: QtBot) -> None:
    release = threading.Event()

    def waiting() -> Job[None]:
        while True:
            yield Progress(0, 0, "waiting")
            release.wait(0.01)

    worker = Worker(waiting()).start()
    with qtbot.waitSignal(worker.signals.failed) as blocker:
        cancel_all()
    assert isinstance(blocker.args[0], CancelledError)


def test_the_pool_thread_never_holds_the_worker(qtbot: QtBot) -> None:
    """Only the GUI thread may drop a worker: its signals QObject must die in its own thread."""
    entered, release = threading.Event(), threading.Event()

    def blocked() -> Job[None]:
        yield Progress(0, 1)
        entered.set()
        release.wait(5)

    worker = Worker(blocked()).start()
    qtbot.waitUntil(entered.is_set)
    holders = [r for r in gc.get_referrers(worker) if not isinstance(r, types.FrameType)]
    assert holders == [workers._RUNNING]
    with qtbot.waitSignal(worker.signals.finished):
        release.set()
    assert workers.running_workers() == 0
