"""Start-up pieces: settings in the config folder, the database prompt, the exception hook."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from leaddesk import APP_NAME, paths
from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError
from leaddesk.ui import app, dialogs
from leaddesk.ui.single_instance import InstanceGuard


def test_settings_live_in_the_config_folder(qapp: QApplication) -> None:
    app.configure_application(qapp)
    assert qapp.applicationName() == APP_NAME
    settings = QSettings()
    assert settings.format() == QSettings.Format.IniFormat
    assert Path(settings.fileName()).is_relative_to(paths.config_dir())


def test_unopenable_database_explains_and_lets_the_user_quit(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    def answer_quit(box: dialogs.MessageDialog) -> int:
        shown.append(box.text.text())
        return QDialog.DialogCode.Rejected  # "Quit"

    monkeypatch.setattr(dialogs.MessageDialog, "exec", answer_quit)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    guard = InstanceGuard()
    assert app.open_database(str(junk), guard) == 1  # "Quit": the exit status
    guard.release()
    assert str(junk) in shown[0]
    assert "not a LeadDesk database" in shown[0]


@pytest.fixture
def hook() -> Iterator[dialogs.ExceptionHook]:
    hook = dialogs.ExceptionHook().install()
    yield hook
    hook.uninstall()


def open_boxes() -> list[dialogs.MessageDialog]:
    """The message boxes shown (an earlier test's box, never shown, may await collection)."""
    widgets = QApplication.topLevelWidgets()
    return [w for w in widgets if isinstance(w, dialogs.MessageDialog) and w.isVisible()]


def raise_and_catch(error: Exception) -> BaseException:
    try:
        raise error
    except Exception as caught:
        return caught


def test_a_bug_is_logged_and_shown_and_the_app_goes_on(
    qtbot: QtBot, hook: dialogs.ExceptionHook
) -> None:
    log_path = dialogs.setup_logging()
    error = raise_and_catch(ZeroDivisionError("division by zero"))
    hook(type(error), error, error.__traceback__)
    boxes = open_boxes()
    assert len(boxes) == 1
    assert str(log_path) in boxes[0].text.text()
    assert "keep working" in boxes[0].text.text()
    assert "ZeroDivisionError" in boxes[0].details.toPlainText()
    logged = log_path.read_text(encoding="utf-8")
    assert "Traceback" in logged
    assert "ZeroDivisionError: division by zero" in logged
    boxes[0].close()


def test_a_problem_of_the_world_is_a_plain_warning(
    qtbot: QtBot, hook: dialogs.ExceptionHook
) -> None:
    error = raise_and_catch(BadFileError("That file is not a spreadsheet. Choose another."))
    hook(type(error), error, error.__traceback__)
    boxes = open_boxes()
    assert [b.text.text() for b in boxes] == ["That file is not a spreadsheet. Choose another."]
    assert boxes[0].details.toPlainText() == ""
    boxes[0].close()


def test_run_gui_opens_the_window_and_imports_the_given_file(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    from leaddesk.ui.main_window import MainWindow

    book = Workbook()
    book.active.append(["Email", "Phone"])
    book.active.append(["ada@example.com", "+44 20 7946 0018"])
    book.save(tmp_path / "contacts.xlsx")
    seen: list[str] = []

    def close_when_ready() -> None:
        window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow))
        if window.import_page.preview is None:
            QTimer.singleShot(20, close_when_ready)
            return
        seen.append(window.current_page())
        seen.append(window.db.describe())
        window.close()

    QTimer.singleShot(0, close_when_ready)
    previous_hook = sys.excepthook
    assert app.run_gui(str(tmp_path / "gui.db"), tmp_path / "contacts.xlsx") == 0
    assert seen == ["import", str(tmp_path / "gui.db")]
    assert not (tmp_path / "gui.db.lock").exists()  # let go for the next launch
    assert sys.excepthook is previous_hook
    assert (paths.config_dir() / APP_NAME / f"{APP_NAME}.ini").exists()


def test_garbage_is_collected_in_the_gui_thread(qtbot: QtBot) -> None:
    import gc

    from leaddesk.ui.gc_guard import GarbageCollector

    collector = GarbageCollector().start()  # nested inside the fixture's own collector
    assert not gc.isenabled()
    threshold = gc.get_threshold()[0]
    junk = [[] for _ in range(threshold + 10)]
    for item in junk:
        item.append(item)  # cycles only the collector can free
    del junk, item
    assert gc.get_count()[0] > threshold
    collector.check()
    assert gc.get_count()[0] < threshold
    collector.stop()
    assert not gc.isenabled()  # back to the state it found: the fixture's guard still runs


