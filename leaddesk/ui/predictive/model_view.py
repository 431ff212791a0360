"""The trained model on one scrolling page: how good it is, the charts that show it, and
the rules it suggests, with Retrain always at hand."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.scoring.predictive.store import ActiveModel
from leaddesk.ui import theme
from leaddesk.ui.formatting import relative_time
from leaddesk.ui.predictive.charts import ImportanceCard, LiftCard, ReliabilityCard, Wording
from leaddesk.ui.predictive.headline import HeadlineTiles
from leaddesk.ui.predictive.loader import PredictiveState
from leaddesk.ui.predictive.problem_label import ProblemLabel
from leaddesk.ui.predictive.suggestions import SuggestionsPanel
from leaddesk.ui.predictive.target_chooser import TargetChooser

TILES = (("auc", 2.2), ("rule_auc", 2.2), ("brier", 2.2), ("leads", 2.2), ("kind", 1.5))
BANNER_STYLE = "QFrame#banner { background: rgba(37, 99, 235, 0.10); border-radius: 8px; }"


def _number(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


class ModelView(QScrollArea):
    """Shows one ``PredictiveState`` with a model; ``retrain_requested`` from either button."""

    retrain_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = theme.muted()
        self.chooser = TargetChooser()
        self.retrain_button = QPushButton("Retrain")
        self.retrain_button.setToolTip("Learn again from every lead with an outcome now")
        self.retrain_button.setMinimumHeight(30)
        self.retrain_button.clicked.connect(lambda: self.retrain_requested.emit())
        self.banner = self._banner()
        self.problem = ProblemLabel()
        self.tiles = HeadlineTiles(TILES)
        self.tiles.cards["auc"].setToolTip(
            "How well the model ranks leads it never saw in training: the chance that a lead "
            "that converted ranks above one that did not. 1 is perfect, 0.5 a coin toss."
        )
        self.tiles.cards["rule_auc"].setToolTip(
            "The same measure for your rule score, on the same leads, for comparison."
        )
        self.tiles.cards["brier"].setToolTip(
            "The mean squared gap between each probability and what happened: 0 is perfect."
        )
        self.reliability = ReliabilityCard()
        self.lift = LiftCard()
        self.importance = ImportanceCard()
        self.suggestions = SuggestionsPanel()

        grid = QGridLayout()
        grid.setSpacing(12)
        for column, card in enumerate((self.reliability, self.lift, self.importance)):
            card.setMinimumHeight(300)
            grid.addWidget(card, 0, column)
            grid.setColumnStretch(column, 1)
        inner = QWidget()
        column_layout = QVBoxLayout(inner)
        column_layout.setContentsMargins(16, 14, 16, 16)
        column_layout.setSpacing(12)
        column_layout.addLayout(self._header())
        column_layout.addWidget(self.banner)
        column_layout.addWidget(self.problem)
        column_layout.addWidget(self.tiles)
        column_layout.addLayout(grid)
        column_layout.addWidget(self.suggestions)
        column_layout.addStretch()
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(inner)

    def _header(self) -> QHBoxLayout:
        title = QVBoxLayout()
        title.setSpacing(2)
        title.addWidget(theme.heading("Predictive model", 1.5))
        title.addWidget(self.summary)
        label = QLabel("&Predict")
        label.setBuddy(self.chooser)
        header = QHBoxLayout()
        header.addLayout(title, 1)
        header.addSpacing(12)
        header.addWidget(label, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.chooser, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.retrain_button, 0, Qt.AlignmentFlag.AlignVCenter)
        return header

    def _banner(self) -> QFrame:
        """The proposal to retrain once enough new outcomes came in (hidden until then)."""
        banner = QFrame()
        banner.setObjectName("banner")
        banner.setStyleSheet(BANNER_STYLE)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        button = QPushButton("Retrain now")
        button.clicked.connect(lambda: self.retrain_requested.emit())
        row = QHBoxLayout(banner)
        row.setContentsMargins(12, 8, 8, 8)
        row.addWidget(self.advice, 1)
        row.addWidget(button)
        banner.hide()
        return banner

    def show_state(self, state: PredictiveState, model: ActiveModel) -> None:
        """Put ``model``, its charts and suggestions, and ``state``'s advice on screen."""
        metrics = model.metrics
        self.chooser.set_targets(state.targets, model.target.field)
        self.summary.setText(
            f"Learns {model.target.describe()} from {metrics.get('features', 0)} fields of "
            f"{model.outcomes:,} leads with an outcome. Every lead's probability comes from it."
        )
        self.banner.setVisible(state.advice is not None)
        self.advice.setText(state.advice or "")
        self.problem.show_problem("")
        tested = int(metrics.get("n_test", 0))
        rule_auc = metrics.get("rule_model_auc")
        self.tiles.set("auc", _number(metrics.get("auc"), 2), f"ROC AUC on {tested:,} unseen leads")
        self.tiles.set(
            "rule_auc",
            _number(rule_auc, 2),
            "Rule score's AUC, same leads" if rule_auc is not None else "No rule scores to compare",
        )
        self.tiles.set("brier", _number(metrics.get("brier"), 3), "Brier score, lower is better")
        self.tiles.set(
            "leads", f"{metrics.get('n_train', 0):,} / {tested:,}", "Leads trained on / tested on"
        )
        self.tiles.set(
            "kind", model.kind.capitalize(), f"Trained {relative_time(model.trained_at)}"
        )
        wording = Wording.of(model.target.label, model.target.is_status)
        self.reliability.show_reliability(metrics.get("reliability", []), tested, wording)
        self.lift.show_lift(metrics.get("lift_by_decile", []), wording)
        self.importance.show_importance(metrics.get("importance", []))
        self.suggestions.show_suggestions(state.suggestions)
