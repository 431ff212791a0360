"""How good a model is, measured on leads it never saw: the figures the Predictive page
charts and ``leaddesk train --json`` prints."""

from __future__ import annotations

from typing import Any

import numpy as np


def roc_auc(outcome: np.ndarray, ranking: np.ndarray) -> float | None:
    """The chance a random converted lead ranks above a random other one; None when the
    leads are all of one outcome."""
    from sklearn.metrics import roc_auc_score

    if len(np.unique(outcome)) < 2:
        return None
    return float(roc_auc_score(outcome, ranking))


def brier(outcome: np.ndarray, probability: np.ndarray) -> float:
    """Mean squared gap between probability and outcome (0 is perfect, 0.25 a coin)."""
    from sklearn.metrics import brier_score_loss

    return float(brier_score_loss(outcome, probability))


def reliability(
    outcome: np.ndarray, probability: np.ndarray, bins: int = 10
) -> list[dict[str, Any]]:
    """Per tenth of the probability scale: leads, mean predicted and observed rate."""
    edges = np.minimum((probability * bins).astype(int), bins - 1)
    result = []
    for b in range(bins):
        inside = edges == b
        if inside.any():
            result.append({
                "predicted": round(float(probability[inside].mean()), 4),
                "observed": round(float(outcome[inside].mean()), 4),
                "leads": int(inside.sum()),
            })  # fmt: skip
    return result


def lift_by_decile(outcome: np.ndarray, probability: np.ndarray) -> list[dict[str, Any]]:
    """Leads ranked by probability in ten equal groups, best first: each group's share of
    all conversions and its lift over the average ("the top 10 % hold 41 %")."""
    order = np.argsort(-probability, kind="mergesort")
    total = float(outcome.sum()) or 1.0
    base = float(outcome.mean()) or 1.0
    result = []
    for decile, rows in enumerate(np.array_split(order, 10), start=1):
        hits = float(outcome[rows].sum())
        result.append({
            "decile": decile,
            "leads": len(rows),
            "conversions": int(hits),
            "share": round(hits / total, 4),
            "lift": round(hits / len(rows) / base, 2) if len(rows) else 0.0,
        })  # fmt: skip
    return result
