"""Showing things in the UI tests: the real main window, or one page in a bare host.

Imported by ``conftest.py`` and the tests beside it (``from ui_hosts import …``).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.ui.main_window import MainWindow


def open_main_window(qtbot: QtBot, db: Database, settings: QSettings) -> MainWindow:
    """The real main window on ``db``, shown and active (shortcuts need focus)."""
    main = MainWindow(db, settings)
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitExposed(main)
    return main


def show_loaded(qtbot: QtBot, host: QWidget, page: QWidget, timeout: int) -> None:
    """Show ``page`` in ``host`` and wait for its ``loaded``: what it shows has been read."""
    host.layout().addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=timeout):  # type: ignore[attr-defined]
        host.show()
    qtbot.waitExposed(host)
