"""Predictive models in the database: the active one, the ones before it, and when to retrain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.errors import InvalidInputError
from leaddesk.core.fields import FieldRegistry
from leaddesk.core.schema import PredictiveModelRecord, leads, utcnow
from leaddesk.core.scoring.predictive.target import (
    LOSING,
    STATUS_TARGET,
    Target,
    resolve_target,
    yes_no,
)

if TYPE_CHECKING:  # numpy comes with it: imported when a model is first read, not at start-up
    from leaddesk.core.scoring.predictive.models import Predictor

records = PredictiveModelRecord.__table__  # type: ignore[attr-defined]
RETRAIN_GROWTH = 1.2  # propose a retrain once outcomes have grown by a fifth


@dataclass(frozen=True, slots=True)
class ActiveModel:
    """The model predictions come from, with what the Predictive page shows of it."""

    id: int
    target: Target
    kind: str
    trained_at: datetime
    outcomes: int
    metrics: dict[str, Any]
    predictor: Predictor


def save_predictive_model(
    conn: Connection, target: Target, predictor: Predictor, metrics: dict[str, Any], outcomes: int
) -> int:
    """Store a newly trained model as the active one (the one before is archived)."""
    conn.execute(records.update().where(records.c.state == "active").values(state="archived"))
    result = conn.execute(
        records.insert().values(
            target=target.field,
            state="active",
            kind=predictor.model.kind,
            trained_at=utcnow(),
            outcomes=outcomes,
            metrics=metrics,
            definition=predictor.to_json(),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def active_predictive_model(conn: Connection) -> ActiveModel | None:
    """The active model, or None before the first training."""
    row = conn.execute(
        sa.select(records.c.id, records.c.target, records.c.kind, records.c.trained_at,
                  records.c.outcomes, records.c.metrics)
        .where(records.c.state == "active")
        .order_by(records.c.id.desc())
        .limit(1)
    ).first()  # fmt: skip
    if row is None:
        return None
    label = str(row.metrics.get("target_label", row.target))
    target = STATUS_TARGET if row.target == STATUS_TARGET.field else Target(row.target, label)
    predictor = _predictor(conn, row.id, row.trained_at)
    return ActiveModel(
        row.id, target, row.kind, row.trained_at, row.outcomes, row.metrics, predictor
    )


# Decoded predictors by (database, model id, training time): a stored model never changes.
_DECODED: dict[tuple[str, int, str], Predictor] = {}


def _predictor(conn: Connection, model_id: int, trained_at: datetime) -> Predictor:
    key = (str(conn.engine.url), model_id, trained_at.isoformat())
    if key not in _DECODED:
        definition = conn.execute(
            sa.select(records.c.definition).where(records.c.id == model_id)
        ).scalar_one()
        if len(_DECODED) >= 4:
            _DECODED.clear()
        from leaddesk.core.scoring.predictive.models import Predictor

        _DECODED[key] = Predictor.from_json(definition)
    return _DECODED[key]


def outcome_counts(conn: Connection, target: Target, registry: FieldRegistry) -> tuple[int, int]:
    """(leads with the outcome, leads without it) among those whose outcome is known."""
    if target.is_status:
        rows = conn.execute(
            sa.select(leads.c.status, sa.func.count())
            .where(leads.c.status.in_(("won", *LOSING)))
            .group_by(leads.c.status)
        )
        counts = {str(status): int(count) for status, count in rows}
        return counts.get("won", 0), sum(counts.get(s, 0) for s in LOSING)
    value = leads.c.custom[target.field]
    positives = negatives = 0
    for raw, count in conn.execute(sa.select(value, sa.func.count()).group_by(value)):
        outcome = yes_no(raw)
        positives += count if outcome is True else 0
        negatives += count if outcome is False else 0
    return positives, negatives


def retrain_advice(conn: Connection, registry: FieldRegistry) -> str | None:
    """A sentence proposing a retrain when outcomes grew by a fifth since the model, else None."""
    active = active_predictive_model(conn)
    if active is None:
        return None
    try:
        target = resolve_target(conn, registry, active.target.field)
    except InvalidInputError:  # its field is gone: this model cannot be trained again
        return None
    now = sum(outcome_counts(conn, target, registry))
    if now < active.outcomes * RETRAIN_GROWTH:
        return None
    return (
        f"{now - active.outcomes:,} more leads have an outcome since this model was trained "
        f"on {active.outcomes:,}. Retrain it to learn from them."
    )
