"""Each lead's probability and the reasons for it, from the active predictive model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.leads import load_registry
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import leads, utcnow
from leaddesk.core.scoring.predictive.encoding import MISSING, OTHER, Encoding
from leaddesk.core.scoring.predictive.features import Feature, Frame, Kind, load_frame

CHUNK = 20_000
MINUS = "\u2212"  # the minus sign, as wide as the plus beside it
MIN_WEIGHT = 0.05  # log-odds: smaller contributions are noise, not reasons


@dataclass(frozen=True, slots=True)
class Factor:
    """One reason for a prediction: what the lead is or did, and how much it weighed."""

    text: str
    weight: float  # log-odds; positive raises the probability

    def describe(self) -> str:
        return f"{self.text} {'+' if self.weight > 0 else MINUS}"


@dataclass(frozen=True, slots=True)
class Prediction:
    probability: float  # 0-1
    target_label: str
    factors: tuple[Factor, ...]  # strongest first, either way

    @property
    def percent(self) -> str:
        return f"{self.probability * 100:.0f}%"

    def to_json(self) -> dict[str, object]:
        return {
            "probability": percent(self.probability),
            "target": self.target_label,
            "factors": [{"text": f.text, "weight": round(f.weight, 3)} for f in self.factors],
        }


def percent(probability: float) -> float:
    """A probability as the stored and shown percentage, to one decimal."""
    return round(probability * 100, 1)


def write_probabilities(conn: Connection, ids: np.ndarray, probabilities: np.ndarray) -> None:
    """Store each lead's probability (as a percentage)."""
    update = leads.update().where(leads.c.id == sa.bindparam("lead_id"))
    rows = [
        {"lead_id": int(i), "probability": percent(float(p))}
        for i, p in zip(ids, probabilities, strict=True)
    ]
    for start in range(0, len(rows), CHUNK):
        conn.execute(
            update.values(probability=sa.bindparam("probability")), rows[start : start + CHUNK]
        )


def refresh_predictions(
    conn: Connection, lead_ids: Sequence[int] | None = None, now: datetime | None = None
) -> Job[int]:
    """Predict leads (all, or ``lead_ids``) again with the active model, in the caller's
    transaction; nothing to do before a model is trained."""
    from leaddesk.core.scoring.predictive.store import active_predictive_model

    active = active_predictive_model(conn)
    if active is None or (lead_ids is not None and not lead_ids):
        return 0
    registry = load_registry(conn)
    features = list(active.predictor.encoding.features)
    frame = yield from load_frame(
        conn, features, active.target, registry, now or utcnow(), lead_ids
    )
    yield Progress(len(frame), len(frame), "Predicting…")
    probabilities, _ = active.predictor.explain(frame)
    write_probabilities(conn, frame.ids, probabilities)
    return len(frame)


def explain_leads(
    conn: Connection, lead_ids: Sequence[int], now: datetime | None = None, top: int = 3
) -> dict[int, Prediction]:
    """The prediction and its strongest reasons (``top`` each way) for each lead."""
    from leaddesk.core.progress import run
    from leaddesk.core.scoring.predictive.store import active_predictive_model

    active = active_predictive_model(conn)
    if active is None or not lead_ids:
        return {}
    registry = load_registry(conn)
    features = list(active.predictor.encoding.features)
    frame = run(load_frame(conn, features, active.target, registry, now or utcnow(), lead_ids))
    probabilities, contributions = active.predictor.explain(frame)
    return {
        int(lead_id): Prediction(
            float(probabilities[i]),
            active.target.label,
            _factors(active.predictor.encoding, frame, i, contributions[i], top),
        )
        for i, lead_id in enumerate(frame.ids)
    }


def _factors(
    encoding: Encoding, frame: Frame, row: int, weights: np.ndarray, top: int
) -> tuple[Factor, ...]:
    strongest = np.argsort(-np.abs(weights))
    ups = [j for j in strongest if weights[j] >= MIN_WEIGHT][:top]
    downs = [j for j in strongest if weights[j] <= -MIN_WEIGHT][:top]
    chosen = sorted(ups + downs, key=lambda j: -abs(weights[j]))
    features = encoding.features
    return tuple(
        Factor(factor_text(features[j], encoding.value(features[j], frame, row)), float(weights[j]))
        for j in chosen
    )


def factor_text(feature: Feature, value: object) -> str:
    """What the lead is or did for one feature, in words ("Lead origin is 'Lead Add Form'")."""
    label = feature.label
    title_case = any(word[:1].isupper() for word in label.split()[1:])  # "Lead Profile"
    lower = label if title_case else label[:1].lower() + label[1:]
    kind = feature.kind
    if kind is Kind.EMAIL_DOMAIN:
        return {"free mail": "Free email address", "company domain": "Company email domain"}.get(
            str(value), "No email address"
        )
    if kind is Kind.WORD:
        return label if value else label.replace(" contains ", " without ", 1)
    if kind.is_category:
        if value is None or value == MISSING:
            return f"No {lower}"
        if value in ("yes", "no"):
            return f"{label}: {value}"
        return f"{label} is '{value}'" if value != OTHER else f"{label} is a rare value"
    number = float(value)  # type: ignore[arg-type]
    if np.isnan(number):
        return "No engagement on record" if kind is Kind.ACTIVITY_AGE else f"No {lower}"
    if kind in (Kind.AGE, Kind.ACTIVITY_AGE):
        days = round(number)
        when = "today" if days == 0 else f"{days:,} day{'s' if abs(days) != 1 else ''} ago"
        return f"Last engagement {when}" if kind is Kind.ACTIVITY_AGE else f"{label} {when}"
    if number == 0 and feature.name != "score":
        return f"No {lower}"
    return f"{label}: {number:,.4g}"
