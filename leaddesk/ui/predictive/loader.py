"""What the Predictive page shows, read in one job (run by a ``LatestLoader``: the
suggestions read every lead with an outcome)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import Job, Progress
from leaddesk.core.scoring.predictive.store import (
    ActiveModel,
    active_predictive_model,
    outcome_counts,
    retrain_advice,
)
from leaddesk.core.scoring.predictive.target import Target, target_options

if TYPE_CHECKING:
    from leaddesk.core.scoring.predictive.suggest import Suggestion


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
    from leaddesk.core.scoring.predictive.training import check_enough

    try:
        check_enough(positives, negatives, target)
    except InvalidInputError as exc:
        return Outcomes(positives, negatives, str(exc))
    return Outcomes(positives, negatives, None)


def read_state(db: Database) -> Job[PredictiveState]:
    """The model, the targets with their outcomes, and the suggested rules."""
    # numpy comes with these: imported on the worker when the page is first read, not at start
    from leaddesk.core.scoring.predictive.suggest import suggest_rules

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
