"""One LeadDesk per database file: the lock, its recovery, and later launches handed over."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtCore import QLockFile, QSettings, QSysInfo, Qt
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from leaddesk import paths
from leaddesk.core.db import Database
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.single_instance import (
    HolderDialog,
    InstanceGuard,
    database_file,
    forward,
    hold_or_hand_over,
    server_name,
)

# Windows come forward with raise(), which the offscreen platform only warns about.
raises_window = pytest.mark.qt_log_ignore("This plugin does not support raise")


@pytest.fixture
def guards(qtbot: QtBot) -> Iterator[list[InstanceGuard]]:
    """Guards made by a test, each standing for one LeadDesk; released at its end."""
    made: list[InstanceGuard] = []
    yield made
    for guard in made:
        guard.release()


def new_guard(guards: list[InstanceGuard]) -> InstanceGuard:
    guard = InstanceGuard()
    guards.append(guard)
    return guard


def spreadsheet(folder: Path) -> Path:
    book = Workbook()
    book.active.append(["Email", "Phone"])
    book.active.append(["ada@example.com", "+44 20 7946 0018"])
    path = folder / "contacts.xlsx"
    book.save(path)
    return path


def test_a_second_lock_on_the_same_file_is_refused_with_the_holders_info(
    db_path: Path, guards: list[InstanceGuard]
) -> None:
    first, second = new_guard(guards), new_guard(guards)
    assert first.claim(db_path) is None
    holder = second.claim(db_path)
    assert holder is not None
    assert holder.pid == os.getpid()
    assert holder.hostname == QSysInfo.machineHostName()
    assert holder.appname  # the program's name, as Qt wrote it
    assert holder.on_this_computer
    assert holder.lock_file == db_path.with_name("leads.db.lock")
    assert second.database is None
    first.release()
    assert not holder.lock_file.exists()
    assert second.claim(db_path) is None


def test_a_lock_left_by_a_killed_process_is_recovered(
    db_path: Path, guards: list[InstanceGuard]
) -> None:
    lock_file = db_path.with_name("leads.db.lock")
    code = (
        "import sys, time\n"
        "from PySide6.QtCore import QLockFile\n"
        "lock = QLockFile(sys.argv[1])\n"
        "assert lock.tryLock(0)\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(lock_file)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "locked\n"
    child.kill()
    child.wait()
    child.stdout.close()
    assert lock_file.exists()  # a crash leaves it behind

    assert new_guard(guards).claim(db_path) is None
    pid, _host, _app = QLockFile(str(lock_file)).getLockInfo()
    assert pid == os.getpid()


def write_foreign_lock(lock_file: Path) -> None:
    """A lock as LeadDesk on another computer leaves it on a shared folder."""
    lock_file.write_text("4242\nleaddesk\nsales-laptop\n", encoding="utf-8")


def test_a_file_held_from_another_computer_says_who_holds_it(
    db_path: Path, guards: list[InstanceGuard], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_foreign_lock(db_path.with_name("leads.db.lock"))
    shown: list[str] = []

    def answer_quit(box: HolderDialog) -> int:
        shown.append(box.text.text())
        return QDialog.DialogCode.Rejected  # "Quit", the default

    monkeypatch.setattr(HolderDialog, "exec", answer_quit)
    assert hold_or_hand_over(new_guard(guards), str(db_path), None) == 1
    assert "open in LeadDesk on another computer" in shown[0]
    assert "Computer: sales-laptop\nProgram: leaddesk, process 4242" in shown[0]
    assert "close LeadDesk on sales-laptop" in shown[0]
    assert str(db_path.with_name("leads.db.lock")) in shown[0]


def test_open_anyway_takes_over_a_lock_its_computer_left_behind(
    db_path: Path, guards: list[InstanceGuard], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_foreign_lock(db_path.with_name("leads.db.lock"))
    monkeypatch.setattr(HolderDialog, "exec", lambda _box: QDialog.DialogCode.Accepted)
    guard = new_guard(guards)
    assert hold_or_hand_over(guard, str(db_path), None) is None
    assert guard.database == db_path
    assert QLockFile(str(db_path.with_name("leads.db.lock"))).getLockInfo()[0] == os.getpid()


def test_a_folder_that_cannot_take_the_lock_uses_the_data_folder(
    tmp_path: Path, guards: list[InstanceGuard]
) -> None:
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    database = tmp_path / "not-a-folder" / "leads.db"  # no lock file can go beside it
    assert new_guard(guards).claim(database) is None
    holder = new_guard(guards).claim(database)
    assert holder is not None
    assert holder.lock_file.parent == paths.data_dir() / "locks"


def test_only_database_files_are_locked(tmp_path: Path, guards: list[InstanceGuard]) -> None:
    assert database_file(str(tmp_path / "a" / ".." / "leads.db")) == tmp_path / "leads.db"
    assert database_file(f"sqlite:///{tmp_path / 'leads.db'}") == tmp_path / "leads.db"
    assert database_file("postgresql://sales@db.example.com/leads") is None
    guard = new_guard(guards)
    assert hold_or_hand_over(guard, "postgresql://sales@db.example.com/leads", None) is None
    assert guard.database is None


@pytest.fixture
def held_window(
    qtbot: QtBot, db: Database, settings: QSettings, guards: list[InstanceGuard]
) -> MainWindow:
    """The main window holding its database, as ``run_gui`` leaves it."""
    guard = new_guard(guards)
    assert guard.claim(db.path) is None
    main = MainWindow(db, settings)
    qtbot.addWidget(main)
    main.hold_with(guard)
    main.show()
    qtbot.waitExposed(main)
    return main


@raises_window
def test_a_later_launch_brings_the_minimized_window_forward(
    qtbot: QtBot, held_window: MainWindow, db_path: Path
) -> None:
    held_window.showMinimized()
    qtbot.waitUntil(held_window.isMinimized)
    assert forward(db_path, None)
    qtbot.waitUntil(lambda: not held_window.windowState() & Qt.WindowState.WindowMinimized)
    qtbot.waitUntil(held_window.isActiveWindow)
    assert held_window.current_page() != "import"


@raises_window
def test_a_later_launch_with_a_spreadsheet_starts_its_import(
    qtbot: QtBot, held_window: MainWindow, db_path: Path, tmp_path: Path
) -> None:
    book = spreadsheet(tmp_path)
    assert forward(db_path, book)
    qtbot.waitUntil(lambda: held_window.import_page.preview is not None, timeout=10_000)
    assert held_window.current_page() == "import"
    assert held_window.import_page.path == book


@raises_window
def test_leaddesk_launched_again_hands_its_file_over_and_exits(
    qtbot: QtBot, held_window: MainWindow, db_path: Path, tmp_path: Path
) -> None:
    """The real thing: a second process, as a double-click on a spreadsheet starts it."""
    book = spreadsheet(tmp_path)
    second = subprocess.Popen(
        [sys.executable, "-m", "leaddesk", "--db", str(db_path), book.name], cwd=tmp_path
    )
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=20_000)
    assert second.returncode == 0
    qtbot.waitUntil(lambda: held_window.import_page.preview is not None, timeout=10_000)
    assert held_window.import_page.path == book  # sent as a full path


def test_switching_database_moves_the_lock(
    held_window: MainWindow, db_path: Path, tmp_path: Path, guards: list[InstanceGuard]
) -> None:
    other = tmp_path / "other.db"
    held_window.open_database(other)
    assert held_window.db.path == other
    assert held_window.guard is not None
    assert held_window.guard.database == other
    assert other.with_name("other.db.lock").exists()
    assert not db_path.with_name("leads.db.lock").exists()
    assert new_guard(guards).claim(db_path) is None  # free for another LeadDesk now
    held_window.db.close()


def test_opening_a_database_another_window_holds_brings_that_window_forward(
    qtbot: QtBot, held_window: MainWindow, db: Database, tmp_path: Path, guards: list[InstanceGuard]
) -> None:
    elsewhere = new_guard(guards)
    assert elsewhere.claim(tmp_path / "theirs.db") is None
    with qtbot.waitSignal(elsewhere.launched) as launched:
        held_window.open_database(tmp_path / "theirs.db")
    assert launched.args == [None]
    assert held_window.db is db  # this window stays as it was
    assert held_window.guard is not None
    assert held_window.guard.database == db.path
    assert "already open in another LeadDesk window" in held_window.statusBar().currentMessage()
    assert not (tmp_path / "theirs.db").exists()  # not even created


def test_a_message_that_makes_no_sense_still_brings_the_window_forward(
    qtbot: QtBot, guards: list[InstanceGuard], db_path: Path
) -> None:
    guard = new_guard(guards)
    assert guard.claim(db_path) is None
    for junk in (b"\xff not json\n", b'["a list"]\n', b'{"import": 3}\n'):
        socket = QLocalSocket()
        socket.connectToServer(server_name(db_path))
        assert socket.waitForConnected(2000)
        with qtbot.waitSignal(guard.launched) as launched:
            socket.write(junk)
            socket.flush()
        assert launched.args == [None]
        socket.disconnectFromServer()
