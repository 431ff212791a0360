"""Small pieces the lead detail's widgets share: local times, secondary text, the problem
colour, and a label that elides instead of stretching the dialog."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TypeVar

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


def local_text(moment: datetime, zone: tzinfo) -> str:
    """A moment in the user's time zone, as a person reads it: "Tue 14 Apr 2026, 09:30"."""
    return f"{moment.astimezone(zone):%a %d %b %Y, %H:%M}"


Label = TypeVar("Label", bound=QLabel)


def secondary(label: Label) -> Label:
    """Make ``label`` secondary text: the palette's soft colour, so it suits light and dark."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def soft_color(widget: QWidget) -> str:
    """The palette's soft text colour as an opaque ``#rrggbb`` for rich text, which would
    drop its transparency (Qt's light palette draws it as half-transparent black)."""
    palette = widget.palette()
    soft = palette.color(QPalette.ColorRole.PlaceholderText)
    base = palette.color(QPalette.ColorRole.Base)
    alpha = soft.alphaF()
    mixed = [
        round(alpha * s + (1 - alpha) * b)
        for s, b in (
            (soft.red(), base.red()),
            (soft.green(), base.green()),
            (soft.blue(), base.blue()),
        )
    ]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


class ElidedLabel(QLabel):
    """One line of text that ends in "…" when it does not fit, with the whole text as tooltip.

    A long name or company would otherwise widen the dialog past the screen.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        return QSize(40, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width(), 40)
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))
