"""Shared test setup: every test gets its own app folders and database, Qt runs offscreen."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Before any Qt import: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from leaddesk.core.db import Database

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Redirect every LeadDesk folder (data, config, logs, backups) into the test's tmp_path."""
    home = tmp_path / "home"
    monkeypatch.setenv("LEADDESK_HOME", str(home))
    monkeypatch.delenv("LEADDESK_DB", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "leads.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database."""
    database = Database.open(db_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def trained_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """500 sample leads and a predictive model trained on them, made once per test run."""
    from leaddesk.core.progress import run
    from leaddesk.core.sample import load_sample
    from leaddesk.core.scoring.predictive.training import train_job

    folder = tmp_path_factory.mktemp("trained")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADDESK_HOME", str(folder / "home"))
        db = Database.open(folder / "made.db")
        try:
            run(load_sample(db))
            run(train_job(db))
            return db.backup(folder / "template.db")
        finally:
            db.close()


@pytest.fixture
def trained(trained_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the trained template database for one test."""
    copy = tmp_path / "trained.db"
    copy.write_bytes(trained_template.read_bytes())
    database = Database.open(copy)
    yield database
    database.close()


@pytest.fixture
def shared_data() -> Callable[[str], Path]:
    """Finds a file of ../shared/data; skips with a reason when it is absent outside CI."""

    def find(name: str) -> Path:
        path = SHARED_DATA / name
        if not path.exists():
            if os.environ.get("CI"):
                pytest.fail(f"{path} is missing: CI must run with shared/ beside the clone")
            pytest.skip(f"{path} is not present (the shared data folder sits beside the repo)")
        return path

    return find


AnswerDialog = Callable[..., list[str]]


@pytest.fixture
def answer_dialog(qtbot: Any) -> AnswerDialog:
    """Answer the next modal dialog from the keyboard, as a user would: type ``typed``, then
    press ``key`` (Enter presses the default button, Esc cancels). Returns a list that gets
    the dialog's title once it is answered."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    def answer(key: Any = Qt.Key.Key_Return, typed: str = "") -> list[str]:
        seen: list[str] = []

        def respond() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None:
                QTimer.singleShot(10, respond)
                return
            seen.append(dialog.windowTitle())
            # Keys go where a user's would: to the dialog, once it is the active window.
            dialog.activateWindow()
            qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
            target = dialog.focusWidget() or dialog
            if typed:
                qtbot.keyClicks(target, typed)
            qtbot.keyClick(target, key)
            # Should the key not close it, the test fails on what it checks, not by hanging.
            QTimer.singleShot(2000, lambda: shiboken6.isValid(dialog) and dialog.reject())

        import shiboken6

        QTimer.singleShot(0, respond)
        return seen

    return answer
