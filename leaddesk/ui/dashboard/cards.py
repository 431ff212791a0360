"""The dashboard's three kinds of chart: the score histogram with its threshold, conversion
by score band, and stacked counts (tiers, calls, pipeline, imports)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QCategoryAxis,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QPen
from PySide6.QtWidgets import QWidget

from leaddesk.core.dashboard import Band, Bar, Chart, ScoreChart
from leaddesk.ui import theme
from leaddesk.ui.dashboard.card import ChartCard, count_axis, series_color, short_count, unique

BELOW_COLOR = "#94a3b8"
THRESHOLD_COLOR = "#dc2626"
WON_COLOR = "#16a34a"
LABEL_WIDTH = 130  # pixels: wider names would run past the space QtCharts leaves them
BOTTOM, LEFT = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft


def positions_axis(labels: dict[float, str], count: int) -> QCategoryAxis:
    """An axis over ``count`` bars (drawn at 0 … count-1) labelled at chosen positions only,
    so that a month of days does not crowd, and a histogram labels the edges of its bins."""
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setStartValue(-0.5)
    for position in sorted(labels):
        axis.append(labels[position], position)
    axis.setRange(-0.5, count - 0.5)
    return axis


class ScoreCard(ChartCard):
    """Leads per score bin; bins at or above the sales-ready threshold in the accent colour,
    and the threshold itself as a dashed line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Score distribution", parent=parent)

    def show_scores(self, scores: ScoreChart) -> None:
        if not scores.scored:
            self.show_empty("No lead has a score yet.\nScores appear once the model has run.")
            return
        self.new_chart()
        edges, threshold = scores.edges, scores.threshold
        counts = [bar.count for bar in scores.bars]
        ready = [edges[i] >= threshold for i in range(len(counts))]
        series = QStackedBarSeries()
        series.setBarWidth(0.9)
        below = [0 if up else count for up, count in zip(ready, counts, strict=True)]
        above = [count if up else 0 for up, count in zip(ready, counts, strict=True)]
        self.add_bars(series, f"Below {threshold:g}", QColor(BELOW_COLOR), scores.bars, below)
        self.add_bars(series, "Sales-ready", QColor(theme.ACCENT), scores.bars, above)
        # The bars stand on a hidden axis of bins (bin i at x = i); a score axis of the
        # same width, below it, labels the edges and carries the threshold line.
        bins_axis = QValueAxis()
        bins_axis.setRange(-0.5, len(counts) - 0.5)
        bins_axis.setVisible(False)
        y_axis = count_axis(max(counts))
        self.attach(series, (bins_axis, BOTTOM), (y_axis, LEFT))
        score_axis = QValueAxis()
        score_axis.setRange(edges[0], edges[-1])
        score_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        score_axis.setTickAnchor(0)
        width = edges[1] - edges[0]
        score_axis.setTickInterval(width if len(edges) <= 11 else 2 * width)  # "100" fits
        score_axis.setLabelFormat("%g")
        self.chart.addAxis(score_axis, BOTTOM)
        self._threshold_line(threshold, score_axis, y_axis)
        self.restyle()
        unscored = f" · {scores.unscored:,} not scored yet" if scores.unscored else ""
        self.subtitle.setText(
            f"{scores.scored:,} scored leads · sales-ready from {threshold:g}{unscored}"
        )

    def _threshold_line(self, threshold: float, x_axis: QValueAxis, y_axis: QValueAxis) -> None:
        """A dashed vertical line at the threshold, named in the legend."""
        x = min(max(threshold, x_axis.min()), x_axis.max())
        line = QLineSeries()
        line.setName(f"Threshold {threshold:g}")
        line.append(x, 0)
        line.append(x, y_axis.max())
        line.setPen(QPen(QColor(THRESHOLD_COLOR), 2, Qt.PenStyle.DashLine))
        self.chart.addSeries(line)
        line.attachAxis(x_axis)
        line.attachAxis(y_axis)
        self.add_key("┆", QColor(THRESHOLD_COLOR), line.name())


