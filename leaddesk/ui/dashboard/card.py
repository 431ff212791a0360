"""A card holding one chart: its title, a line on how to read it, and bars that click through.

The charts draw on a transparent background with axis, grid and legend colours taken from
the palette, and are restyled when the palette changes, so they read the same in light and
dark. Each bar set remembers the ``Bar`` behind each of its bars: a click emits it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from functools import partial

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
)
from PySide6.QtCore import QEvent, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from leaddesk.core.dashboard import Bar
from leaddesk.ui import theme

# Colours of the stacked series, by key: tiers as their badges, call outcomes by feeling.
SERIES_COLORS = {
    **{tier: background for tier, (background, _text) in theme.TIER_COLORS.items()},
    "meeting": "#16a34a",
    "connected": "#2563eb",
    "voicemail": "#8b5cf6",
    "no-answer": "#94a3b8",
    "not-interested": "#f59e0b",
    "wrong-number": "#ef4444",
    "do-not-call": "#be123c",
    "created": theme.ACCENT,
    "updated": "#7dd3fc",
    "leads": theme.ACCENT,
}
OTHER_COLORS = ("#14b8a6", "#a855f7", "#64748b", "#eab308", "#ec4899")
CLICK_HINT = "Click to see these leads."


def series_color(key: str, index: int) -> QColor:
    """The colour of series ``key``; one LeadDesk does not know takes a spare colour."""
    return QColor(SERIES_COLORS.get(key, OTHER_COLORS[index % len(OTHER_COLORS)]))


def short_count(value: float) -> str:
    """An axis label: 950, 1.5k, 20k, 1.2M."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:g}"


def count_axis(top: int, ticks: int = 4) -> QCategoryAxis:
    """An axis from 0 in at most ``ticks`` round steps, labelled "20k" rather than "20000"."""
    magnitude = 10 ** math.floor(math.log10(max(top / ticks, 1)))
    step = next(m * magnitude for m in (1, 2, 5, 10) if top / (m * magnitude) <= ticks)
    steps = max(1, math.ceil(top / step))
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setStartValue(0)
    for i in range(1, steps + 1):
        axis.append(short_count(i * step), i * step)
    axis.setRange(0, steps * step)
    return axis


