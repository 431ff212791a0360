"""Fitting the two kinds of model with scikit-learn, and reducing each to data.

scikit-learn is imported here only, when a model is trained: predicting needs numpy alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from leaddesk.core.scoring.predictive.encoding import Encoding
from leaddesk.core.scoring.predictive.features import Frame, Kind
from leaddesk.core.scoring.predictive.models import LOGISTIC, TREES, LinearModel, Tree, TreeModel

KINDS = (LOGISTIC, TREES)


def fit_model(kind: str, encoding: Encoding, frame: Frame, seed: int) -> LinearModel | TreeModel:
    """A model of ``kind`` fitted to the labelled leads in ``frame``."""
    return fit_linear(encoding, frame) if kind == LOGISTIC else fit_trees(encoding, frame, seed)


def linear_design(encoding: Encoding, frame: Frame) -> tuple[Any, list[slice]]:
    """The sparse matrix a logistic regression learns from, and each feature's columns."""
    from scipy import sparse

    blocks: list[Any] = []
    slices: list[slice] = []
    start = 0
    for feature in encoding.features:
        if feature.kind.is_category:
            codes = encoding.codes(feature, frame)
            width = len(encoding.categories[feature.name])
            block = sparse.csr_matrix(
                (np.ones(len(codes)), (np.arange(len(codes)), codes)), shape=(len(codes), width)
            )
        elif feature.kind is Kind.WORD:
            block = sparse.csr_matrix(encoding.column(feature, frame).reshape(-1, 1))
        else:
            values = frame.columns[feature.name]
            stats = encoding.numbers[feature.name]
            columns = [stats.standardized(values)]
            if stats.has_missing:
                columns.append(np.isnan(values).astype(float))
            block = sparse.csr_matrix(np.column_stack(columns))
        blocks.append(block)
        slices.append(slice(start, start + block.shape[1]))
        start += block.shape[1]
    return sparse.hstack(blocks, format="csr"), slices


def fit_linear(encoding: Encoding, frame: Frame) -> LinearModel:
    """L2-regularised logistic regression on standardised numbers and one-hot categories."""
    from sklearn.linear_model import LogisticRegression

    design, slices = linear_design(encoding, frame)
    fitted = LogisticRegression(C=1.0, max_iter=2000).fit(design, frame.outcome)
    coef = fitted.coef_[0]
    weights = {
        f.name: tuple(float(w) for w in coef[columns])
        for f, columns in zip(encoding.features, slices, strict=True)
    }
    for f in encoding.features:  # numbers: [value, missing] even without a missing column
        if f.kind.is_numeric and len(weights[f.name]) == 1:
            weights[f.name] += (0.0,)
    bare = LinearModel(float(fitted.intercept_[0]), weights, {})
    means = bare.terms(encoding, frame).mean(axis=0)
    offsets = {f.name: float(m) for f, m in zip(encoding.features, means, strict=True)}
    return LinearModel(bare.intercept, weights, offsets)


def fit_trees(encoding: Encoding, frame: Frame, seed: int) -> TreeModel:
    """Gradient-boosted trees (scikit-learn's histogram version), stopped early on a
    validation share once there are enough leads for one."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = encoding.tree_matrix(frame)
    enough = len(frame) >= 1000
    fitted = HistGradientBoostingClassifier(
        learning_rate=0.1 if enough else 0.05,
        max_iter=200 if enough else 100,
        max_leaf_nodes=15,
        min_samples_leaf=20 if enough else 10,
        l2_regularization=1.0,
        early_stopping=enough,
        validation_fraction=0.15,
        n_iter_no_change=15,
        random_state=seed,
    ).fit(x, frame.outcome)
    trees = tuple(_tree(predictors[0].nodes) for predictors in fitted._predictors)
    return TreeModel(float(np.ravel(fitted._baseline_prediction)[0]), trees)


def _tree(nodes: np.ndarray) -> Tree:
    """A scikit-learn tree predictor's nodes as a ``Tree``, inner values filled in.

    scikit-learn leaves inner nodes' values unset for prediction; the count-weighted mean
    of the leaves below is what an explanation needs there.
    """
    leaf = nodes["is_leaf"].astype(bool)
    value = nodes["value"].astype(float).copy()
    count = nodes["count"].astype(float)
    left, right = nodes["left"].astype(np.int64), nodes["right"].astype(np.int64)
    for i in np.argsort(-nodes["depth"], kind="stable"):  # children before parents
        if not leaf[i]:
            a, b = left[i], right[i]
            value[i] = (value[a] * count[a] + value[b] * count[b]) / max(count[a] + count[b], 1)
    return Tree(
        nodes["feature_idx"].astype(np.int64),
        nodes["num_threshold"].astype(float),
        nodes["missing_go_to_left"].astype(bool),
        left,
        right,
        leaf,
        value,
    )


def fit_calibration(log_odds: np.ndarray, outcome: np.ndarray) -> tuple[float, float]:
    """Platt scaling: the slope and shift that make log-odds honest probabilities."""
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=1e4, max_iter=1000).fit(log_odds.reshape(-1, 1), outcome)
    return float(fitted.coef_[0][0]), float(fitted.intercept_[0])
