"""Start the desktop app: QApplication, settings, logging, the exception hook, the database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget

from leaddesk import APP_ID, APP_NAME, __version__, paths
from leaddesk.core.db import Database
from leaddesk.core.errors import LeadDeskError
from leaddesk.ui import dialogs, theme
from leaddesk.ui.gc_guard import GarbageCollector
from leaddesk.ui.preferences import Preferences


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


def follow_scheme(app: QApplication, preferences: Preferences) -> None:
    """Light or dark as the user chose, and again whenever the computer switches."""
    theme.apply_scheme(app, preferences.color_scheme)
    app.styleHints().colorSchemeChanged.connect(
        lambda _scheme: theme.apply_scheme(app, preferences.color_scheme)
    )


def open_database(location: str, parent: QWidget | None = None) -> Database | None:
    """Open ``location``; on a problem explain it and offer another file, or None to quit."""
    while True:
        try:
            return Database.open(location)
        except LeadDeskError as exc:
            box = dialogs.MessageDialog(
                "warning",
                f"LeadDesk could not open the database at\n{location}\n\n{exc}",
                parent,
                accept_text="Open another file…",
                reject_text="Quit",
            )
            if box.exec() != QDialog.DialogCode.Accepted:
                return None
            name, _ = QFileDialog.getOpenFileName(
                parent,
                "Open a LeadDesk database",
                str(paths.data_dir()),
                "LeadDesk databases (*.db *.sqlite *.sqlite3);;All files (*)",
            )
            if not name:
                return None
            location = name


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

    ``open_file`` starts an import of that spreadsheet once the window is shown.
    """
    from leaddesk.ui.main_window import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    configure_application(app)
    dialogs.setup_logging()
    hook = dialogs.ExceptionHook().install()
    collector = GarbageCollector().start()
    db = open_database(database or last_database() or paths.default_database())
    if db is None:
        collector.stop()
        hook.uninstall()
        return 1
    window: MainWindow | None = None
    try:
        settings = QSettings()
        follow_scheme(app, Preferences(settings))
        window = MainWindow(db, settings)
        window.show()
        if open_file is not None:
            window.start_import(open_file)
        return app.exec()
    finally:
        collector.stop()
        hook.uninstall()
        (window.db if window is not None else db).close()