def unique(labels: Sequence[str]) -> list[str]:
    """``labels`` made unique with invisible zero-width spaces: QtCharts drops repeated
    categories, and two imports of one file on one day read the same."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, -1) + 1
        result.append(label + "\u200b" * seen[label])
    return result


class ChartCard(QFrame):
    """One chart on a card; ``bar_clicked(Bar)`` when the user clicks a bar."""

    bar_clicked = Signal(object)

    def __init__(self, title: str, unit: str = "leads", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setStyleSheet(theme.CARD_STYLE)
        self.unit = unit
        self.title = theme.heading(title, 1.1)
        self.subtitle = theme.muted()
        self.view = QChartView()
        self.view.setAccessibleName(title)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setStyleSheet("background: transparent;")
        self.view.setMinimumHeight(200)
        # No height of its own to ask for: the cards share the page's height, and the page
        # scrolls only once they reach their minimum.
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.empty = theme.muted()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        # The legend is a label that wraps: QtCharts' own cuts names short ("No ans…").
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bars: list[Sequence[Bar]] = []
        """For each bar set, in the order added, the Bar behind each of its bars."""
        self.tips: list[Sequence[str]] = []
        self.keys: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 8)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.legend)
        self.chart = self.new_chart()

    # -- building ---------------------------------------------------------------------------
    def new_chart(self) -> QChart:
        """A fresh, empty chart in the view (the previous one, with its series, is deleted)."""
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundVisible(False)
        chart.setPlotAreaBackgroundVisible(False)
        chart.setMargins(QMargins(0, 8, 16, 0))  # room for the last axis labels
        chart.layout().setContentsMargins(0, 0, 0, 0)
        chart.legend().hide()
        old = self.view.chart()
        self.view.setChart(chart)
        if old is not None:
            old.deleteLater()
        self.chart = chart
        self.bars, self.tips, self.keys = [], [], []
        self.legend.hide()
        self.view.show()
        self.empty.hide()
        return chart

    def add_bars(
        self,
        series: QAbstractBarSeries,
        label: str,
        color: QColor,
        bars: Sequence[Bar],
        values: Sequence[float] | None = None,
        tips: Sequence[str] | None = None,
    ) -> QBarSet:
        """A bar set of ``bars`` (drawn at ``values``, their counts by default)."""
        bar_set = QBarSet(label)
        bar_set.append([float(v) for v in (values or [bar.count for bar in bars])])
        bar_set.setColor(color)
        bar_set.setBorderColor(color)
        index = len(self.bars)
        self.bars.append(bars)
        self.tips.append(tips or [self._tip(bar, label) for bar in bars])
        bar_set.clicked.connect(partial(self.click, index))
        bar_set.hovered.connect(partial(self._hovered, index))
        series.append(bar_set)
        self.add_key("■", color, label)
        return bar_set

    def _tip(self, bar: Bar, label: str) -> str:
        """ "Hot, grade A: 265 leads"; the set's name is added where the description lacks it
        ("Leads from crm.xlsx (Nov 3), updated: 40 leads")."""
        what = bar.description
        if label.casefold() not in what.casefold():
            what += f", {label.casefold()}"
        return f"{what}: {bar.count:,} {self.unit}"

    def add_key(self, symbol: str, color: QColor, label: str) -> None:
        """An entry of the legend; it shows once there are two."""
        name = html.escape(label).replace(" ", "&nbsp;")  # lines break between entries only
        self.keys.append(f"<span style='color:{color.name()}'>{symbol}</span>&nbsp;{name}")
        self.legend.setText(" &nbsp; ".join(self.keys))
        self.legend.setVisible(len(self.keys) > 1)

    def attach(
        self, series: QAbstractBarSeries, *axes: tuple[QAbstractAxis, Qt.AlignmentFlag]
    ) -> None:
        """Put ``series`` on the chart with its axes, and style the whole in the palette."""
        self.chart.addSeries(series)
        for axis, alignment in axes:
            self.chart.addAxis(axis, alignment)
            series.attachAxis(axis)
        self.restyle()

    def show_empty(self, text: str) -> None:
        """No chart, a sentence instead: empty axes say nothing."""
        self.new_chart()
        self.view.hide()
        self.empty.setText(text)
        self.empty.show()

    # -- clicks -----------------------------------------------------------------------------
    def click(self, set_index: int, index: int) -> None:
        """What a click on bar ``index`` of bar set ``set_index`` does: emit its Bar."""
        self.bar_clicked.emit(self.bars[set_index][index])

    def _hovered(self, set_index: int, status: bool, index: int) -> None:
        if status:
            QToolTip.showText(QCursor.pos(), f"{self.tips[set_index][index]}\n{CLICK_HINT}")
            self.view.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            QToolTip.hideText()
            self.view.unsetCursor()

    # -- palette ----------------------------------------------------------------------------
    def restyle(self) -> None:
        """Axis labels, grid and bar labels in the palette's colours."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        soft = QColor(text)
        soft.setAlpha(170)
        grid = QColor(text)
        grid.setAlpha(28)
        font = self.label_font()
        for axis in self.chart.axes():
            axis.setLabelsColor(soft)
            axis.setLabelsFont(font)
            axis.setGridLineColor(grid)
            axis.setLinePenColor(grid)
            axis.setShadesVisible(False)
            axis.setTruncateLabels(False)  # a long band label whole, not "…"
        self.legend.setFont(font)
        for series in self.chart.series():
            if isinstance(series, QAbstractBarSeries):
                for bar_set in series.barSets():
                    bar_set.setLabelColor(text)
                    bar_set.setLabelFont(font)

    def label_font(self) -> QFont:
        """The font of axis labels, legends and bar labels: a little smaller than the text."""
        return theme.scaled_font(self, 0.85)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
