"""A histogram of scores under two models, with the sales-ready threshold to drag.

Active and draft counts stand side by side in each bin, so a change of rules shows as bars
moving; the draft's threshold is a line the user drags (or moves with the arrow keys), and
the active one stays as a dashed line for reference.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from leaddesk.ui import theme

ACTIVE_COLOR = QColor("#9ca3af")
DRAFT_COLOR = QColor(theme.ACCENT)
THRESHOLD_COLOR = QColor("#dc2626")
GRAB_DISTANCE = 6  # pixels either side of the line that pick it up
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 40, 12, 26, 22


class ScoreHistogram(QWidget):
    """Counts per score bin for the active model and the draft."""

    threshold_moved = Signal(float)  # the user let go of the threshold line (or used the keys)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edges: tuple[float, ...] = ()
        self.active: tuple[int, ...] = ()
        self.draft: tuple[int, ...] = ()
        self.threshold_active = 0.0
        self.threshold = 0.0
        self._dragging = False
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip(
            "Grey: the active model. Blue: your draft. Drag the red line (or use the arrow "
            "keys) to change the sales-ready threshold."
        )
        self.setAccessibleName("Score distribution, active model against draft")

    def sizeHint(self) -> QSize:
        return QSize(380, 200)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 150)

    # -- data -------------------------------------------------------------------------------
    def set_data(
        self,
        edges: Sequence[float],
        active: Sequence[int],
        draft: Sequence[int],
        threshold_active: float,
    ) -> None:
        self.edges, self.active, self.draft = tuple(edges), tuple(active), tuple(draft)
        self.threshold_active = threshold_active
        self.update()

    def set_threshold(self, value: float) -> None:
        """The draft's threshold as the model has it (not while the user drags)."""
        if not self._dragging:
            self.threshold = value
            self.update()

    # -- geometry ---------------------------------------------------------------------------
    def _plot(self) -> QRectF:
        return QRectF(self.rect()).adjusted(MARGIN_LEFT, MARGIN_TOP, -MARGIN_RIGHT, -MARGIN_BOTTOM)

    def x_of(self, value: float) -> float:
        plot = self._plot()
        low, high = self.edges[0], self.edges[-1]
        share = (min(max(value, low), high) - low) / (high - low)
        return plot.left() + share * plot.width()

    def value_at(self, x: float) -> float:
        plot = self._plot()
        low, high = self.edges[0], self.edges[-1]
        share = min(max((x - plot.left()) / max(plot.width(), 1), 0.0), 1.0)
        return float(round(low + share * (high - low)))

    def _has_data(self) -> bool:
        return len(self.edges) >= 2 and (any(self.active) or any(self.draft))

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_color = self.palette().text().color()
        if not self._has_data():
            painter.setPen(theme.muted_color(self))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No scores to show yet.")
            return
        plot = self._plot()
        top = max(max(self.active, default=0), max(self.draft, default=0), 1)
        metrics = painter.fontMetrics()

        painter.setPen(QPen(QColor(0, 0, 0, 30)))
        for step in (0.5, 1.0):
            y = plot.bottom() - plot.height() * step
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(theme.muted_color(self))
        for step in (0.5, 1.0):
            y = plot.bottom() - plot.height() * step
            label = f"{round(top * step):,}"
            painter.drawText(
                QRectF(0, y - 8, MARGIN_LEFT - 6, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )

        bins = len(self.edges) - 1
        width = plot.width() / bins
        bar = max(width * 0.38, 1.0)
        painter.setPen(Qt.PenStyle.NoPen)
        for i in range(bins):
            left = plot.left() + i * width + width * 0.1
            for offset, counts, color in (
                (0, self.active, ACTIVE_COLOR),
                (bar, self.draft, DRAFT_COLOR),
            ):
                count = counts[i] if i < len(counts) else 0
                height = plot.height() * count / top
                painter.setBrush(color)
                painter.drawRect(QRectF(left + offset, plot.bottom() - height, bar, height))

        painter.setPen(theme.muted_color(self))
        every = max(1, round(bins / max(plot.width() / (metrics.horizontalAdvance("-100") + 8), 1)))
        for i, edge in enumerate(self.edges):
            if i % every == 0 or i == bins:
                x = self.x_of(edge)
                painter.drawText(
                    QRectF(x - 24, plot.bottom() + 4, 48, MARGIN_BOTTOM - 4),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    f"{edge:g}",
                )
        painter.setPen(QPen(QColor(0, 0, 0, 60)))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())

        dashed = QPen(ACTIVE_COLOR, 1.5, Qt.PenStyle.DashLine)
        painter.setPen(dashed)
        x = self.x_of(self.threshold_active)
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        x = self.x_of(self.threshold)
        painter.setPen(QPen(THRESHOLD_COLOR, 2))
        painter.drawLine(QPointF(x, plot.top() - 4), QPointF(x, plot.bottom()))
        painter.setBrush(THRESHOLD_COLOR)
        painter.drawEllipse(QPointF(x, plot.top() - 4), 4, 4)
        label = f"Sales-ready ≥ {self.threshold:g}"
        label_width = metrics.horizontalAdvance(label) + 8
        label_left = min(max(x - label_width / 2, 0), self.width() - label_width)
        painter.setPen(text_color if not self._dragging else THRESHOLD_COLOR)
        painter.drawText(
            QRectF(label_left, 0, label_width, MARGIN_TOP - 8), Qt.AlignmentFlag.AlignCenter, label
        )

    # -- dragging ---------------------------------------------------------------------------
    def _near_line(self, x: float) -> bool:
        return self._has_data() and abs(x - self.x_of(self.threshold)) <= GRAB_DISTANCE

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._has_data():
            x = event.position().x()
            self._dragging = True
            if not self._near_line(x):  # a click elsewhere moves the line there
                self.threshold = self.value_at(x)
            self.update()
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self._dragging:
            self.threshold = self.value_at(x)
            self.update()
        near = self._dragging or self._near_line(x)
        self.setCursor(Qt.CursorShape.SizeHorCursor if near else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False
            self.threshold = self.value_at(event.position().x())
            self.update()
            self.threshold_moved.emit(self.threshold)
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}
        if event.key() in steps and self._has_data():
            big = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            self.threshold += steps[Qt.Key(event.key())] * (5 if big else 1)
            self.update()
            self.threshold_moved.emit(self.threshold)
            return
        super().keyPressEvent(event)
