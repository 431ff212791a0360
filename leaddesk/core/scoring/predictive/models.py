"""A trained model as data, and how it predicts and explains with numpy alone.

Two kinds, both reduced to arrays when trained: a logistic regression (a weight per number,
per "was missing", per category value) and boosted trees (each tree's splits and node values).
Neither is ever pickled: loading a model from a shared database reads numbers, it cannot run
code. Each prediction splits into one contribution per feature (log-odds, relative to the
average training lead), so every probability comes with its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from leaddesk.core.errors import InvalidInputError
from leaddesk.core.scoring.predictive.encoding import Encoding
from leaddesk.core.scoring.predictive.features import Frame, Kind

FORMAT = 1
LOGISTIC = "logistic regression"
TREES = "boosted trees"


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Log-odds = intercept + Σ weights; per number [value, missing], per category one a value."""

    intercept: float
    weights: dict[str, tuple[float, ...]]
    offsets: dict[str, float]  # each feature's mean term over the training leads
    kind: str = LOGISTIC

    def terms(self, encoding: Encoding, frame: Frame) -> np.ndarray:
        """Each lead's term for each feature (before the offsets)."""
        terms = np.zeros((len(frame), len(encoding.features)))
        for j, feature in enumerate(encoding.features):
            weights = np.asarray(self.weights[feature.name])
            if feature.kind.is_category:
                terms[:, j] = weights[encoding.codes(feature, frame)]
            elif feature.kind is Kind.WORD:
                terms[:, j] = weights[0] * encoding.column(feature, frame)
            else:
                values = frame.columns[feature.name]
                stats = encoding.numbers[feature.name]
                terms[:, j] = weights[0] * stats.standardized(values)
                if stats.has_missing:
                    terms[:, j] += weights[1] * np.isnan(values)
        return terms

    def contributions(self, encoding: Encoding, frame: Frame) -> tuple[float, np.ndarray]:
        offsets = np.array([self.offsets[f.name] for f in encoding.features])
        expected = self.intercept + float(offsets.sum())
        return expected, self.terms(encoding, frame) - offsets

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "intercept": self.intercept,
            "weights": {k: list(v) for k, v in self.weights.items()},
            "offsets": self.offsets,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        return cls(
            float(data["intercept"]),
            {k: tuple(float(x) for x in v) for k, v in data["weights"].items()},
            {k: float(v) for k, v in data["offsets"].items()},
        )


@dataclass(frozen=True, slots=True)
class Tree:
    """One regression tree as parallel arrays, node 0 the root.

    A lead goes left when its value is at most the threshold (missing: ``missing_left``);
    ``value`` is the tree's output at every node (at an inner node, the training-weighted
    mean of its leaves), so the change from node to child is what that split contributes.
    """

    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    value: np.ndarray

    _FIELDS = ("feature", "threshold", "missing_left", "left", "right", "leaf", "value")

    def to_json(self) -> dict[str, list[Any]]:
        return {name: getattr(self, name).tolist() for name in self._FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, list[Any]]) -> Tree:
        types = (np.int64, np.float64, bool, np.int64, np.int64, bool, np.float64)
        return cls(*(np.asarray(data[n], dtype=t) for n, t in zip(cls._FIELDS, types, strict=True)))


@dataclass(frozen=True, slots=True)
class TreeModel:
    """Log-odds = baseline + the sum of every tree's leaf for the lead."""

    baseline: float
    trees: tuple[Tree, ...]
    kind: str = TREES

    def contributions(self, encoding: Encoding, frame: Frame) -> tuple[float, np.ndarray]:
        """Each split's change in value credited to its feature (Saabas's decomposition)."""
        x = encoding.tree_matrix(frame)
        n = len(frame)
        result = np.zeros((n, len(encoding.features)))
        rows = np.arange(n)
        expected = self.baseline
        for tree in self.trees:
            expected += float(tree.value[0])
            node = np.zeros(n, dtype=np.int64)
            active = rows[~tree.leaf[node]]
            while active.size:
                at = node[active]
                feature = tree.feature[at]
                value = x[active, feature]
                go_left = np.where(
                    np.isnan(value), tree.missing_left[at], value <= tree.threshold[at]
                )
                child = np.where(go_left, tree.left[at], tree.right[at])
                # Each lead appears once per level, so a plain indexed add is exact.
                result[active, feature] += tree.value[child] - tree.value[at]
                node[active] = child
                active = active[~tree.leaf[child]]
        return expected, result

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "baseline": self.baseline,
            "trees": [t.to_json() for t in self.trees],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreeModel:
        return cls(float(data["baseline"]), tuple(Tree.from_json(t) for t in data["trees"]))


@dataclass(frozen=True, slots=True)
class Predictor:
    """Everything needed to predict: the encoding, the model, and the calibration that turns
    log-odds into honest probabilities (``1 / (1 + exp(-(slope * log_odds + shift)))``)."""

    encoding: Encoding
    model: LinearModel | TreeModel
    slope: float = 1.0
    shift: float = 0.0

    def explain(self, frame: Frame) -> tuple[np.ndarray, np.ndarray]:
        """(probability of each lead, 0-1; each lead's contribution per feature)."""
        expected, contributions = self.model.contributions(self.encoding, frame)
        log_odds = expected + contributions.sum(axis=1)
        return self.calibrated(log_odds), contributions

    def calibrated(self, log_odds: np.ndarray) -> np.ndarray:
        z = np.clip(self.slope * log_odds + self.shift, -35, 35)
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "encoding": self.encoding.to_json(),
            "model": self.model.to_json(),
            "calibration": [self.slope, self.shift],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Predictor:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InvalidInputError(
                "This predictive model was saved by another LeadDesk version; train it again."
            )
        model_data = data["model"]
        model: LinearModel | TreeModel = (
            TreeModel.from_json(model_data)
            if model_data["kind"] == TREES
            else LinearModel.from_json(model_data)
        )
        slope, shift = (float(x) for x in data["calibration"])
        return cls(Encoding.from_json(data["encoding"]), model, slope, shift)
