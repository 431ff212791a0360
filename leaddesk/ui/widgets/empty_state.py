"""A centred empty state: an icon, a title, a sentence and the actions that fill the space."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from leaddesk.ui import theme

TEXT_WIDTH = 560


class EmptyState(QWidget):
    """What a page shows when it has nothing to show yet, and how to change that."""

    def __init__(
        self,
        icon: QIcon,
        title: str,
        text: str,
        parent: QWidget | None = None,
        *,
        icon_size: int = 64,
    ) -> None:
        super().__init__(parent)
        self.icon_label = QLabel()
        self.icon_label.setPixmap(icon.pixmap(QSize(icon_size, icon_size)))
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = theme.heading(title, 1.8)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = theme.muted(text)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setFixedWidth(TEXT_WIDTH)  # a wrapped label needs a width to know its height
        self.text.setFont(theme.scaled_font(self.text, 1.1))
        self.details = QVBoxLayout()
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(12)
        self.buttons.addStretch()
        self.buttons.addStretch()
        self.footer = theme.muted()
        self.footer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.footer.hide()

        column = QVBoxLayout(self)
        column.addStretch(3)
        column.addWidget(self.icon_label)
        column.addSpacing(8)
        column.addWidget(self.title)
        text_row = QHBoxLayout()
        text_row.addStretch()
        text_row.addWidget(self.text)
        text_row.addStretch()
        column.addLayout(text_row)
        column.addLayout(self.details)
        column.addSpacing(20)
        column.addLayout(self.buttons)
        column.addSpacing(12)
        column.addWidget(self.footer)
        column.addStretch(4)

    def add_button(
        self, text: str, slot: Callable[[], object], *, icon: QIcon | None = None, primary: bool
    ) -> QPushButton:
        """A large button; the primary one is the highlighted default."""
        button = QPushButton(text)
        if icon is not None:
            button.setIcon(icon)
            button.setIconSize(QSize(20, 20))
        button.setMinimumSize(220, 44)
        button.setFont(theme.scaled_font(button, 1.1, bold=primary))
        if primary:
            button.setDefault(True)
            button.setStyleSheet(
                f"QPushButton {{ background: {theme.ACCENT}; color: white; border: none;"
                " border-radius: 6px; padding: 8px 18px; }"
                " QPushButton:hover { background: #1d4ed8; }"
            )
        button.clicked.connect(slot)
        self.buttons.insertWidget(self.buttons.count() - 1, button)
        return button

    def set_footer(self, text: str) -> None:
        self.footer.setText(text)
        self.footer.setVisible(bool(text))
