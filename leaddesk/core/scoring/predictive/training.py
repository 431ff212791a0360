"""Training: learn from the leads whose outcome is known, measure on a hold-out, store.

Both kinds of model are cross-validated on the training leads (on a sample of ``LARGE`` of
them when there are more) and the one with the better ROC AUC is kept; its out-of-fold
log-odds calibrate the probabilities. A stratified quarter of the outcomes, never seen in
training, measures the chosen model and the rule model side by side. Below ``LARGE``
outcomes the stored model is then fitted again on all of them, so none is wasted; above,
the model measured is the one stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import utcnow
from leaddesk.core.scoring.predictive import quality
from leaddesk.core.scoring.predictive.encoding import fit_encoding
from leaddesk.core.scoring.predictive.features import (
    Feature,
    Frame,
    activity_kinds,
    load_frame,
    plan_features,
)
from leaddesk.core.scoring.predictive.fitting import KINDS, fit_calibration, fit_model
from leaddesk.core.scoring.predictive.models import LOGISTIC, Predictor
from leaddesk.core.scoring.predictive.predictions import write_probabilities
from leaddesk.core.scoring.predictive.store import save_predictive_model
from leaddesk.core.scoring.predictive.target import Target, resolve_target

MIN_PER_CLASS = 40
HOLDOUT = 0.25
LARGE = 20_000  # outcomes past which a quarter more data changes little (see above)
_STEPS = 100  # progress: reading 0-15, cross-validation 15-75, hold-out 75-85, final 85-100


@dataclass(frozen=True, slots=True)
class TrainResult:
    model_id: int
    metrics: dict[str, Any]


def check_enough(positives: int, negatives: int, target: Target) -> None:
    """InvalidInputError saying how many more outcomes are needed, when there are too few."""
    yes, no = ("won", "lost") if target.is_status else (f"“{target.label}” yes", "no")
    missing = [
        f"{MIN_PER_CLASS - count} more {word}"
        for count, word in ((positives, yes), (negatives, no))
        if count < MIN_PER_CLASS
    ]
    if missing:
        raise InvalidInputError(
            f"Not enough outcomes to learn from yet: {positives} {yes} and {negatives} {no}. "
            f"A model needs at least {MIN_PER_CLASS} of each: {' and '.join(missing)}."
        )


def train_job(
    db: Database, target: str | None = None, *, now: datetime | None = None, seed: int = 7
) -> Job[TrainResult]:
    """Train, measure and store a predictive model, then predict every lead with it.

    Nothing is written until the end, in one transaction: a cancelled or failed training
    leaves the database as it was.
    """
    started = time.perf_counter()
    now = now or utcnow()
    yield Progress(0, _STEPS, "Reading leads…")
    with db.read() as conn:
        registry = load_registry(conn)
        goal = resolve_target(conn, registry, target)
        features = plan_features(registry, goal, activity_kinds(conn))
        frame = yield from _scaled(load_frame(conn, features, goal, registry, now), 0, 15)
    labelled = frame.take(~np.isnan(frame.outcome))
    positives = int(labelled.outcome.sum())
    check_enough(positives, len(labelled) - positives, goal)
    metrics, final = yield from _evaluate(labelled, features, seed)
    if len(labelled) < LARGE:
        yield Progress(85, _STEPS, "Training on every outcome…")
        encoding = fit_encoding(labelled, features)
        model = fit_model(metrics["model"], encoding, labelled, seed)
        final = Predictor(encoding, model, final.slope, final.shift)
    probabilities, _ = final.explain(frame)
    metrics |= {
        "seconds": round(time.perf_counter() - started, 2),
        "target": goal.field,
        "target_label": goal.label,
    }
    yield Progress(95, _STEPS, "Saving the model and each lead's probability…")
    with db.write() as conn:
        model_id = save_predictive_model(conn, goal, final, metrics, len(labelled))
        write_probabilities(conn, frame.ids, probabilities)
    yield Progress(_STEPS, _STEPS, "Model trained")
    return TrainResult(model_id, metrics)


def _scaled(job: Job[Frame], low: int, high: int) -> Job[Frame]:
    """``job``'s progress mapped onto ``low``-``high`` of the whole training."""
    steps = iter(job)
    while True:
        try:
            step = next(steps)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        share = step.done / step.total if step.total else 1.0
        yield Progress(low + round(share * (high - low)), _STEPS, step.message)


