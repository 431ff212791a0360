"""The bar that appears over the leads table when leads are selected: act on all of them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QWidget

from leaddesk.core.fields import LEAD_STATUSES
from leaddesk.ui import theme

BAR_STYLE = (
    "QWidget#bulkBar { background: rgba(37, 99, 235, 0.10);"
    " border: 1px solid rgba(37, 99, 235, 0.35); border-radius: 8px; }"
)


class BulkBar(QWidget):
    """``requested`` carries an action kind ("owner", "status", "tag", "do_not_call",
    "rescore", "export", "delete") and, for a status, the status chosen."""

    requested = Signal(str, object)
    select_all_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bulkBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(BAR_STYLE)
        self.label = QLabel()
        self.label.setFont(theme.scaled_font(self.label, 1.0, bold=True))
        self.select_all = QPushButton()
        self.select_all.setFlat(True)
        self.select_all.setStyleSheet(f"color: {theme.ACCENT}; text-decoration: underline;")
        self.select_all.clicked.connect(self.select_all_requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        row.addWidget(self.label)
        row.addWidget(self.select_all)
        row.addStretch()
        self.buttons: dict[str, QPushButton | QToolButton] = {}
        for kind, text in (("owner", "Assign…"), ("status", "Set status"), ("tag", "Add tag…"),
                           ("do_not_call", "Do not call"), ("rescore", "Rescore"),
                           ("export", "Export…"), ("delete", "Delete…")):  # fmt: skip
            button: QPushButton | QToolButton
            if kind == "status":
                button = QToolButton()
                button.setText(text)
                button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
                menu = QMenu("Set status", button)
                for status in LEAD_STATUSES:
                    action = QAction(status.capitalize(), menu)
                    action.triggered.connect(
                        lambda _=False, s=status: self.requested.emit("status", s)
                    )
                    menu.addAction(action)
                button.setMenu(menu)
            else:
                button = QPushButton(text)
                button.clicked.connect(lambda _=False, k=kind: self.requested.emit(k, None))
            self.buttons[kind] = button
            row.addWidget(button)

    def show_selection(self, selected: int, matching: int, filtered: bool) -> None:
        """Say what is selected, and offer to extend a page selection to every match."""
        everything = selected == matching
        noun = "matching lead" if filtered else "lead"
        if everything and matching > 1:
            self.label.setText(f"All {matching:,} {noun}s selected")
        else:
            self.label.setText(f"{selected:,} selected")
        self.select_all.setText(f"Select all {matching:,} {noun}s")
        self.select_all.setVisible(not everything)
