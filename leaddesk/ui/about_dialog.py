"""Help ▸ About: the version, where the data and logs are, and what LeadDesk is built from.

The licences dialog lists every bundled component with its licence text; Qt and Qt for
Python come first with the notice the LGPL asks for (they are separate, replaceable
libraries, and where their source is).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from leaddesk import APP_NAME, __version__, paths
from leaddesk.core.db import Database
from leaddesk.notices import Component, components, lgpl_text
from leaddesk.ui import theme
from leaddesk.ui.dialogs import icon_beside


def qt_notice() -> str:
    """What the LGPL asks of an application that ships Qt: which terms, and how to replace it."""
    bundle = getattr(sys, "_MEIPASS", None)  # the installed app's library folder
    where = f"in {Path(bundle) / 'PySide6'}" if bundle else "in this Python environment's PySide6"
    return (
        f"{APP_NAME} uses Qt {qVersion()} and Qt for Python (PySide6 {pyside_version}) under "
        "the GNU Lesser General Public License version 3. They are shipped as separate shared "
        f"libraries, changed in nothing but their debug symbols, {where}; you may replace them "
        "with your own build of the same version. Their source code is at https://code.qt.io. "
        "Qt is a trademark of The Qt Company Ltd."
    )


class AboutDialog(QDialog):
    """Version, where the database and logs are, and the way to the licences."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        icon = QLabel()
        icon.setPixmap(theme.app_icon().pixmap(64, 64))
        self.text = QLabel(
            f"<h2>{APP_NAME} {__version__}</h2>"
            "<p>A lead-scoring desk for small sales teams: import, score, call, export.</p>"
            f"<p><b>Database:</b> {html.escape(db.describe())}<br>"
            f"<b>Log folder:</b> {html.escape(str(paths.log_dir()))}</p>"
            f"<p>{APP_NAME} is free software under the GNU General Public License v3 or later. "
            f"It is built with Python, Qt {qVersion()} and PySide6 {pyside_version} (used "
            "under the GNU LGPL v3) and the packages listed under Licences.</p>"
        )
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumWidth(440)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.licences_button = QPushButton("&Licences…")
        buttons.addButton(self.licences_button, QDialogButtonBox.ButtonRole.HelpRole)
        self.licences_button.clicked.connect(self.show_licences)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(icon_beside(icon, self.text))
        layout.addWidget(buttons)

    def show_licences(self) -> LicencesDialog:
        dialog = LicencesDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class LicencesDialog(QDialog):
    """Every bundled component on the left; its licence, in its own words, on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Licences")
        notice = QLabel(qt_notice())
        notice.setWordWrap(True)
        notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.components = [self._qt_component(), *components()]
        self.list = QListWidget()
        for component in self.components:
            self.list.addItem(f"{component.name} {component.version} — {component.licence}")
            item = self.list.item(self.list.count() - 1)
            item.setToolTip(item.text())  # long licence expressions do not fit the column
        self.list.setMinimumWidth(300)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(notice)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self._show)
        self.list.setCurrentRow(0)
        layout.activate()  # the size is settled before the window exists
        self.resize(860, 560)

    def _qt_component(self) -> Component:
        return Component("Qt", qVersion(), "LGPL-3.0-only", (("LGPL-3.0.txt", lgpl_text()),))

    def _show(self, row: int) -> None:
        if row < 0:
            return
        texts = self.components[row].texts
        self.text.setPlainText(
            "\n\n".join(f"── {name} ──\n\n{text.strip()}" for name, text in texts)
            or "No licence file is shipped with this package; see its project page."
        )
