"""File ▸ Restore from backup…: pick one of this database's backups (or any file) to put back.

The dialog only chooses and confirms; the window does the restoring, since it must first let
go of the database it has open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.backups import Backup, backups_of
from leaddesk.ui import dialogs, theme


@dataclass(frozen=True, slots=True)
class Choice:
    """A file to restore, and how to name it to the user ("the backup from Tue 24 Nov 09:14")."""

    path: Path
    label: str


def backup_choice(backup: Backup, now: datetime | None = None) -> Choice:
    """The year is only said when it is not this one."""
    year = " %Y" if backup.made_at.year != (now or datetime.now()).year else ""
    return Choice(backup.path, f"the backup from {backup.made_at:%a %d %b{year} %H:%M}")


class RestoreDialog(QDialog):
    """This database's backups, newest first; Restore asks once more, then emits the choice."""

    restore_requested = Signal(object)  # the Choice the user confirmed

    def __init__(self, database: Path, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self._folder = folder
        intro = QLabel(
            f"Put back an earlier state of <b>{database.name}</b>. The database as it is now "
            "is backed up first, so a restore can itself be undone."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setMinimumSize(460, 220)
        self.list.setSpacing(2)
        for backup in backups_of(database, folder):
            self._add(backup.describe(), backup_choice(backup))
        self._empty: QListWidgetItem | None = None
        if self.list.count() == 0:
            self._empty = QListWidgetItem("No backups of this database yet.")
            self._empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(self._empty)
        where = theme.muted(f"Backups are kept in {folder}")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        choose = QPushButton("Choose another file…")
        choose.setAutoDefault(False)
        choose.clicked.connect(lambda: self.choose_file())
        self.buttons = QDialogButtonBox()
        self.restore_button = self.buttons.addButton(
            "Restore", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        self.list.currentItemChanged.connect(self._update_button)
        # Not itemActivated: Enter would then both activate the item and press Restore.
        self.list.itemDoubleClicked.connect(lambda _item: self.confirm())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(where)
        row = QHBoxLayout()
        row.addWidget(choose)
        row.addStretch()
        row.addWidget(self.buttons)
        layout.addLayout(row)
        if self._empty is None:
            self.list.setCurrentRow(0)
        self._update_button()
        self.adjustSize()

    def _add(self, text: str, choice: Choice, row: int | None = None) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, choice)
        self.list.insertItem(self.list.count() if row is None else row, item)

    def _update_button(self) -> None:
        self.restore_button.setEnabled(self.chosen() is not None)

    def chosen(self) -> Choice | None:
        item = self.list.currentItem()
        choice = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return choice if isinstance(choice, Choice) else None

    def choose_file(self, path: Path | None = None) -> None:
        """Add a file from anywhere (a backup copied to a USB stick, say) and select it."""
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self,
                "Choose a backup to restore",
                str(self._folder),
                "LeadDesk databases (*.db *.sqlite *.sqlite3);;All files (*)",
            )
            if not name:
                return
            path = Path(name)
        if self._empty is not None:
            self.list.takeItem(self.list.row(self._empty))
            self._empty = None
        self._add(f"{path.name} · {path.parent}", Choice(path, f"the file {path}"), 0)
        self.list.setCurrentRow(0)

    def confirm(self) -> dialogs.MessageDialog | None:
        """Ask before replacing the database; on yes, emit the choice and close."""
        choice = self.chosen()
        if choice is None:
            return None
        box = dialogs.MessageDialog(
            "question",
            f"Replace the database with {choice.label}?\n\n"
            "The database as it is now is backed up first.",
            self,
            accept_text="Replace",
        )
        box.setWindowTitle("Restore from backup")
        box.accepted.connect(self._confirmed)  # the box is window-modal: the choice stays
        return box.show_modal()

    def _confirmed(self) -> None:
        choice = self.chosen()
        self.accept()
        self.restore_requested.emit(choice)
