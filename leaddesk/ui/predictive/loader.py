"""Read what the Predictive page shows on the thread pool: suggestions read every lead.

At most one load runs at a time. Asking again while one runs cancels it and starts afresh
when it ends, so the page only ever shows what was read after the last change.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from leaddesk.core.db import Database
from leaddesk.core.errors import CancelledError, InvalidInputError, LeadDeskError
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import Job, Progress
from leaddesk.core.scoring.predictive.store import (
    ActiveModel,
    active_predictive_model,
    outcome_counts,
    retrain_advice,
)
from leaddesk.core.scoring.predictive.suggest import Suggestion, suggest_rules
from leaddesk.core.scoring.predictive.target import Target, target_options
from leaddesk.core.scoring.predictive.training import check_enough
from leaddesk.ui.workers import Worker


@dataclass(frozen=True, slots=True)
class Outcomes:
    """The outcomes a model for one target would learn from, and what is missing, if any."""

    positives: int
    negatives: int
    shortfall: str | None  # why a model cannot be trained yet, for the user


@dataclass(frozen=True, slots=True)
class PredictiveState:
    """Everything the page shows, read at one time."""

    model: ActiveModel | None
    targets: list[Target]
    outcomes: dict[str, Outcomes]  # by target field
    advice: str | None
    suggestions: list[Suggestion]


def _outcomes(positives: int, negatives: int, target: Target) -> Outcomes:
    try:
        check_enough(positives, negatives, target)
    except InvalidInputError as exc:
        return Outcomes(positives, negatives, str(exc))
    return Outcomes(positives, negatives, None)


def read_state(db: Database) -> Job[PredictiveState]:
    """The model, the targets with their outcomes, and the suggested rules."""
    yield Progress(0, 2, "Reading the model…")
    with db.read() as conn:
        registry = load_registry(conn)
        model = active_predictive_model(conn)
        targets = target_options(conn, registry)
        outcomes = {t.field: _outcomes(*outcome_counts(conn, t, registry), t) for t in targets}
        advice = retrain_advice(conn, registry)
    yield Progress(1, 2, "Reading suggested rules…")
    with db.read() as conn:
        suggestions = suggest_rules(conn) if model is not None else []
    return PredictiveState(model, targets, outcomes, advice, suggestions)


class PredictiveLoader(QObject):
    """Emits ``loaded(PredictiveState)`` for the newest load, or ``failed(message)``."""

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._again = False
        self.worker: Worker | None = None

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def load(self) -> None:
        """Read now; a load already running is dropped for this one."""
        if self.worker is not None:
            self._again = True
            self.worker.cancel()
            return
        self._again = False
        worker = Worker(read_state(self._db))
        # Bound slots: Qt drops the connections if the loader is deleted first.
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        self.worker = worker.start()

    def _finished(self, state: object) -> None:
        self._ended(state, None)

    def _failed(self, error: object) -> None:
        self._ended(None, error)

    def _ended(self, state: object, error: object) -> None:
        self.worker = None
        if self._again:
            self.load()
        elif error is None:
            self.loaded.emit(state)
        elif isinstance(error, LeadDeskError) and not isinstance(error, CancelledError):
            self.failed.emit(str(error))
        elif not isinstance(error, CancelledError):
            assert isinstance(error, BaseException)
            raise error  # a bug: the exception hook reports it