def holdout_split(outcome: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, hold-out rows): a stratified quarter held out, the same for a seed."""
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(outcome))
    train, test = train_test_split(rows, test_size=HOLDOUT, stratify=outcome, random_state=seed)
    return train, test


def _sample(outcome: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Rows of a stratified sample of ``size`` (all rows when there are no more)."""
    rows = np.arange(len(outcome))
    if len(rows) <= size:
        return rows
    from sklearn.model_selection import train_test_split

    sample, _ = train_test_split(rows, train_size=size, stratify=outcome, random_state=seed)
    return np.sort(sample)


def _evaluate(
    labelled: Frame, features: list[Feature], seed: int
) -> Job[tuple[dict[str, Any], Predictor]]:
    """Pick the model kind by cross-validation and measure it on the hold-out."""
    from sklearn.model_selection import StratifiedKFold

    train_rows, test_rows = holdout_split(labelled.outcome, seed)
    train, test = labelled.take(train_rows), labelled.take(test_rows)
    compared = train.take(_sample(train.outcome, LARGE, seed))
    folds = 3 if len(compared) >= 3000 else 5
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    out_of_fold = {kind: np.zeros(len(compared)) for kind in KINDS}
    fits, done = folds * len(KINDS), 0
    for fold_train, fold_test in splitter.split(compared.ids, compared.outcome):
        part = compared.take(fold_train)
        encoding = fit_encoding(part, features)
        for kind in KINDS:
            yield Progress(15 + 60 * done // fits, _STEPS, f"Cross-validating the {kind}…")
            expected, contributions = fit_model(kind, encoding, part, seed).contributions(
                encoding, compared.take(fold_test)
            )
            out_of_fold[kind][fold_test] = expected + contributions.sum(axis=1)
            done += 1
    cv_auc = {k: quality.roc_auc(compared.outcome, scores) for k, scores in out_of_fold.items()}
    # The simpler model wins a tie: it is the easier one to read.
    best = max(KINDS, key=lambda k: (round(cv_auc[k] or 0.0, 3), k == LOGISTIC))
    slope, shift = fit_calibration(out_of_fold[best], compared.outcome)
    yield Progress(75, _STEPS, f"Measuring the {best} on leads it has not seen…")
    encoding = fit_encoding(train, features)
    predictor = Predictor(encoding, fit_model(best, encoding, train, seed), slope, shift)
    probabilities, contributions = predictor.explain(test)
    rule_scores = test.columns["score"]
    y = test.outcome
    metrics = {
        "model": best,
        "auc": quality.roc_auc(y, probabilities),
        "brier": round(quality.brier(y, probabilities), 4),
        "n_train": len(train),
        "n_test": len(test),
        "positives": int(labelled.outcome.sum()),
        "negatives": int(len(labelled) - labelled.outcome.sum()),
        "base_rate": round(float(labelled.outcome.mean()), 4),
        "cv_auc": cv_auc,
        "rule_model_auc": (
            None
            if np.isnan(rule_scores).all()
            else quality.roc_auc(y, np.nan_to_num(rule_scores, nan=np.nanmin(rule_scores) - 1))
        ),
        "lift_by_decile": quality.lift_by_decile(y, probabilities),
        "reliability": quality.reliability(y, probabilities),
        "importance": _importance(predictor, contributions),
        "features": len(encoding.features),
    }
    return metrics, predictor


def _importance(predictor: Predictor, contributions: np.ndarray) -> list[dict[str, Any]]:
    """The features that move predictions most (mean absolute contribution), largest first."""
    weights = np.abs(contributions).mean(axis=0)
    order = np.argsort(-weights)
    return [
        {"feature": predictor.encoding.features[j].label, "weight": round(float(weights[j]), 4)}
        for j in order[:12]
        if weights[j] > 0
    ]
