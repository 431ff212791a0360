"""The main window: welcome state, sidebar, status bar, menus, drag-and-drop, about, settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import QMimeData, QPoint, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFileOpenEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from leaddesk import __version__, paths
from leaddesk.core.activities import Outcome
from leaddesk.core.db import Database
from leaddesk.core.progress import run
from leaddesk.core.sample import load_sample
from leaddesk.ui import dialogs
from leaddesk.ui.app import FileOpenRequests
from leaddesk.ui.dialogs import MessageDialog
from leaddesk.ui.main_window import DEFAULT_SIZE, PAGES, MainWindow
from leaddesk.ui.workers import running_workers


def contacts(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Email", "Phone", "Company"])
    sheet.append(["Ada Lovelace", "ada@example.com", "+44 20 7946 0018", "Analytical"])
    sheet.append(["Grace Hopper", "grace@example.com", "+1 202 555 0143", "Navy"])
    book.save(path)
    return path


def idle() -> bool:
    return running_workers() == 0


def test_empty_database_opens_on_the_welcome_screen(window: MainWindow, db: Database) -> None:
    assert window.outer.currentWidget() is window.welcome
    assert window.welcome.import_button.text() == "Import a spreadsheet…"
    assert window.welcome.sample_button.text() == "Try with sample data"
    assert window.db_label.text() == f"Database: {db.describe()}"
    assert window.count_label.text() == "0 leads"


def test_sample_data_button_fills_the_queue(qtbot: QtBot, window: MainWindow) -> None:
    window.welcome.sample_button.click()
    qtbot.waitUntil(lambda: window.current_page() == "queue" and idle())
    assert window.outer.currentWidget() is window.workspace
    assert window.count_label.text() == "500 leads"
    assert window.queue_page.current_entry() is not None


def test_sidebar_switches_pages(qtbot: QtBot, sample_db: Database, settings: QSettings) -> None:
    window = MainWindow(sample_db, settings)
    qtbot.addWidget(window)
    window.show()  # pages load what they show when they are seen
    assert window.outer.currentWidget() is window.workspace
    for row, (key, label) in enumerate(PAGES):
        item = window.sidebar.item(row)
        assert item.text() == label
        rect = window.sidebar.visualItemRect(item)
        qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.current_page() == key
        assert window.pages.currentIndex() == row
    dashboard = window.dashboard_page
    qtbot.waitUntil(lambda: dashboard.stack.currentWidget() is dashboard.content)
    assert window.scoring_page.title.text() == window.scoring_page.model.name
    assert window.leads_page.model.rowCount() == 450


def test_status_bar_follows_calls(qtbot: QtBot, sample_db: Database, settings: QSettings) -> None:
    window = MainWindow(sample_db, settings)
    qtbot.addWidget(window)
    assert window.count_label.text() == "450 leads"
    window.show_page("leads")
    window.show_page("queue")
    window.queue_page.next_lead()
    assert window.leads_page not in window._stale
    window.queue_page.log(Outcome.NO_ANSWER)
    assert window.leads_page in window._stale  # reread when next shown
    assert window.queue_page not in window._stale
    assert window.count_label.text() == "450 leads"


def drag_event(kind: type[QDragEnterEvent] | type[QDropEvent], path: Path) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = kind(
        QPoint(10, 10),  # both event types take it, in every PySide6 we support
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    event.mime = mime  # type: ignore[attr-defined]  # keeps the data alive with the event
    return event


def test_dropping_a_spreadsheet_starts_an_import(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    refused = drag_event(QDragEnterEvent, tmp_path / "report.pdf")
    QApplication.sendEvent(window, refused)
    assert not refused.isAccepted()

    path = contacts(tmp_path / "contacts.xlsx")
    enter = drag_event(QDragEnterEvent, path)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, drag_event(QDropEvent, path))

    assert window.current_page() == "import"
    qtbot.waitUntil(lambda: window.import_page.steps.currentIndex() == window.import_page.MAPPING)
    assert window.import_page.preview is not None
    assert window.import_page.preview.headers == ["Name", "Email", "Phone", "Company"]


def test_a_document_opened_from_the_finder_starts_an_import(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, tmp_path: Path
) -> None:
    """macOS sends a double-clicked spreadsheet to the running app as a FileOpen event."""
    requests = FileOpenRequests(window)
    qapp.installEventFilter(requests)
    try:
        QApplication.sendEvent(qapp, QFileOpenEvent(str(contacts(tmp_path / "contacts.xlsx"))))
        assert window.current_page() == "import"
        qtbot.waitUntil(
            lambda: window.import_page.steps.currentIndex() == window.import_page.MAPPING
        )
    finally:
        qapp.removeEventFilter(requests)


def test_about_dialog_says_version_database_logs_and_licence(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    dialog = window.show_about()
    text = dialog.text.text()
    assert __version__ in text
    assert db.describe() in text
    assert str(paths.log_dir()) in text
    assert "LGPL" in text
    assert dialog.isVisible()
    dialog.close()


def test_licences_list_qt_first_with_the_lgpl_notice_then_every_package(
    qtbot: QtBot, window: MainWindow
) -> None:
    about = window.show_about()
    licences = about.show_licences()
    assert licences.isVisible()
    rows = [licences.list.item(row).text() for row in range(licences.list.count())]
    assert rows[0].startswith("Qt ")
    assert "LGPL-3.0-only" in rows[0]
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in licences.text.toPlainText()
    assert any(row.startswith("scikit-learn ") for row in rows)
    licences.list.setCurrentRow(next(i for i, row in enumerate(rows) if row.startswith("openpyxl")))
    assert "Permission is hereby granted" in licences.text.toPlainText()  # openpyxl's MIT text
    licences.close()
    about.close()


def test_window_geometry_is_remembered(qtbot: QtBot, db: Database, settings: QSettings) -> None:
    first = MainWindow(db, settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(1100, 700)
    first.show_page("scoring")
    first.close()
    second = MainWindow(db, settings)
    qtbot.addWidget(second)
    # The offscreen screen is small, so restoreGeometry may narrow the window to fit it.
    assert second.size() != DEFAULT_SIZE
    assert second.height() == 700
    assert second.current_page() == "scoring"


def test_export_writes_a_workbook(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    run(load_sample(window.db, n=20))
    window.export_leads(tmp_path / "out")  # the .xlsx suffix is added
    target = tmp_path / "out.xlsx"
    qtbot.waitUntil(lambda: target.exists() and idle())
    assert load_workbook(target).active.max_row == 21
    assert "Exported 20 leads" in window.statusBar().currentMessage()


def test_open_database_switches_the_window(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    other = Database.open(tmp_path / "other.db")
    run(load_sample(other, n=15))
    other.close()
    window.open_database(tmp_path / "other.db")
    assert window.db.path == tmp_path / "other.db"
    assert window.count_label.text() == "15 leads"
    assert window.outer.currentWidget() is window.workspace
    assert window.queue_page.current_entry() is not None
    window.db.close()


def test_open_database_problem_is_a_warning(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_problem", lambda text, _parent=None: shown.append(text))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    window.open_database(junk)
    assert len(shown) == 1
    assert "not a LeadDesk database" in shown[0]
    assert window.db.path != junk  # the window stays on its database


def test_quit_and_import_shortcuts_exist(window: MainWindow) -> None:
    assert window.import_action.shortcut().toString() == "Ctrl+I"
    assert window.export_action.shortcut().toString() == "Ctrl+E"
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Go", "&Help"]
    assert not any(isinstance(w, MessageDialog) for w in QApplication.topLevelWidgets())


def test_sidebar_icons_are_redrawn_to_read_on_a_dark_palette(
    window: MainWindow, qtbot: QtBot
) -> None:
    from leaddesk.ui import theme

    def brightest(row: int) -> int:
        image = window.sidebar.item(row).icon().pixmap(22, 22).toImage()
        return max(
            image.pixelColor(x, y).lightness()
            for x in range(image.width())
            for y in range(image.height())
            if image.pixelColor(x, y).alpha() > 128
        )

    def all_light() -> bool:
        return all(brightest(row) > 160 for row in range(len(PAGES)))

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert brightest(0) < 128  # dark lines on a light window
    theme.apply_scheme(app, "dark")
    try:
        qtbot.waitUntil(all_light)  # the palette change reaches the window as an event
    finally:
        theme.apply_scheme(app, "light")
    qtbot.waitUntil(lambda: brightest(0) < 128)
