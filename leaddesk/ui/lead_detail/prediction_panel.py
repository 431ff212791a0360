"""The predictive model's view of the lead: its probability, what that is the chance of, how
well the model did on leads it never saw, and the strongest reasons each way, as
``core.scoring.predictive.predictions.explain_leads`` gives them."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from leaddesk.core.queue import likely_to
from leaddesk.core.scoring.predictive.predictions import MINUS, Factor, Prediction
from leaddesk.core.scoring.predictive.store import ActiveModel
from leaddesk.ui import theme
from leaddesk.ui.formatting import relative_time
from leaddesk.ui.lead_detail.parts import secondary, soft_color

NO_MODEL = "Train a predictive model on the Predictive page to see this lead's probability."
NO_FACTORS = "Nothing about this lead moves its chance far from the average lead's."
AUC_TIP = (
    "Hold-out AUC: how often the model ranked a lead that converted above one that did not, "
    "on leads kept out of its training. 0.5 is a coin toss, 1 is never wrong."
)


class PredictionPanel(QWidget):
    """The probability in large type over the model and the reasons; a hint without a model."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.percent = QLabel()
        self.percent.setFont(theme.scaled_font(self.percent, 2.2, bold=True))
        self.outcome = QLabel()
        self.outcome.setFont(theme.scaled_font(self.outcome, 1.1))
        self.model = secondary(QLabel())
        self.model.setWordWrap(True)
        self.model.setToolTip(AUC_TIP)
        self.factors = QLabel()
        self.factors.setWordWrap(True)
        self.factors.setTextFormat(Qt.TextFormat.RichText)
        self.hint = secondary(QLabel(NO_MODEL))
        self.hint.setWordWrap(True)

        figure = QHBoxLayout()
        figure.setSpacing(8)
        figure.addWidget(self.percent, 0, Qt.AlignmentFlag.AlignBaseline)
        figure.addWidget(self.outcome, 1, Qt.AlignmentFlag.AlignBaseline)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(theme.heading("Prediction", 1.1))
        column.addLayout(figure)
        column.addWidget(self.model)
        column.addSpacing(4)
        column.addWidget(self.factors)
        column.addWidget(self.hint)

    def show_prediction(self, model: ActiveModel | None, prediction: Prediction | None) -> None:
        """Show ``prediction`` of the active ``model``; None for either: the hint to train."""
        shown = model is not None and prediction is not None
        for widget in (self.percent, self.outcome, self.model, self.factors):
            widget.setVisible(shown)
        self.hint.setVisible(not shown)
        if model is None or prediction is None:
            return
        self.percent.setText(prediction.percent)
        self.outcome.setText(likely_to(model.target))
        self.model.setText(model_line(model))
        self.factors.setText(factors_html(prediction.factors, self))


def model_line(model: ActiveModel) -> str:
    """ "Boosted trees · hold-out AUC 0.80 · trained 3 days ago"."""
    parts = [model.kind.capitalize()]
    auc = model.metrics.get("auc")
    if isinstance(auc, int | float):
        parts.append(f"hold-out AUC {auc:.2f}")
    parts.append(f"trained {relative_time(model.trained_at)}")
    return " · ".join(parts)


def factors_html(factors: tuple[Factor, ...], widget: QWidget) -> str:
    """What raises the chance (+, in the good colour), then what lowers it (minus, in the bad)."""
    if not factors:
        return f"<span style='color:{soft_color(widget)}'>{NO_FACTORS}</span>"
    ups = [f for f in factors if f.weight > 0]
    downs = [f for f in factors if f.weight <= 0]
    rows = [_row("+", theme.good_color(widget), f) for f in ups]
    rows += [_row(MINUS, theme.bad_color(widget), f) for f in downs]
    return "<table cellspacing='0'>" + "".join(rows) + "</table>"


def _row(sign: str, color: str, factor: Factor) -> str:
    return (
        f"<tr><td style='color:{color}; padding:2px 8px 2px 0'><b>{sign}</b></td>"
        f"<td style='padding:2px 0'>{html.escape(factor.text)}</td></tr>"
    )
