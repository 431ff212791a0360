"""The Predictive page (Scoring ▸ Predictive): a model learned from the team's own won and
lost leads, how well it does, and the rules it suggests for the rule model.

Before the first model the page explains itself and offers to train; afterwards it shows the
model. What it shows is read off the GUI thread; training runs behind a progress dialog
with Cancel. Training gives every lead a new probability (``predictions_changed``); an
accepted suggestion changes the draft of the rule model (``draft_changed(draft id)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from leaddesk.core.db import Database
from leaddesk.core.errors import CancelledError, LeadDeskError
from leaddesk.ui import dialogs, theme
from leaddesk.ui.predictive.loader import PredictiveState, read_state
from leaddesk.ui.predictive.model_view import ModelView
from leaddesk.ui.predictive.problem_label import ProblemLabel
from leaddesk.ui.predictive.target_chooser import TargetChooser
from leaddesk.ui.widgets.empty_state import TEXT_WIDTH, EmptyState
from leaddesk.ui.workers import LatestLoader, Worker, run_with_progress

if TYPE_CHECKING:
    from leaddesk.core.scoring.predictive.suggest import Suggestion
    from leaddesk.core.scoring.predictive.training import TrainResult

# Greyed out on light and dark alike: the primary style would keep its blue.
DISABLED_STYLE = (
    " QPushButton:disabled { background: rgba(100, 116, 139, 0.35);"
    " color: rgba(255, 255, 255, 0.8); }"
)
INTRO = (
    "LeadDesk can learn from the leads your team has won and lost which open leads are most "
    "likely to be won, give each one a probability, and suggest rules for your scoring model."
)


class PredictivePage(QWidget):
    """Train, read and use the predictive model; ``refresh()`` when the data changed."""

    predictions_changed = Signal()
    """A model was trained: every lead has a new probability."""
    draft_changed = Signal(int)
    """A suggested rule went into the draft of the rule model with this id."""
    open_draft_requested = Signal(int)
    """Show the draft with this id on the Scoring page."""
    loaded = Signal()
    """What the page shows was read again and is on screen."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.state: PredictiveState | None = None
        self.draft_id: int | None = None
        self.worker: Worker | None = None
        self.loader = LatestLoader(lambda: read_state(db), self)
        self.loader.loaded.connect(self.show_state)
        self.loader.failed.connect(self._show_failure)

        self.message = theme.muted("Reading the predictive model…")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty = self._empty_state()
        self.model_view = ModelView()
        self.model_view.retrain_requested.connect(self.train)
        self.model_view.suggestions.accept_requested.connect(self.accept)
        self.model_view.suggestions.open_draft_requested.connect(self.open_draft)
        self.stack = QStackedWidget()
        for widget in (self.message, self.empty, self.model_view):
            self.stack.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _empty_state(self) -> EmptyState:
        """Before the first model: what it does, what it would learn from, and Train."""
        empty = EmptyState(theme.icon("predictive"), "Predict which leads will convert", INTRO)
        self.chooser = TargetChooser()
        self.chooser.currentIndexChanged.connect(lambda _row: self._show_outcomes())
        label = QLabel("&Predict")
        label.setBuddy(self.chooser)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(label)
        row.addWidget(self.chooser)
        row.addStretch()
        self.outcomes = QLabel()
        self.outcomes.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.outcomes.setFont(theme.scaled_font(self.outcomes, 1.1, bold=True))
        self.problem = ProblemLabel()
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem.setFixedWidth(TEXT_WIDTH)
        problem_row = QHBoxLayout()
        problem_row.addStretch()
        problem_row.addWidget(self.problem)
        problem_row.addStretch()
        empty.details.addSpacing(16)
        empty.details.addWidget(self.outcomes)
        empty.details.addSpacing(8)
        empty.details.addLayout(row)
        empty.details.addSpacing(8)
        empty.details.addLayout(problem_row)
        self.train_button = empty.add_button("Train model", self.train, primary=True)
        self.train_button.setStyleSheet(self.train_button.styleSheet() + DISABLED_STYLE)
        return empty

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """The data changed: read it again now if the page is shown, else when it is."""
        self.loader.refresh()

    def show_state(self, state: PredictiveState) -> None:
        """Put ``state`` on screen (the loader calls this)."""
        self.state = state
        if state.model is None:
            self.chooser.set_targets(state.targets, None)
            self._show_outcomes()
            self.stack.setCurrentWidget(self.empty)
        else:
            self.model_view.show_state(state, state.model)
            self.stack.setCurrentWidget(self.model_view)
        self.loaded.emit()

    def _show_outcomes(self) -> None:
        """The chosen target's outcomes, and why training cannot start yet, if it cannot."""
        field = self.chooser.field()
        if self.state is None or field not in self.state.outcomes:
            return
        outcomes = self.state.outcomes[field]
        target = self.chooser.targets[self.chooser.currentIndex()]
        yes, no = ("won", "lost") if target.is_status else ("yes", "no")
        self.outcomes.setText(
            f"{outcomes.positives:,} {yes} and {outcomes.negatives:,} {no} leads to learn from"
        )
        self._show_problem(outcomes.shortfall or "")
        self.train_button.setEnabled(outcomes.shortfall is None)

    def _show_failure(self, message: str) -> None:
        if self.state is None:
            self.message.setText(f"The predictive model could not be read. {message}")
            self.stack.setCurrentWidget(self.message)
        else:
            self._show_problem(message)

    def _show_problem(self, text: str) -> None:
        """A problem of the world, on whichever view is shown."""
        on_model = self.stack.currentWidget() is self.model_view
        (self.model_view.problem if on_model else self.problem).show_problem(text)

    # -- training ---------------------------------------------------------------------------
    def train(self) -> None:
        """Train a model for the chosen target, behind a progress dialog with Cancel."""
        from leaddesk.core.scoring.predictive.training import train_job  # numpy, sklearn

        on_model = self.stack.currentWidget() is self.model_view
        field = (self.model_view.chooser if on_model else self.chooser).field()
        self._show_problem("")
        self.worker = run_with_progress(
            self,
            train_job(self._db, field),
            "Training the predictive model…",
            self._trained,
            self._training_failed,
        )

    def _trained(self, _result: TrainResult) -> None:
        self.predictions_changed.emit()
        self.loader.load()

    def _training_failed(self, error: BaseException) -> None:
        if isinstance(error, CancelledError):
            return  # nothing changed, as the user asked
        if isinstance(error, LeadDeskError):
            self._show_problem(str(error))
        else:
            dialogs.report(error, self)

    # -- suggestions ------------------------------------------------------------------------
    def accept(self, suggestion: Suggestion) -> None:
        """Add ``suggestion`` to the draft of the rule model."""
        from leaddesk.core.scoring.predictive.suggest import accept_suggestion

        try:
            with self._db.write() as conn:
                self.draft_id = accept_suggestion(conn, suggestion)
        except LeadDeskError as exc:
            dialogs.show_problem(str(exc), self)
            return
        self.model_view.suggestions.mark_added(suggestion)
        self.draft_changed.emit(self.draft_id)

    def open_draft(self) -> None:
        if self.draft_id is not None:
            self.open_draft_requested.emit(self.draft_id)
