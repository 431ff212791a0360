"""Why the lead has its score: the parts it is made of and every rule that gave it points,
as ``core.scoring.explain`` evaluates them under the active model; below, the predictive
model's probability for the lead (see ``prediction_panel``)."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QLabel, QTextBrowser, QVBoxLayout, QWidget

from leaddesk.core.scoring.explain import Explanation
from leaddesk.ui import theme
from leaddesk.ui.lead_detail.parts import secondary
from leaddesk.ui.lead_detail.prediction_panel import PredictionPanel
from leaddesk.ui.queue.lead_card import explanation_html


class ScorePanel(QWidget):
    """The score's fit and engagement parts, the rules behind them (the badge is in the
    dialog's header), and the prediction."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackgroundRole(QPalette.ColorRole.Base)  # one sheet, like the timeline
        self.setAutoFillBackground(True)
        self.parts = QLabel()
        self.parts.setFont(theme.scaled_font(self.parts, 1.1, bold=True))
        self.ready = secondary(QLabel())
        self.ready.setWordWrap(True)
        self.rules = QTextBrowser()
        self.rules.setFrameShape(QTextBrowser.Shape.NoFrame)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        self.prediction = PredictionPanel()
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 10, 8, 10)
        column.addWidget(self.parts)
        column.addWidget(self.ready)
        column.addSpacing(4)
        column.addWidget(self.rules, 1)
        column.addWidget(line)
        column.addSpacing(4)
        column.addWidget(self.prediction)

    def show_explanation(self, explanation: Explanation) -> None:
        self.parts.setText(
            f"Score {explanation.score:g} = fit {explanation.fit_score:g}"
            f" + engagement {explanation.engagement_score:g}"
        )
        self.ready.setText(
            "Sales-ready: at or above the model's threshold."
            if explanation.sales_ready
            else "Below the model's sales-ready threshold."
        )
        self.rules.setHtml(explanation_html(explanation, self))
