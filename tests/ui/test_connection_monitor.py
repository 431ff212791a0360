"""Issue 8: the window says "Offline — reconnecting…" while the team server is gone, shows
fresh data once it is back, and a dialog whose save failed keeps what the user typed."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.errors import ConnectionLostError
from leaddesk.core.leads import LeadFilter, get_lead, list_leads
from leaddesk.ui import dialogs
from leaddesk.ui.connection_monitor import ConnectionMonitor
from leaddesk.ui.lead_detail import LeadDetailDialog
from leaddesk.ui.lead_detail import dialog as detail_module
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.preferences import Preferences
from leaddesk.ui.workers import running_workers


class FakeServer:
    """Answers the monitor's pings as the test says, counting them."""

    def __init__(self) -> None:
        self.up = True
        self.pings = 0

    def ping(self) -> bool:
        self.pings += 1
        return self.up


def test_the_window_says_offline_until_the_server_answers_again(
    qtbot: QtBot, window: MainWindow, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = FakeServer()
    monitor = ConnectionMonitor(db, window, ping=server.ping)
    window.watch_connection(monitor)
    refreshed: list[bool] = []
    monkeypatch.setattr(window, "refresh", lambda: refreshed.append(True))
    assert not window.offline_label.isVisible()

    server.up = False
    db.lost_listeners[0]()  # work somewhere failed on a lost connection: check at once
    qtbot.waitUntil(lambda: window.offline_label.isVisible())
    assert window.offline_label.text() == "Offline — reconnecting…"
    assert not refreshed

    server.up = True
    with qtbot.waitSignal(monitor.online):
        monitor.check_now()
    assert not window.offline_label.isVisible()
    assert refreshed == [True]  # the pages show what the server holds now
    window.close()
    assert db.lost_listeners == []  # a closed window stops watching
    qtbot.waitUntil(lambda: running_workers() == 0)


def test_a_file_database_is_not_watched(window: MainWindow) -> None:
    assert window.monitor is None
    assert not window.offline_label.isVisible()


def test_a_save_that_loses_the_connection_keeps_what_was_typed(
    qtbot: QtBot,
    sample_db: Database,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with sample_db.read() as conn:
        lead_id = int(list_leads(conn, LeadFilter(), limit=1)[0]["id"])
        before = get_lead(conn, lead_id)
    detail = LeadDetailDialog(sample_db, lead_id, Preferences(settings))
    qtbot.addWidget(detail)
    detail.show()
    detail.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is detail)
    shown: list[str] = []
    monkeypatch.setattr(
        dialogs, "show_problem", lambda message, _parent=None: shown.append(message)
    )

    def lose_connection(*_args: Any) -> None:
        raise ConnectionLostError()

    monkeypatch.setattr(detail_module, "save_changes", lose_connection)
    company = detail.form.editor("company")
    assert isinstance(company, QLineEdit)
    company.setFocus()
    company.selectAll()
    qtbot.keyClicks(company, "Typed Before The Drop Ltd")
    qtbot.keyClick(company, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert shown == [str(ConnectionLostError())]
    assert detail.isVisible()
    assert company.text() == "Typed Before The Drop Ltd"
    assert detail.form.changes() == {"company": "Typed Before The Drop Ltd"}
    with sample_db.read() as conn:
        assert get_lead(conn, lead_id)["company"] == before["company"]
    detail.form.load(detail.lead())  # nothing left unsaved: closing asks nothing
