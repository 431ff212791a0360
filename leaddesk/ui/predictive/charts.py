"""The Predictive page's three charts: are the probabilities right (calibration), do the
likeliest leads hold the conversions (lift by decile), and what the model listens to most.

They are dashboard chart cards (palette-styled, so they read in light and dark), drawn from
the figures the model was measured with on the leads held out from its training.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractBarSeries,
    QAbstractSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QFontMetrics, QPen, QResizeEvent
from PySide6.QtWidgets import QToolTip, QWidget

from leaddesk.ui import theme
from leaddesk.ui.dashboard.card import ChartCard, unique

BOTTOM, LEFT = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft
LABEL_WIDTH = 120  # pixels of a field's name, at most, before it is cut short
MIN_LABEL_WIDTH = 50
NARROW = 300  # pixels: below this, ten bars have no room for their labels
DECILES = 10
REFERENCE_COLOR = "#8a9099"  # a grey that reads on light and dark cards alike


@dataclass(frozen=True, slots=True)
class Wording:
    """How the charts name a conversion: "won leads", "were won"."""

    noun: str
    verb: str

    @classmethod
    def of(cls, label: str, is_status: bool) -> Wording:
        if is_status:
            return cls("won leads", "were won")
        return cls(f"leads with “{label}” yes", f"had “{label}” yes")


# Tops of a percentage axis, each with the tick count that gives round steps.
TOPS = ((20, 5), (30, 4), (40, 5), (50, 3), (60, 5), (80, 5), (100, 5))


def percent_axis(title: str = "", highest: float = 100) -> QValueAxis:
    """0 per cent to a round top with room above ``highest`` for a bar's label."""
    top, ticks = next(((t, n) for t, n in TOPS if highest + 8 <= t), TOPS[-1])
    axis = QValueAxis()
    axis.setRange(0, top)
    axis.setTickCount(ticks)
    axis.setLabelFormat("%d%%")
    axis.setTitleText(title)
    return axis


class MetricCard(ChartCard):
    """A chart card of figures rather than of leads: nothing to click, a tip on hover."""

    def place(self, series: QAbstractSeries, *axes: tuple[QAbstractAxis, Qt.AlignmentFlag]) -> None:
        """Put ``series`` on the chart, on ``axes`` (added to the chart the first time)."""
        self.chart.addSeries(series)
        for axis, alignment in axes:
            if axis not in self.chart.axes():
                self.chart.addAxis(axis, alignment)
            series.attachAxis(axis)

    def bar_set(self, label: str, values: Sequence[float]) -> QBarSet:
        bars = QBarSet(label)
        bars.append([float(v) for v in values])
        bars.setColor(QColor(theme.ACCENT))
        bars.setBorderColor(QColor(theme.ACCENT))
        return bars

    def tip(self, text: str, shown: bool) -> None:
        if shown:
            QToolTip.showText(QCursor.pos(), text)
        else:
            QToolTip.hideText()

    def reference_line(self, label: str, *points: tuple[float, float]) -> QLineSeries:
        """A dashed grey line through ``points``, named in the legend: what no model gives."""
        line = QLineSeries()
        for x, y in points:
            line.append(x, y)
        line.setPen(QPen(QColor(REFERENCE_COLOR), 1.5, Qt.PenStyle.DashLine))
        self.add_key("┄", QColor(REFERENCE_COLOR), label)
        return line

    def restyle(self) -> None:
        super().restyle()
        soft = QColor(theme.muted_color(self))
        for axis in self.chart.axes():
            axis.setTitleBrush(QBrush(soft))
            axis.setTitleFont(self.label_font())


