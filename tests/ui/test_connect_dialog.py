"""Connecting to a team database: the URL from the fields, the password in the keyring only,
failures shown in the dialog, and the window switched over on success."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from keyring.backends import fail
from keyrings import MemoryKeyring, install  # tests/keyrings.py
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from leaddesk.core.credentials import TLS_MODES, find_password, remember_password
from leaddesk.core.db import Database, LoginRefusedError, to_url
from leaddesk.ui.connect_dialog import ConnectDialog, connect_at_start
from leaddesk.ui.main_window import MainWindow

URL = "postgresql+psycopg://bob@db.example.com:6543/leads?sslmode=require"
PASSWORD = "s3cret-Pa55"


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from install(MemoryKeyring())


class PosingAsServer(Database):
    """A SQLite database that reports the URL of a team database, password included, as an
    opened PostgreSQL database would: the window works on it as on a real server."""

    @property
    def path(self) -> Path | None:
        return None


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str | None]]:
    """``Database.open`` answered by a team server that accepts only PASSWORD; records the
    passwords tried."""
    team = PosingAsServer(Database.open(tmp_path / "team.db").engine)
    tried: list[str | None] = []

    def fake_open(location: str, *, password: str | None = None) -> Database:
        tried.append(password)
        if password != PASSWORD:
            raise LoginRefusedError("The server refused the user name or password.")
        team.engine.url = to_url(location).set(password=password)
        return team

    monkeypatch.setattr(Database, "open", fake_open)
    yield tried
    team.close()


def dialog(qtbot: QtBot, url: str | None = None) -> ConnectDialog:
    shown = ConnectDialog(url)
    qtbot.addWidget(shown)
    return shown


def fill(shown: ConnectDialog, password: str = PASSWORD) -> None:
    shown.host.setText("db.example.com")
    shown.port.setValue(6543)
    shown.database_name.setText("leads")
    shown.user.setText("bob")
    shown.password.setText(password)


def test_the_fields_make_a_url_without_the_password(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    assert not shown.connect_button.isEnabled()
    fill(shown)
    assert shown.connect_button.isEnabled()
    assert shown.url() == URL
    assert PASSWORD not in shown.url()
    assert shown.password.echoMode() == shown.password.EchoMode.Password


def test_the_encryption_choice_becomes_sslmode(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    fill(shown)
    shown.ca_file.setText("/etc/team/ca.pem")
    for index, mode in enumerate(TLS_MODES):
        shown.tls.setCurrentIndex(index)
        query = sa.make_url(shown.url()).query
        assert query["sslmode"] == mode.sslmode
        verifying = mode.sslmode in ("verify-ca", "verify-full")
        assert shown.ca_row.isVisibleTo(shown) is verifying
        assert ("sslrootcert" in query) is verifying
        assert shown.tls_explanation.text() == mode.explanation
    assert shown.tls.itemText(0) == "Require encryption (recommended)"


def test_a_remembered_url_fills_the_dialog(qtbot: QtBot) -> None:
    remember_password(URL, PASSWORD)
    shown = dialog(qtbot, URL.replace("require", "verify-full") + "&sslrootcert=/ca.pem")
    assert (shown.host.text(), shown.port.value()) == ("db.example.com", 6543)
    assert (shown.database_name.text(), shown.user.text()) == ("leads", "bob")
    assert shown.tls.currentData() == "verify-full"
    assert shown.ca_file.text() == "/ca.pem"
    assert shown.password.text() == PASSWORD
    assert shown.remember.isChecked()


def test_a_failed_connection_is_shown_in_the_dialog(qtbot: QtBot) -> None:
    """A real attempt on a closed port of this computer: refused at once, no server needed."""
    shown = dialog(qtbot)
    fill(shown)
    shown.host.setText("127.0.0.1")
    shown.port.setValue(1)
    shown.tls.setCurrentIndex(shown.tls.findData("disable"))
    shown.show()
    qtbot.mouseClick(shown.connect_button, Qt.MouseButton.LeftButton)
    assert shown.busy.isVisible()
    assert not shown.host.isEnabled()
    qtbot.waitUntil(lambda: shown.problem.isVisible(), timeout=15_000)
    assert shown.problem.text().startswith("Could not reach 127.0.0.1:1. Check the address")
    assert shown.isVisible()
    assert not shown.busy.isVisible()
    assert shown.host.isEnabled()
    assert shown.connect_button.isEnabled()


@pytest.mark.usefixtures("server")
def test_a_refused_password_is_selected_for_typing_again(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    fill(shown, password="wrong")
    shown.show()
    shown.try_connect()
    qtbot.waitUntil(lambda: shown.problem.isVisible())
    assert "refused the user name or password" in shown.problem.text()
    assert shown.password.selectedText() == "wrong"


def test_without_a_keyring_the_box_is_disabled_and_says_why(qtbot: QtBot) -> None:
    for _ in install(fail.Keyring()):
        shown = dialog(qtbot)
        assert not shown.remember.isEnabled()
        assert not shown.remember.isChecked()
        assert shown.keyring_note.isVisibleTo(shown)
        assert "ask for it each time" in shown.keyring_note.text()
    assert "system keyring" in shown.remember.toolTip()


def test_the_password_goes_to_the_keyring_never_to_the_settings(
    qtbot: QtBot,
    window: MainWindow,
    settings: QSettings,
    server: list[str | None],
    memory_keyring: MemoryKeyring,
) -> None:
    shown = window.connect_team_database()
    fill(shown)
    shown.remember.setChecked(True)
    qtbot.mouseClick(shown.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.db, PosingAsServer))
    assert server == [PASSWORD]
    assert find_password(URL) == PASSWORD
    assert list(memory_keyring.passwords.values()) == [PASSWORD]
    window.close()  # writes the window's settings too
    settings.sync()
    assert settings.value("database/last") == URL
    assert PASSWORD not in Path(settings.fileName()).read_text(encoding="utf-8")
    assert PASSWORD not in window.windowTitle()
    assert PASSWORD not in window.db_label.text()


@pytest.mark.usefixtures("server")
def test_unticking_remember_forgets_the_password(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    remember_password(URL, PASSWORD)
    shown = dialog(qtbot, URL)
    assert shown.remember.isChecked()
    shown.remember.setChecked(False)
    with qtbot.waitSignal(shown.connected):
        shown.try_connect()
    assert memory_keyring.passwords == {}


def test_reopening_a_team_database_uses_the_saved_password(server: list[str | None]) -> None:
    remember_password(URL, PASSWORD)
    db = connect_at_start(URL)
    assert isinstance(db, PosingAsServer)
    assert server == [PASSWORD]


def test_reopening_without_a_saved_password_asks_with_the_dialog_filled_in(
    qtbot: QtBot, server: list[str | None]
) -> None:
    seen: list[tuple[str, str]] = []

    def answer() -> None:
        shown = QApplication.activeModalWidget()
        if not isinstance(shown, ConnectDialog):
            QTimer.singleShot(10, answer)
            return
        seen.append((shown.host.text(), shown.password.text()))
        shown.password.setText(PASSWORD)
        shown.try_connect()

    QTimer.singleShot(0, answer)
    assert isinstance(connect_at_start(URL), PosingAsServer)
    assert seen == [("db.example.com", "")]
    assert server == [PASSWORD]


def test_giving_up_at_start_returns_nothing(qtbot: QtBot) -> None:
    def cancel() -> None:
        shown = QApplication.activeModalWidget()
        if shown is None:
            QTimer.singleShot(10, cancel)
            return
        shown.reject()

    QTimer.singleShot(0, cancel)
    assert connect_at_start(URL) is None


def test_a_connection_arriving_after_cancel_is_closed(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release, closed = threading.Event(), threading.Event(), threading.Event()

    class LateDatabase:
        def close(self) -> None:
            closed.set()

    def slow_open(location: str, *, password: str | None = None) -> Any:
        started.set()
        release.wait(10)
        return LateDatabase()

    monkeypatch.setattr(Database, "open", slow_open)
    shown = dialog(qtbot)
    fill(shown)
    shown.show()
    shown.try_connect()
    assert started.wait(10)  # the server is being reached: too late to stop it
    shown.reject()
    assert not shown.isVisible()
    release.set()
    qtbot.waitUntil(closed.is_set)
    assert shown.database is None


def test_the_welcome_page_and_the_file_menu_offer_it(window: MainWindow) -> None:
    menu = window.menuBar().actions()[0].menu()
    texts = [action.text() for action in menu.actions()]
    assert "&Connect to team database…" in texts
    assert window.welcome.connect_button.text() == "Connect to a team database…"
    window.welcome.connect_button.click()
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, ConnectDialog)]
    assert len(shown) == 1
    assert shown[0].isVisible()
    assert shown[0].host.text() == ""  # the window shows a file: nothing to fill in
    shown[0].reject()
