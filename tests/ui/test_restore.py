"""The daily backup when a database opens, and File ▸ Restore from backup…."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from ui_hosts import open_main_window  # beside this file

from leaddesk import paths
from leaddesk.core.backups import Backup, back_up, backups_of
from leaddesk.core.db import Database
from leaddesk.core.leads import lead_count
from leaddesk.core.progress import run
from leaddesk.core.sample import load_sample
from leaddesk.ui.dialogs import MessageDialog
from leaddesk.ui.restore_dialog import RestoreDialog, backup_choice
from leaddesk.ui.workers import running_workers

AnswerDialog = Callable[..., list[str]]


def leads_in(db: Database) -> int:
    with db.read() as conn:
        return lead_count(conn)


def test_a_daily_backup_is_made_when_a_database_opens_without_a_recent_one(
    qtbot: QtBot, db: Database, db_path: Path, settings: QSettings
) -> None:
    window = open_main_window(qtbot, db, settings)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == "Backed up the database (daily)",
        timeout=10_000,
    )
    assert [b.reason for b in backups_of(db_path, paths.backup_dir())] == ["daily"]


def test_no_backup_is_made_when_the_last_is_less_than_a_day_old(
    qtbot: QtBot, db: Database, db_path: Path, settings: QSettings
) -> None:
    back_up(db, paths.backup_dir(), "manual")
    window = open_main_window(qtbot, db, settings)
    assert window.backup_worker is None
    qtbot.waitUntil(lambda: running_workers() == 0)
    assert [b.reason for b in backups_of(db_path, paths.backup_dir())] == ["manual"]


def test_the_restore_dialog_lists_the_databases_backups_newest_first(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    folder = paths.backup_dir()
    back_up(db, folder, "manual")
    back_up(db, folder, "daily")
    dialog = RestoreDialog(db_path, folder)
    qtbot.addWidget(dialog)
    shown = [dialog.list.item(row).text() for row in range(dialog.list.count())]
    backups = backups_of(db_path, folder)
    assert shown == [b.describe() for b in backups]
    assert " · daily · " in shown[0]
    assert dialog.chosen() == backup_choice(backups[0])
    assert dialog.restore_button.isEnabled()


def test_a_file_from_elsewhere_can_be_chosen_when_there_are_no_backups(
    qtbot: QtBot, db: Database, db_path: Path, tmp_path: Path
) -> None:
    dialog = RestoreDialog(db_path, paths.backup_dir())
    qtbot.addWidget(dialog)
    assert dialog.list.item(0).text() == "No backups of this database yet."
    assert not dialog.restore_button.isEnabled()
    copy = db.backup(tmp_path / "usb" / "leads-copy.db")
    dialog.choose_file(copy)
    assert dialog.list.count() == 1
    chosen = dialog.chosen()
    assert chosen is not None
    assert chosen.label == f"the file {copy}"
    assert dialog.restore_button.isEnabled()


def test_a_backup_is_named_by_its_day_and_time_with_the_year_only_when_another(
    tmp_path: Path,
) -> None:
    backup = Backup(tmp_path / "leads.db", datetime(2026, 11, 24, 9, 14), "daily")
    assert backup_choice(backup, datetime(2026, 12, 1)).label == (
        "the backup from Tue 24 Nov 09:14"
    )
    assert backup_choice(backup, datetime(2027, 1, 2)).label == (
        "the backup from Tue 24 Nov 2026 09:14"
    )


def test_restoring_from_the_menu_brings_back_the_backed_up_leads(
    qtbot: QtBot,
    db: Database,
    db_path: Path,
    settings: QSettings,
    answer_dialog: AnswerDialog,
) -> None:
    folder = paths.backup_dir()
    run(load_sample(db, n=30))
    back_up(db, folder, "daily")
    run(load_sample(db, n=20))
    window = open_main_window(qtbot, db, settings)
    assert window.count_label.text() == "50 leads"
    assert window.restore_action.isEnabled()

    asked = answer_dialog()  # Enter: Restore the newest backup, selected
    window.restore_action.trigger()
    qtbot.waitUntil(lambda: asked == ["Restore from backup"])
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None)
    confirm = QApplication.activeModalWidget()
    assert isinstance(confirm, MessageDialog)
    assert confirm.text.text().startswith("Replace the database with the backup from ")
    assert confirm.text.text().endswith("The database as it is now is backed up first.")
    confirmed = answer_dialog()  # Enter: Replace
    qtbot.waitUntil(lambda: confirmed == ["Restore from backup"])
    qtbot.waitUntil(lambda: window.count_label.text() == "30 leads", timeout=10_000)

    before = next(b for b in backups_of(db_path, folder) if b.reason == "before-restore")
    assert str(before.path) in window.statusBar().currentMessage()
    assert window.statusBar().currentMessage().startswith("Restored the backup from ")
    kept = Database.open(before.path, migrate=False)
    try:
        assert leads_in(kept) == 50
    finally:
        kept.close()
    assert leads_in(window.db) == 30
    window.close()
    window.db.close()


def test_the_settings_page_offers_the_restore_too(
    qtbot: QtBot, db: Database, settings: QSettings
) -> None:
    window = open_main_window(qtbot, db, settings)
    window.show_page("settings")
    button = next(
        b for b in window.settings_page.findChildren(QPushButton) if b.text() == "Restore…"
    )
    assert button.isEnabled()
    button.click()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), RestoreDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, RestoreDialog)
    dialog.reject()