class ConversionCard(ChartCard):
    """Won ÷ (won + lost) per score band, with how many leads each rate stands on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Conversion by score", parent=parent)

    def show_bands(self, bands: Sequence[Band]) -> None:
        shown = [band for band in bands if band.rate is not None]
        if not shown:
            self.show_empty(
                "No lead is won or lost yet.\n"
                "Once some are, this shows whether higher scores win more often."
            )
            return
        self.new_chart()
        series = QHorizontalBarSeries()
        series.setBarWidth(0.7)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%")
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsInsideBase)
        rates = [round(100 * (band.rate or 0)) for band in shown]
        tips = [
            f"Score {b.label}: {b.won:,} won, {b.lost:,} lost ({r}% won)"
            for b, r in zip(shown, rates, strict=True)
        ]
        bars = [Bar(band.closed, band.leads, band.description) for band in shown]
        self.add_bars(series, "Won", QColor(WON_COLOR), bars, rates, tips)
        bands_axis = QBarCategoryAxis()
        bands_axis.append(unique([f"{band.label} ({short_count(band.closed)})" for band in shown]))
        rate_axis = QValueAxis()
        rate_axis.setRange(0, 100)
        rate_axis.setTickCount(5)
        rate_axis.setLabelFormat("%d%%")
        self.attach(series, (bands_axis, LEFT), (rate_axis, BOTTOM))
        self.subtitle.setText("Won ÷ (won + lost), with how many in brackets")

    def restyle(self) -> None:
        super().restyle()
        for series in self.chart.series():
            if isinstance(series, QAbstractBarSeries):
                for bar_set in series.barSets():
                    bar_set.setLabelColor(QColor("white"))  # on the bar, in light and dark


class StackedCard(ChartCard):
    """Counts per category, stacked by series: tiers by grade, calls by day, and so on.

    Args:
        horizontal: bars grow to the right, categories read top to bottom (long labels).
        label_every: on a vertical chart, label only every n-th category, counted back
            from the last one (today), so thirty days fit.
        counts: write each bar's count at its end (one series of few bars).
    """

    def __init__(
        self,
        title: str,
        unit: str = "leads",
        *,
        horizontal: bool = False,
        label_every: int = 1,
        counts: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, unit, parent)
        self.horizontal = horizontal
        self.label_every = label_every
        self.counts = counts

    def show_chart(self, chart: Chart, subtitle: str, empty: str) -> None:
        if not chart.total:
            self.show_empty(empty)
            return
        self.new_chart()
        # Horizontal charts draw their first category at the bottom: reverse, to read down.
        order = list(range(len(chart.keys)))[:: -1 if self.horizontal else 1]
        series = QHorizontalStackedBarSeries() if self.horizontal else QStackedBarSeries()
        series.setBarWidth(0.75)
        if self.counts:
            series.setLabelsVisible(True)
            series.setLabelsFormat("@value")
            series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        for i, layer in enumerate(chart.series):
            bars = [layer.bars[j] for j in order]
            self.add_bars(series, layer.label, series_color(layer.key, i), bars)
        categories = [chart.categories[j] for j in order]
        values = count_axis(max(chart.column(key) for key in chart.keys))
        if self.horizontal:
            # Long file names lose their middle, so the import's date stays in sight.
            metrics = QFontMetrics(self.label_font())
            middle = Qt.TextElideMode.ElideMiddle
            names = QBarCategoryAxis()
            names.append(unique([metrics.elidedText(c, middle, LABEL_WIDTH) for c in categories]))
            self.attach(series, (names, LEFT), (values, BOTTOM))
        else:
            last = len(categories) - 1
            labels = {float(i): categories[i] for i in range(last, -1, -self.label_every)}
            self.attach(series, (positions_axis(labels, len(categories)), BOTTOM), (values, LEFT))
        self.subtitle.setText(subtitle)
