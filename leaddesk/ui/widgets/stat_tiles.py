"""A row of number tiles ("312 new leads", "41 updated"): the import's review and summary."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from leaddesk.ui import theme


class StatTiles(QWidget):
    """One card per (key, caption); ``set`` fills in the numbers."""

    def __init__(self, tiles: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.numbers: dict[str, QLabel] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        for column, (key, caption) in enumerate(tiles):
            tile = QFrame()
            tile.setObjectName("card")
            tile.setStyleSheet(theme.CARD_STYLE)
            number = QLabel("0")
            number.setFont(theme.scaled_font(number, 2.2, bold=True))
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            text = theme.muted(caption)
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
            text.setWordWrap(True)
            box = QVBoxLayout(tile)
            box.addWidget(number)
            box.addWidget(text)
            layout.addWidget(tile, 0, column)
            self.numbers[key] = number

    def set(self, **values: int) -> None:
        for key, value in values.items():
            self.numbers[key].setText(f"{value:,}")
