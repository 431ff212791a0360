"""Fixtures for the window tests: settings in tmp_path, sample leads, and a worker leak guard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QLayout, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from ui_hosts import open_main_window  # beside this file

from leaddesk.core.db import Database
from leaddesk.core.progress import run
from leaddesk.core.sample import load_sample
from leaddesk.ui.gc_guard import GarbageCollector
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.workers import running_workers


@pytest.fixture(autouse=True, scope="session")
def gui_thread_gc(qapp: QApplication) -> Iterator[None]:
    """Collect garbage in the GUI thread only, as the app does (see ``ui.gc_guard``)."""
    collector = GarbageCollector().start()
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def no_leaked_workers(qtbot: QtBot) -> Iterator[None]:
    """Fail a test that leaves thread-pool work running (napari's leak guard, in short)."""
    yield
    qtbot.waitUntil(lambda: running_workers() == 0, timeout=10_000)
    assert QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def sample_db(db: Database) -> Database:
    """The test database with a few pages' worth of realistic, scored sample leads."""
    run(load_sample(db, n=450))
    return db


@pytest.fixture
def window(qtbot: QtBot, db: Database, settings: QSettings) -> MainWindow:
    """The real main window on the test database, shown and active (shortcuts need focus)."""
    return open_main_window(qtbot, db, settings)


@pytest.fixture
def host(qtbot: QtBot) -> QWidget:
    """A window of the main window's size to hold one page."""
    host = QWidget()
    layout = QVBoxLayout(host)
    # As in MainWindow: the window's minimum does not follow the page's (offscreen warns).
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    qtbot.addWidget(host)
    host.resize(1280, 800)
    return host
