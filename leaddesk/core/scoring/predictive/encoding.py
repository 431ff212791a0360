"""How feature values become numbers, learned from the training leads and kept as data.

Numbers keep their value (missing stays missing for the trees; the linear model gets the
median and a "was missing" column), clipped to the training range's 1st-99th percentile
for the linear model so one huge value cannot dominate. Categories keep the values seen at
least ``MIN_COUNT`` times (at most ``MAX_VALUES``); rarer ones are grouped as "other", and
missing is a value of its own. Category codes follow each value's smoothed outcome rate in
the training leads, so a tree split on a code is a split between likely and unlikely values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from leaddesk.core.fields import header_key
from leaddesk.core.scoring.predictive.features import Feature, Frame

MIN_COUNT = 10
MAX_VALUES = 40
OTHER = "\x00other"  # a value seen fewer than MIN_COUNT times in training
MISSING = "\x00missing"
_SMOOTHING = 10.0  # leads' worth of the overall rate mixed into each value's rate
_ID_WORDS = ("id", "number", "no", "nr", "code", "uuid", "key", "ref", "reference")


@dataclass(frozen=True, slots=True)
class NumberStats:
    median: float
    low: float
    high: float
    mean: float
    scale: float
    has_missing: bool

    def standardized(self, values: np.ndarray) -> np.ndarray:
        """Clipped, centred and scaled; missing values at the median."""
        filled = np.where(np.isnan(values), self.median, values)
        return (np.clip(filled, self.low, self.high) - self.mean) / self.scale


@dataclass(frozen=True, slots=True)
class Encoding:
    """The features a model uses, with what each needs to turn values into numbers."""

    features: tuple[Feature, ...]
    numbers: dict[str, NumberStats]
    categories: dict[str, tuple[str, ...]]  # values in code order (OTHER and MISSING among them)

    def codes(self, feature: Feature, values: np.ndarray) -> np.ndarray:
        """Each value's position in the feature's vocabulary (rare and unseen: "other")."""
        vocabulary = self.categories[feature.name]
        index = {value: i for i, value in enumerate(vocabulary)}
        other, missing = index[OTHER], index[MISSING]
        return np.fromiter(
            (missing if v is None else index.get(v, other) for v in values),
            dtype=np.int64,
            count=len(values),
        )

    def tree_matrix(self, frame: Frame) -> np.ndarray:
        """One column per feature: numbers as they are (NaN missing), categories as codes."""
        matrix = np.empty((len(frame), len(self.features)))
        for j, feature in enumerate(self.features):
            values = frame.columns[feature.name]
            matrix[:, j] = values if feature.kind.is_numeric else self.codes(feature, values)
        return matrix

    def to_json(self) -> dict[str, Any]:
        return {
            "features": [f.to_json() for f in self.features],
            "numbers": {k: list(_stats_tuple(v)) for k, v in self.numbers.items()},
            "categories": {k: list(v) for k, v in self.categories.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Encoding:
        return cls(
            tuple(Feature.from_json(f) for f in data["features"]),
            {k: _stats(v) for k, v in data["numbers"].items()},
            {k: tuple(str(x) for x in v) for k, v in data["categories"].items()},
        )


def _stats(data: list[Any]) -> NumberStats:
    median, low, high, mean, scale, has_missing = data
    return NumberStats(
        float(median), float(low), float(high), float(mean), float(scale), bool(has_missing)
    )


def _stats_tuple(stats: NumberStats) -> tuple[float, float, float, float, float, bool]:
    return (stats.median, stats.low, stats.high, stats.mean, stats.scale, stats.has_missing)


def fit_encoding(frame: Frame, features: list[Feature]) -> Encoding:
    """Learn how to encode ``features`` from the training leads in ``frame``.

    Features that cannot help are left out: a value that never varies, or a column with a
    different value for nearly every lead (an identifier or free text, not a trait).
    """
    y = frame.outcome
    prior = float(np.mean(y))
    kept: list[Feature] = []
    numbers: dict[str, NumberStats] = {}
    categories: dict[str, tuple[str, ...]] = {}
    for feature in features:
        values = frame.columns[feature.name]
        if feature.kind.is_numeric:
            stats = _number_stats(values)
            if stats is None or _identifier(feature, values):
                continue
            numbers[feature.name] = stats
        else:
            vocabulary = _vocabulary(values, y, prior)
            if vocabulary is None:
                continue
            categories[feature.name] = vocabulary
        kept.append(feature)
    return Encoding(tuple(kept), numbers, categories)


def _number_stats(values: np.ndarray) -> NumberStats | None:
    present = values[~np.isnan(values)]
    has_missing = len(present) < len(values)
    if len(present) == 0 or (np.ptp(present) == 0 and not has_missing):
        return None
    low, median, high = (float(x) for x in np.percentile(present, [1, 50, 99]))
    clipped = np.clip(np.where(np.isnan(values), median, values), low, high)
    scale = float(np.std(clipped)) or 1.0
    return NumberStats(median, low, high, float(np.mean(clipped)), scale, has_missing)


def _identifier(feature: Feature, values: np.ndarray) -> bool:
    """A number column that calls itself an id and differs for (nearly) every lead."""
    words = feature.label.casefold().replace("_", " ").split()
    if not words or header_key(words[-1]) not in _ID_WORDS:
        return False
    present = values[~np.isnan(values)]
    return len(present) >= 20 and len(np.unique(present)) >= 0.95 * len(present)


def _vocabulary(values: np.ndarray, y: np.ndarray, prior: float) -> tuple[str, ...] | None:
    present = [v for v in values if v is not None]
    if len(present) >= 20 and len(set(present)) >= 0.9 * len(present):
        return None  # nearly every lead different: an identifier or free text
    totals: dict[str, list[float]] = {}
    for value, outcome in zip(values, y, strict=True):
        key = MISSING if value is None else value
        pair = totals.setdefault(key, [0.0, 0.0])
        pair[0] += 1
        pair[1] += outcome
    common = sorted(
        (k for k, (n, _) in totals.items() if k != MISSING and n >= MIN_COUNT),
        key=lambda k: -totals[k][0],
    )[:MAX_VALUES]
    grouped: dict[str, list[float]] = {k: totals[k] for k in common}
    grouped[MISSING] = totals.get(MISSING, [0.0, 0.0])
    other = grouped.setdefault(OTHER, [0.0, 0.0])
    for key, (n, positives) in totals.items():
        if key not in grouped:
            other[0] += n
            other[1] += positives
    if sum(1 for n, _ in grouped.values() if n > 0) < 2:
        return None  # one value for every lead: nothing to learn

    def rate(key: str) -> float:
        n, positives = grouped[key]
        return (positives + _SMOOTHING * prior) / (n + _SMOOTHING)

    return tuple(sorted(grouped, key=lambda k: (rate(k), k)))
