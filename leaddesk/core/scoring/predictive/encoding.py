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
from leaddesk.core.scoring.predictive.features import Feature, Frame, Kind, words

MIN_COUNT = 10
MAX_VALUES = 40
MAX_WORDS = 15  # per text field
OTHER = "\ufdd0other"  # a value seen fewer than MIN_COUNT times (U+FDD0 is never text)
MISSING = "\ufdd0missing"
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

    def codes(self, feature: Feature, frame: Frame) -> np.ndarray:
        """Each lead's position in the feature's vocabulary (rare and unseen: "other")."""
        index = {value: i for i, value in enumerate(self.categories[feature.name])}
        table = np.array(
            [
                index[MISSING] if level is None else index.get(level, index[OTHER])
                for level in frame.levels[feature.name]
            ],
            dtype=np.int64,
        )
        return table[frame.columns[feature.name]] if len(table) else table

    def tree_matrix(self, frame: Frame) -> np.ndarray:
        """One column per feature: numbers as they are (NaN missing), categories as codes,
        words as 1 or 0."""
        matrix = np.empty((len(frame), len(self.features)))
        for j, feature in enumerate(self.features):
            matrix[:, j] = self.column(feature, frame)
        return matrix

    def column(self, feature: Feature, frame: Frame) -> np.ndarray:
        """The feature's values as numbers (category codes for a category)."""
        if feature.kind is Kind.WORD:
            return word_column(feature, frame)
        if feature.kind.is_category:
            return self.codes(feature, frame).astype(float)
        return frame.columns[feature.name]

    def value(self, feature: Feature, frame: Frame, row: int) -> Any:
        """One lead's value of a feature, as people read it."""
        if feature.kind is Kind.WORD:
            return float(word_column(feature, frame.take(np.array([row])))[0])
        return frame.value(feature.name, row)

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


def word_feature(text: Feature, word: str) -> Feature:
    return Feature(f"{text.name}~{word}", f"{text.label} contains '{word}'", Kind.WORD, text.name)


def word_column(feature: Feature, frame: Frame) -> np.ndarray:
    """1 for the leads whose text holds the feature's word, else 0."""
    word = feature.name.rsplit("~", 1)[1]
    table = np.array([word in words(level) for level in frame.levels[feature.source]], dtype=float)
    return table[frame.columns[feature.source]] if len(table) else table


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
            levels = frame.levels[feature.name]
            if feature.kind is Kind.TEXT:
                kept += [word_feature(feature, w) for w in _common_words(values, levels)]
            vocabulary = _vocabulary(values, levels, y, prior)
            if vocabulary is None:
                continue
            categories[feature.name] = vocabulary
        kept.append(feature)
    return Encoding(tuple(kept), numbers, categories)


def _common_words(codes: np.ndarray, levels: list[str | None]) -> list[str]:
    """Words shared by several values of a text ("director" in "Sales Director" and "Director
    of IT"), held by at least ``MIN_COUNT`` leads but not nearly all; the most common first."""
    counts = np.bincount(codes, minlength=len(levels))
    leads: dict[str, float] = {}
    values: dict[str, int] = {}
    for level, n in zip(levels, counts, strict=True):
        for word in words(level) if n else ():
            leads[word] = leads.get(word, 0.0) + float(n)
            values[word] = values.get(word, 0) + 1
    common = [w for w, n in leads.items() if values[w] >= 2 and MIN_COUNT <= n <= 0.9 * len(codes)]
    return sorted(common, key=lambda w: (-leads[w], w))[:MAX_WORDS]


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


def _vocabulary(
    codes: np.ndarray, levels: list[str | None], y: np.ndarray, prior: float
) -> tuple[str, ...] | None:
    counts = np.bincount(codes, minlength=len(levels))
    positives = np.bincount(codes, weights=y, minlength=len(levels))
    seen = [
        (level, float(n), float(p))
        for level, n, p in zip(levels, counts, positives, strict=True)
        if n
    ]
    present = sum(n for level, n, _ in seen if level is not None)
    distinct = sum(1 for level, _, _ in seen if level is not None)
    if present >= 20 and distinct >= 0.9 * present:
        return None  # nearly every lead different: an identifier or free text
    common = sorted(
        ((level, n) for level, n, _ in seen if level is not None and n >= MIN_COUNT),
        key=lambda pair: -pair[1],
    )[:MAX_VALUES]
    kept = {level for level, _ in common}
    grouped: dict[str, list[float]] = {MISSING: [0.0, 0.0], OTHER: [0.0, 0.0]}
    for level, n, p in seen:
        key = MISSING if level is None else level if level in kept else OTHER
        pair = grouped.setdefault(key, [0.0, 0.0])
        pair[0] += n
        pair[1] += p
    if sum(1 for n, _ in grouped.values() if n > 0) < 2:
        return None  # one value for every lead: nothing to learn

    def rate(key: str) -> float:
        n, hits = grouped[key]
        return (hits + _SMOOTHING * prior) / (n + _SMOOTHING)

    return tuple(sorted(grouped, key=lambda k: (rate(k), k)))
