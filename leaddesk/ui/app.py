"""Start the desktop app: QApplication, settings, logging, the exception hook, the database
and its single-instance lock."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget

from leaddesk import APP_ID, APP_NAME, __version__, paths
from leaddesk.core.backups import restore
from leaddesk.core.credentials import is_team_url
from leaddesk.core.db import Database
from leaddesk.core.errors import CorruptDatabaseError, LeadDeskError
from leaddesk.core.storage_checks import network_share_warning
from leaddesk.ui import dialogs, theme
from leaddesk.ui.gc_guard import GarbageCollector
from leaddesk.ui.preferences import Preferences
from leaddesk.ui.shutdown_signals import CloseOnSignal
from leaddesk.ui.single_instance import InstanceGuard, hold_or_hand_over

if TYPE_CHECKING:
    from leaddesk.ui.main_window import MainWindow


def configure_application(app: QApplication) -> None:
    """Names, icon and style; QSettings as an INI file in LeadDesk's config folder."""
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setOrganizationDomain(APP_ID.rsplit(".", 1)[0])
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(theme.app_icon())
    app.setStyle("Fusion")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(paths.config_dir())
    )


class FileOpenRequests(QObject):
    """macOS hands a double-clicked document to a running app as an event, not an argument:
    it starts an import, as ``leaddesk FILE.xlsx`` does elsewhere."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QFileOpenEvent) and event.file():
            self.window.start_import(Path(event.file()))
            return True
        return super().eventFilter(watched, event)


def follow_scheme(app: QApplication, preferences: Preferences) -> None:
    """Light or dark as the user chose, and again whenever the computer switches."""
    theme.apply_scheme(app, preferences.color_scheme)
    app.styleHints().colorSchemeChanged.connect(
        lambda _scheme: theme.apply_scheme(app, preferences.color_scheme)
    )


def open_database(
    location: str,
    guard: InstanceGuard,
    open_file: Path | None = None,
    parent: QWidget | None = None,
) -> Database | int:
    """Hold and open ``location``; on a problem explain it and offer another file.

    Instead of a database, the exit status when there is none to show: 1 when the user quits,
    0 when the launch went to the LeadDesk that already has the database open (which imports
    ``open_file``).
    """
    while True:
        status = hold_or_hand_over(guard, location, open_file)
        if status is not None:
            return status
        if not _accept_share_risk(location, parent):
            return 1
        try:
            return Database.open(location)
        except LeadDeskError as exc:
            if isinstance(exc, CorruptDatabaseError) and exc.latest_backup is not None:
                if _restore_latest(exc, parent):
                    continue
                return 1
            box = dialogs.MessageDialog(
                "warning",
                f"LeadDesk could not open the database at\n{location}\n\n{exc}",
                parent,
                accept_text="Open another file…",
                reject_text="Quit",
            )
            if box.exec() != QDialog.DialogCode.Accepted:
                return 1
            name, _ = QFileDialog.getOpenFileName(
                parent,
                "Open a LeadDesk database",
                str(paths.data_dir()),
                "LeadDesk databases (*.db *.sqlite *.sqlite3);;All files (*)",
            )
            if not name:
                return 1
            location = name


def _restore_latest(damage: CorruptDatabaseError, parent: QWidget | None) -> bool:
    """Offer the latest backup in place of a damaged database; True once it is back."""
    assert damage.latest_backup is not None
    box = dialogs.MessageDialog(
        "warning",
        str(damage),
        parent,
        accept_text="Restore the latest backup",
        reject_text="Quit",
    )
    if box.exec() != QDialog.DialogCode.Accepted:
        return False
    try:
        restore(damage.latest_backup, damage.database, paths.backup_dir())
    except LeadDeskError as exc:
        dialogs.show_problem(str(exc), parent)
        return False
    return True  # the damaged file was moved aside beside it, never overwritten


def _accept_share_risk(location: str, parent: QWidget | None) -> bool:
    """A database on a network share opens only once the user has read what can go wrong."""
    warning = network_share_warning(location)
    if warning is None:
        return True
    box = dialogs.MessageDialog(
        "warning", warning, parent, accept_text="Open it anyway", reject_text="Quit"
    )
    return box.exec() == QDialog.DialogCode.Accepted


def connect_or_open(
    location: str, guard: InstanceGuard, open_file: Path | None = None
) -> Database | int:
    """A team database is connected to through its dialog, which uses the saved password or
    asks; a user who gives up on it gets their own database. A file opens as above."""
    if is_team_url(location):
        from leaddesk.ui.connect_dialog import connect_at_start

        db = connect_at_start(location)
        if db is not None:
            return db
        location = paths.default_database()
    return open_database(location, guard, open_file)


def last_database() -> str | None:
    """The database the user last opened in the app, unless ``LEADDESK_DB`` says otherwise.

    A file that has since been moved or deleted is not recreated empty: the default is used.
    """
    if os.environ.get("LEADDESK_DB"):
        return None
    last = QSettings().value("database/last")
    if isinstance(last, str) and ("://" in last or Path(last).is_file()):
        return last
    return None


def run_gui(database: str | None = None, open_file: Path | None = None) -> int:
    """Open the main window on ``database`` (or the default one) and run until it closes.

    ``open_file`` starts an import of that spreadsheet once the window is shown, in this
    window or in the LeadDesk that already has the database open.
    """
    from leaddesk.ui.main_window import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    configure_application(app)
    dialogs.setup_logging()
    hook = dialogs.ExceptionHook().install()
    collector = GarbageCollector().start()
    guard = InstanceGuard()
    opened: Database | int = 1
    window: MainWindow | None = None
    try:
        location = database or last_database() or paths.default_database()
        opened = connect_or_open(location, guard, open_file)
        if isinstance(opened, int):
            return opened
        settings = QSettings()
        follow_scheme(app, Preferences(settings))
        window = MainWindow(opened, settings)
        dialogs.log.info("%s %s started on %s", APP_NAME, __version__, opened.describe())
        window.hold_with(guard)
        if sys.platform == "darwin":  # an application-wide filter: only where it is needed
            app.installEventFilter(FileOpenRequests(window))
        signals = CloseOnSignal(window)
        try:
            window.show()
            if open_file is not None:
                window.start_import(open_file)
            return app.exec()
        finally:
            signals.uninstall()
    finally:
        if isinstance(opened, Database):
            (window.db if window is not None else opened).close()
        guard.release()
        collector.stop()
        hook.uninstall()
