"""A row of number tiles ("312 new leads", "41 updated"): the import's review and summary."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from leaddesk.ui import theme


def tile(value: QLabel, caption: QLabel) -> QFrame:
    """A card with a large value over its muted caption, both centred."""
    card = QFrame()
    card.setObjectName("card")
    card.setStyleSheet(theme.CARD_STYLE)
    value.setAlignment(Qt.AlignmentFlag.AlignCenter)
    caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
    box = QVBoxLayout(card)
    box.addWidget(value, 1)
    box.addWidget(caption)
    return card


class StatTiles(QWidget):
    """One card per (key, caption); ``set`` fills in the numbers."""

    def __init__(self, tiles: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.numbers: dict[str, QLabel] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        for column, (key, caption) in enumerate(tiles):
            number = QLabel("0")
            number.setFont(theme.scaled_font(number, 2.2, bold=True))
            text = theme.muted(caption)
            text.setWordWrap(True)
            layout.addWidget(tile(number, text), 0, column)
            self.numbers[key] = number

    def set(self, **values: int) -> None:
        for key, value in values.items():
            self.numbers[key].setText(f"{value:,}")