def test_the_app_reopens_the_database_the_user_last_opened(
    qapp: QApplication, tmp_path: Path
) -> None:
    app.configure_application(qapp)
    assert app.last_database() is None
    chosen = tmp_path / "team.db"
    chosen.write_bytes(b"")
    QSettings().setValue("database/last", str(chosen))
    assert app.last_database() == str(chosen)
    chosen.unlink()  # moved away since: do not recreate it empty
    assert app.last_database() is None


def test_emitting_signals_keeps_python_objects_alive(qapp: QApplication) -> None:
    """PySide6 6.12.0 dropped a reference to True on every emit until Python aborted."""
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        bare = Signal()
        with_value = Signal(int)

    emitter = Emitter()
    received: list[int] = []
    emitter.bare.connect(lambda: received.append(0))
    emitter.with_value.connect(received.append)
    before = sys.getrefcount(True)
    for value in range(100):
        emitter.bare.emit()
        emitter.with_value.emit(value)
    assert len(received) == 200
    assert sys.getrefcount(True) >= before - 5  # a leak would show 200 fewer


def test_a_damaged_database_is_offered_its_latest_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaddesk.core.backups import back_up
    from leaddesk.core.leads import lead_count
    from leaddesk.core.progress import run
    from leaddesk.core.sample import load_sample

    path = tmp_path / "leads.db"
    db = Database.open(path)
    run(load_sample(db, 20))
    back_up(db, paths.backup_dir(), "daily")
    db.close()
    with path.open("r+b") as damaged:
        damaged.seek(4096)
        damaged.write(b"\xff" * 8192)
    (path.with_name(path.name + "-wal")).write_bytes(b"")  # as after a crash: check it all
    offered: list[str] = []

    def restore_it(box: dialogs.MessageDialog) -> int:
        offered.append(box.buttons.buttons()[0].text())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.MessageDialog, "exec", restore_it)
    guard = InstanceGuard()
    restored = app.open_database(str(path), guard)
    guard.release()
    assert isinstance(restored, Database)
    with restored.read() as conn:
        assert lead_count(conn) == 20
    restored.close()
    assert offered == ["Restore the latest backup"]
    assert list(tmp_path.glob("leads.db.damaged-*"))  # the damaged file kept, not overwritten


@pytest.mark.parametrize(("answer", "opened"), [(QDialog.DialogCode.Rejected, False),
                                                (QDialog.DialogCode.Accepted, True)])  # fmt: skip
def test_a_database_on_a_network_share_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: int, opened: bool
) -> None:
    warnings: list[str] = []

    def read_and_answer(box: dialogs.MessageDialog) -> int:
        warnings.append(box.text.text())
        return answer

    monkeypatch.setattr(app, "network_share_warning", lambda _: "It is on a network share (nfs).")
    monkeypatch.setattr(dialogs.MessageDialog, "exec", read_and_answer)
    guard = InstanceGuard()
    result = app.open_database(str(tmp_path / "leads.db"), guard)
    guard.release()
    assert warnings == ["It is on a network share (nfs)."]
    assert isinstance(result, Database) is opened
    if isinstance(result, Database):
        result.close()


def test_sigterm_closes_the_window_and_lets_go_of_the_database(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    """A logout or ``kill`` ends LeadDesk as its close button does, and the log says so."""
    import os
    import signal

    from leaddesk.ui.main_window import MainWindow

    def terminate_when_shown() -> None:
        if not any(isinstance(w, MainWindow) and w.isVisible() for w in qapp.topLevelWidgets()):
            QTimer.singleShot(20, terminate_when_shown)
            return
        os.kill(os.getpid(), signal.SIGTERM)

    QTimer.singleShot(0, terminate_when_shown)
    previous = signal.getsignal(signal.SIGTERM)
    assert app.run_gui(str(tmp_path / "gui.db")) == 0
    assert not (tmp_path / "gui.db.lock").exists()
    assert signal.getsignal(signal.SIGTERM) is previous
    assert f"{APP_NAME} " in dialogs.log_file().read_text(encoding="utf-8")


def test_sigterm_also_ends_a_modal_dialog_that_is_open(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    import os
    import signal

    from leaddesk.ui.main_window import MainWindow

    ended: list[int] = []

    def open_a_modal_dialog() -> None:
        shown = (w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        window = next(shown, None)  # not an earlier test's window, closed but not yet deleted
        if window is None:
            QTimer.singleShot(20, open_a_modal_dialog)
            return
        QTimer.singleShot(50, lambda: os.kill(os.getpid(), signal.SIGTERM))
        ended.append(QDialog(window).exec())  # returns once the signal closed it

    QTimer.singleShot(0, open_a_modal_dialog)
    assert app.run_gui(str(tmp_path / "gui.db")) == 0
    assert ended == [QDialog.DialogCode.Rejected]
    assert not (tmp_path / "gui.db.lock").exists()
