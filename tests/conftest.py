"""Shared test setup: every test gets its own app folders and database, Qt runs offscreen."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

# Before any Qt import: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from postgres_server import required_programs, throwaway_server  # beside this file

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
def db(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A fresh, migrated database: SQLite, or PostgreSQL for tests marked ``both_backends``
    (which then run once on each)."""
    if backend == "postgresql":
        yield request.getfixturevalue("postgres_db")
        return
    database = Database.open(db_path)
    yield database
    database.close()


# -- PostgreSQL: a throwaway server for the tests that run on both engines ------------------
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = metafunc.definition.get_closest_marker
    if "backend" in metafunc.fixturenames and marked("both_backends") and not marked("sqlite_only"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The engine under test: SQLite unless the test is marked ``both_backends``."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[sa.URL]:
    """An administrator URL of a PostgreSQL server for this test run.

    ``LEADDESK_TEST_POSTGRES`` names an existing server; otherwise a throwaway one is started
    from the installed server programs (``scripts/install-system-deps.sh --tests``). In CI
    a missing server fails the run: these tests must never be skipped there.
    """
    given = os.environ.get("LEADDESK_TEST_POSTGRES")
    if given:
        yield sa.make_url(given)
        return
    with throwaway_server(required_programs()) as url:
        yield url


def _admin(server: sa.URL) -> sa.Engine:
    return sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


@pytest.fixture(scope="session")
def postgres_template(postgres_server: sa.URL) -> sa.URL:
    """A migrated, empty LeadDesk database each test's database is copied from."""
    url = postgres_server.set(database="leaddesk_template")
    with _admin(postgres_server).connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS leaddesk_template")
        conn.exec_driver_sql("CREATE DATABASE leaddesk_template")
    Database.open(url.render_as_string(hide_password=False)).close()
    return url


@pytest.fixture
def postgres_db(postgres_server: sa.URL, postgres_template: sa.URL) -> Iterator[Database]:
    """A fresh, migrated PostgreSQL database for one test, dropped afterwards."""
    name = f"test_{os.getpid()}_{next(_NUMBERS)}"
    admin = _admin(postgres_server)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE leaddesk_template')
    database = Database.open(postgres_server.set(database=name).render_as_string(False))
    yield database
    database.close()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


_NUMBERS = itertools.count(1)


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
def refusing_server(monkeypatch: pytest.MonkeyPatch, db: Database) -> list[str | None]:
    """A team server (the test database behind it) that lets in only the password "right";
    records the passwords tried."""
    from leaddesk.core.db import LoginRefusedError

    tried: list[str | None] = []

    def fake_open(location: str, *, password: str | None = None) -> Database:
        tried.append(password)
        if password != "right":
            raise LoginRefusedError("The server refused the user name or password.")
        return db

    monkeypatch.setattr(Database, "open", fake_open)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    return tried


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
