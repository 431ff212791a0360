"""The model's headline figures as tiles: a value and a caption that can both change,
since what a figure means ("on 41 leads it never saw") depends on the model."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from leaddesk.ui import theme
from leaddesk.ui.widgets.stat_tiles import tile


class HeadlineTiles(QWidget):
    """One card per (key, value size): ``set(key, value, caption)`` fills one in."""

    def __init__(self, tiles: Sequence[tuple[str, float]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards: dict[str, QFrame] = {}
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        for column, (key, size) in enumerate(tiles):
            value = QLabel()
            value.setFont(theme.scaled_font(value, size, bold=True))
            caption = theme.muted()
            card = tile(value, caption)
            layout.addWidget(card, 0, column)
            layout.setColumnStretch(column, 1)
            self.cards[key] = card
            self.values[key] = value
            self.captions[key] = caption

    def set(self, key: str, value: str, caption: str) -> None:
        self.values[key].setText(value)
        self.captions[key].setText(caption)