class ReliabilityCard(MetricCard):
    """Predicted probability against the share that converted, per tenth of the scale,
    beside the diagonal a perfectly calibrated model would follow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Are the probabilities right?", parent=parent)
        self.points: list[dict[str, Any]] = []
        self.wording = Wording.of("", True)

    def show_reliability(
        self, points: Sequence[dict[str, Any]], tested: int, wording: Wording
    ) -> None:
        self.points = [p for p in points if p["leads"]]
        self.wording = wording
        if not self.points:
            self.show_empty("No lead was held out to check the probabilities on.")
            return
        self.new_chart()
        x_axis = percent_axis("Predicted probability")
        y_axis = percent_axis("Actual share")
        diagonal = self.reference_line("Perfectly calibrated", (0, 0), (100, 100))
        self.place(diagonal, (x_axis, BOTTOM), (y_axis, LEFT))
        curve = QLineSeries()
        for point in self.points:
            curve.append(100 * point["predicted"], 100 * point["observed"])
        curve.setPen(QPen(QColor(theme.ACCENT), 2.5))
        curve.setPointsVisible(True)
        curve.setMarkerSize(5)
        curve.hovered.connect(self._point_hovered)
        self.place(curve, (x_axis, BOTTOM), (y_axis, LEFT))
        self.add_key("●", QColor(theme.ACCENT), "This model")
        self.restyle()
        self.subtitle.setText(f"On {tested:,} leads held out from training")

    def _point_hovered(self, where: QPointF, shown: bool) -> None:
        point = min(self.points, key=lambda p: abs(100 * p["predicted"] - where.x()))
        self.tip(
            f"Predicted {point['predicted']:.0%}: {point['observed']:.0%} of "
            f"{point['leads']:,} leads {self.wording.verb}",
            shown,
        )


class LiftCard(MetricCard):
    """The held-out leads ranked by probability in ten equal groups: each group's share of
    the conversions, against the tenth each would hold in random order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Do the likeliest leads convert?", parent=parent)
        self.deciles: list[dict[str, Any]] = []
        self.wording = Wording.of("", True)

    def show_lift(self, deciles: Sequence[dict[str, Any]], wording: Wording) -> None:
        self.deciles = list(deciles)
        self.wording = wording
        if not any(d["conversions"] for d in self.deciles):
            self.show_empty(f"No lead held out from training {wording.verb}.")
            return
        self.new_chart()
        shares = [round(100 * d["share"]) for d in self.deciles]
        series = QBarSeries()
        series.setBarWidth(0.75)
        series.setLabelsVisible(self.view.width() >= NARROW)
        series.setLabelsFormat("@value%")
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        bars = self.bar_set("Share of conversions", shares)
        bars.hovered.connect(self._bar_hovered)
        series.append(bars)
        self.series = series
        groups = QBarCategoryAxis()
        groups.append([str(d["decile"]) for d in self.deciles])
        groups.setTitleText("Tenths of the leads, likeliest first")
        shares_axis = percent_axis(highest=max(shares))
        self.place(series, (groups, BOTTOM), (shares_axis, LEFT))
        # In random order each tenth holds a tenth: a line across a hidden axis of the bars.
        positions = QValueAxis()
        positions.setRange(-0.5, len(shares) - 0.5)
        positions.setVisible(False)
        self.add_key("■", QColor(theme.ACCENT), f"Share of the {wording.noun}")
        ends = ((-0.5, 100 / DECILES), (len(shares) - 0.5, 100 / DECILES))
        self.place(
            self.reference_line("In random order", *ends), (positions, BOTTOM), (shares_axis, LEFT)
        )
        self.restyle()
        self.subtitle.setText(
            f"The top 10% of leads hold {self.deciles[0]['share']:.0%} of the {wording.noun}"
        )

    def show_empty(self, text: str) -> None:
        self.deciles = []
        super().show_empty(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.deciles:
            self.series.setLabelsVisible(self.view.width() >= NARROW)

    def _bar_hovered(self, shown: bool, index: int) -> None:
        decile = self.deciles[index]
        self.tip(
            f"Tenth {decile['decile']}: {decile['conversions']:,} of {decile['leads']:,} "
            f"leads {self.wording.verb}, {decile['share']:.0%} of all "
            f"({decile['lift']:g} times the average)",
            shown,
        )


class ImportanceCard(MetricCard):
    """The fields that move the predictions most, largest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("What matters most", parent=parent)
        self.features: list[tuple[str, int]] = []

    def show_importance(self, importance: Sequence[dict[str, Any]]) -> None:
        total = sum(item["weight"] for item in importance)
        if not total:
            self.show_empty("No field moved the predictions.")
            return
        self.new_chart()
        # Horizontal bars are drawn from the bottom up: reversed, the largest is on top.
        # A field under half a per cent would be a bar too thin to see, with no label.
        shares = [(item["feature"], round(100 * item["weight"] / total)) for item in importance]
        self.features = [(name, share) for name, share in reversed(shares) if share]
        series = QHorizontalBarSeries()
        series.setBarWidth(0.7)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%")
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        bars = self.bar_set("Share of the influence", [share for _, share in self.features])
        bars.hovered.connect(self._bar_hovered)
        series.append(bars)
        self.names = QBarCategoryAxis()
        self.names.append(self._labels())
        share_axis = percent_axis(highest=max(share for _, share in self.features))
        self.place(series, (self.names, LEFT), (share_axis, BOTTOM))
        self.restyle()
        self.subtitle.setText("How much each field moves the predictions")

    def show_empty(self, text: str) -> None:
        self.features = []
        super().show_empty(text)

    def _labels(self) -> list[str]:
        """The fields' names, cut to the room QtCharts leaves axis labels (a share of the
        chart's width: longer ones would be clipped)."""
        room = round(self.view.width() / 2 - 45)  # as measured on charts 200-400 pixels wide
        room = max(MIN_LABEL_WIDTH, min(LABEL_WIDTH, room))
        metrics = QFontMetrics(self.label_font())
        right = Qt.TextElideMode.ElideRight
        return unique([metrics.elidedText(name, right, room) for name, _ in self.features])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.features:
            self.names.setCategories(self._labels())

    def _bar_hovered(self, shown: bool, index: int) -> None:
        name, share = self.features[index]
        self.tip(f"{name}: {share}% of what moves the predictions", shown)
