"""The score badge: a coloured pill with the score and its tier, drawn the same everywhere;
and the probability badge that sits beside it."""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget

from leaddesk.ui import theme


def badge_text(score: float | None, tier: str | None, grade: str | None = None) -> str:
    """ "86 · Hot · A"; an unscored lead reads "Not scored".

    The score is rounded down, so a 39.5 (Cold under a band starting at 40) never reads "40".
    """
    if score is None:
        return "Not scored"
    return " · ".join(p for p in (str(math.floor(score)), tier, grade) if p)


def percent_text(percent: float | None) -> str:
    """A stored probability (0-100) as people read it: "64%"; nothing when there is none."""
    return "" if percent is None else f"{percent:.0f}%"


def badge_size(metrics: QFontMetrics, text: str) -> QSize:
    return QSize(metrics.horizontalAdvance(text) + 16, metrics.height() + 6)


def paint_badge(painter: QPainter, rect: QRect, text: str, tier: str | None) -> None:
    """Draw a pill for ``tier`` holding ``text``, vertically centred, left-aligned in ``rect``."""
    size = badge_size(painter.fontMetrics(), text)
    pill = QRectF(
        rect.left() + 0.5,
        rect.top() + (rect.height() - size.height()) / 2,
        min(size.width(), rect.width() - 1),
        size.height(),
    )
    background, foreground = theme.tier_colors(tier)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
    painter.setPen(foreground)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


class ScoreBadge(QWidget):
    """A standalone badge for the queue's lead card."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._tier: str | None = None
        font = theme.scaled_font(self, 1.15, bold=True)
        self.setFont(font)

    def set_score(self, score: float | None, tier: str | None, grade: str | None) -> None:
        self._text = badge_text(score, tier, grade)
        self._tier = tier
        self.setToolTip(f"Score {self._text}")
        self.updateGeometry()
        self.update()

    def text(self) -> str:
        return self._text

    def sizeHint(self) -> QSize:
        return badge_size(self.fontMetrics(), self._text) + QSize(2, 2)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._text:
            painter = QPainter(self)
            paint_badge(painter, self.rect(), self._text, self._tier)


class ProbabilityBadge(QLabel):
    """The predictive model's chance for a lead, "64% likely", outlined so the score stays the
    louder of the two; hidden while the lead has no probability."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(theme.scaled_font(self, 1.05, bold=True))
        # The palette's link colour reads on light and dark backgrounds alike.
        self.setStyleSheet(
            "QLabel { color: palette(link); border: 1px solid palette(link);"
            " border-radius: 10px; padding: 1px 8px; }"
        )
        self.hide()

    def set_probability(self, percent: float | None) -> None:
        self.setText(f"{percent_text(percent)} likely")
        self.setToolTip(
            f"The predictive model gives this lead a {percent:g}% chance"
            if percent is not None
            else ""
        )
        self.setVisible(percent is not None)
