"""File ▸ Export…: which leads to export, and to which file, asked in one small dialog.

The dialog only asks. The caller counts the leads (core), passes the counts in, and runs
``core.exporting.export_xlsx`` with what comes back; the file's extension (.xlsx or .csv)
chooses the format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

Scope = Literal["all", "shown", "selected", "queue"]
SUFFIXES = (".xlsx", ".csv")
_FILTERS = {".xlsx": "Excel workbook (*.xlsx)", ".csv": "CSV file, UTF-8 (*.csv)"}


@dataclass(frozen=True, slots=True)
class ExportCounts:
    """What each choice would export, for the dialog's labels."""

    all: int
    shown: int
    shown_in_words: str  # the Leads page's filter, as ``exporting.describe_filter`` says it
    selected: int
    queue: int


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """What to export and where: the caller turns ``scope`` into a lead filter."""

    scope: Scope
    path: Path


class ExportDialog(QDialog):
    """Four choices (a choice with nothing in it is disabled) and a file to write."""

    def __init__(
        self, counts: ExportCounts, folder: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self._folder = folder or Path.home()
        self.group = QButtonGroup(self)
        self.buttons: dict[Scope, QRadioButton] = {}
        options: list[tuple[Scope, str, int]] = [
            ("all", f"All leads ({counts.all:,})", counts.all),
            ("shown", f"The leads shown ({counts.shown:,}: {counts.shown_in_words})", counts.shown),
            ("selected", f"The selected leads ({counts.selected:,})", counts.selected),
            ("queue", f"Today's call queue ({counts.queue:,})", counts.queue),
        ]
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What to export"))
        for scope, text, count in options:
            button = QRadioButton(text)
            button.setEnabled(count > 0)
            self.group.addButton(button)
            self.buttons[scope] = button
            layout.addWidget(button)
        preferred: tuple[Scope, ...] = ("selected", "shown", "all", "queue")
        enabled = [s for s in preferred if self.buttons[s].isEnabled()]
        first: Scope = enabled[0] if enabled else "all"
        self.buttons[first].setChecked(True)

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Choose a file: .xlsx for Excel, .csv for CSV")
        self.path_edit.setMinimumWidth(360)
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse)
        layout.addWidget(QLabel("To the file"))
        layout.addLayout(row)

        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.path_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.adjustSize()

    def scope(self) -> Scope:
        return next(s for s, button in self.buttons.items() if button.isChecked())

    def path(self) -> Path | None:
        """The file to write, ending in .xlsx or .csv (.xlsx added to any other name)."""
        text = self.path_edit.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        return path if path.suffix.lower() in SUFFIXES else path.with_name(path.name + ".xlsx")

    def choice(self) -> ExportChoice | None:
        path = self.path()
        return None if path is None else ExportChoice(self.scope(), path)

    def choose_file(self) -> None:
        """Ask for the file with the system's dialog; its file type decides a missing
        extension."""
        current = self.path()
        name = "queue.xlsx" if self.scope() == "queue" else "leads.xlsx"
        start = current or self._folder / name
        chosen, selected = QFileDialog.getSaveFileName(
            self,
            "Export to",
            str(start),
            ";;".join(_FILTERS.values()),
            _FILTERS[start.suffix.lower() if start.suffix.lower() in SUFFIXES else ".xlsx"],
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in SUFFIXES:
            suffix = ".csv" if selected == _FILTERS[".csv"] else ".xlsx"
            path = path.with_name(path.name + suffix)
        self.path_edit.setText(str(path))

    def _update_ok(self) -> None:
        self.ok.setEnabled(bool(self.path_edit.text().strip()))


def ask_export(
    parent: QWidget | None, counts: ExportCounts, folder: Path | None = None
) -> ExportChoice | None:
    """The user's choice, or None if they cancelled."""
    dialog = ExportDialog(counts, folder, parent)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
