"""The day so far: calls against the target, connects, meetings, calls by hour, what remains."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from leaddesk.core.activities import Outcome
from leaddesk.core.queue import DayProgress
from leaddesk.ui import theme
from leaddesk.ui.widgets.stat_tiles import StatTiles

FIRST_HOUR, LAST_HOUR = 7, 20  # the hours always shown; calls outside widen the chart


class HourBars(QWidget):
    """Calls per local hour as bars, labelled with the hour and the count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.by_hour: dict[int, int] = {}
        self.setMinimumHeight(160)

    def set_hours(self, by_hour: dict[int, int]) -> None:
        self.by_hour = dict(by_hour)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 180)

    def hours(self) -> list[int]:
        first = min([FIRST_HOUR, *self.by_hour])
        last = max([LAST_HOUR, *self.by_hour])
        return list(range(first, last + 1))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        hours = self.hours()
        top = max(self.by_hour.values(), default=0) or 1
        text_height = self.fontMetrics().height()
        chart = QRectF(self.rect()).adjusted(0, text_height + 4, 0, -(text_height + 6))
        slot = chart.width() / len(hours)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        for i, hour in enumerate(hours):
            calls = self.by_hour.get(hour, 0)
            x = chart.left() + i * slot
            height = chart.height() * calls / top
            bar = QRectF(x + slot * 0.15, chart.bottom() - height, slot * 0.7, height)
            painter.fillRect(bar, QColor(theme.ACCENT))
            painter.setPen(text)
            if calls:
                above = QRectF(x, bar.top() - text_height - 2, slot, text_height)
                painter.drawText(above, Qt.AlignmentFlag.AlignCenter, str(calls))
            label = QRectF(x, chart.bottom() + 4, slot, text_height)
            painter.setPen(theme.muted_color(self))
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, f"{hour}")
        painter.end()


class DaySummaryDialog(QDialog):
    """Today's calls for the rep, and how many leads are left in the queue."""

    def __init__(self, today: DayProgress, left: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your day so far")
        self.tiles = StatTiles(
            [
                ("calls", f"calls of {today.target}"),
                ("connects", "connects"),
                ("meetings", "meetings booked"),
                ("left", "left in the queue"),
            ]
        )
        self.tiles.set(
            calls=today.calls, connects=today.connects, meetings=today.meetings, left=left
        )
        self.bars = HourBars()
        self.bars.set_hours(today.by_hour)
        labels = {outcome.value: outcome.label for outcome in Outcome}
        parts = [
            f"{labels.get(outcome, outcome)} {count}"
            for outcome, count in sorted(today.outcomes.items(), key=lambda item: -item[1])
        ]
        self.outcomes = theme.muted(" · ".join(parts) if parts else "No calls logged yet today.")
        self.outcomes.setWordWrap(True)
        self.remaining = QLabel(_remaining_text(today, left))
        self.remaining.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.tiles)
        layout.addWidget(theme.heading("Calls by hour", 1.1))
        layout.addWidget(self.bars, 1)
        layout.addWidget(self.outcomes)
        layout.addWidget(self.remaining)
        layout.addWidget(buttons)
        self.resize(620, 440)
        self.adjustSize()  # settle the size before the window exists


def _remaining_text(today: DayProgress, left: int) -> str:
    if today.remaining == 0:
        return f"Daily target of {today.target} calls reached. Well done."
    if left < today.remaining:
        return (
            f"{today.remaining} calls to the target, but only {left} leads are left to call "
            "today: import more leads or widen the queue settings."
        )
    return f"{today.remaining} calls to go to reach today's target of {today.target}."
