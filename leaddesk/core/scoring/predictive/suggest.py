"""Suggested rules: what the predictive model learned, as rules for the transparent model.

For each field the model uses, the leads with a value (a category, a number above a
threshold, a recent date) are compared with the rest through the model's own contributions:
a value that moves the log-odds by ``w`` on average becomes a rule worth ``10 * w`` points
(10 points for each time the odds grow by e, about 2.7), with what the data shows beside it.
The user accepts them one by one into a draft of the rule model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy.engine import Connection

from leaddesk.core.fields import Field, FieldRegistry, FieldType, Group
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import run
from leaddesk.core.schema import utcnow
from leaddesk.core.scoring import editing, store
from leaddesk.core.scoring.model import FREE_EMAIL_DOMAINS, Rule, rule_label
from leaddesk.core.scoring.predictive.encoding import Encoding
from leaddesk.core.scoring.predictive.features import Feature, Frame, Kind, load_frame
from leaddesk.core.scoring.predictive.store import active_predictive_model
from leaddesk.core.scoring.predictive.target import Target

POINTS_PER_LOG_ODDS = 10
MAX_POINTS = 25
MIN_POINTS = 3
MIN_SHARE = 0.02  # a rule must hold for at least this share of the leads (and 10 of them)
MAX_SHARE = 0.9  # ... and not for nearly all of them, which would say nothing
RECENT_DAYS = (7, 30, 90)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A rule to add to the fit or engagement group, and why."""

    group: str  # "fit" or "engagement"
    rule: Rule
    text: str
    points: float
    evidence: str
    weight: float  # how strongly the data backs it (|effect| x sqrt(leads)), for ordering


def suggest_rules(
    conn: Connection, limit: int = 12, now: datetime | None = None
) -> list[Suggestion]:
    """The strongest rules the active predictive model supports, not in the rule model yet."""
    active = active_predictive_model(conn)
    if active is None:
        return []
    registry = load_registry(conn)
    features = list(active.predictor.encoding.features)
    frame = run(load_frame(conn, features, active.target, registry, now or utcnow()))
    labelled = frame.take(~np.isnan(frame.outcome))
    _, contributions = active.predictor.explain(labelled)
    present = _rules_in_draft(conn)
    found: dict[tuple[str, str, str], Suggestion] = {}
    for j, feature in enumerate(features):
        field = _field(feature, registry)
        if field is None:
            continue
        best: dict[tuple[str, str, str], Suggestion] = {}
        for rule, mask in _candidates(feature, field, labelled, active.predictor.encoding):
            s = _suggestion(
                rule, mask, contributions[:, j], labelled, field, active.target, registry
            )
            if s is not None and _key(rule) not in present:
                best.setdefault(_key(rule), s)
        # Two values of a category may both matter; two thresholds of a number overlap.
        keep = 2 if feature.kind.is_category else 1
        for s in sorted(best.values(), key=lambda s: -s.weight)[:keep]:
            found[_key(s.rule)] = s
    return sorted(found.values(), key=lambda s: -s.weight)[:limit]


def accept_suggestion(conn: Connection, suggestion: Suggestion) -> int:
    """Add the suggested rule to the draft of the rule model (a draft copy of the active
    model when there is none yet), replacing a rule on the same condition; the draft's id."""
    version = editing.version_to_open(conn)
    if version is None:
        model_id, model = store.active_model(conn)
    else:
        model_id, model = version.id, store.get_model(conn, version.id)
    draft_id = editing.editable_version(conn, model_id, model)
    draft = store.get_model(conn, draft_id)
    rules = draft.fit_rules if suggestion.group == "fit" else draft.engagement_rules
    rules[:] = [r for r in rules if _key(r) != _key(suggestion.rule)]
    rules.append(suggestion.rule)
    store.update_draft(conn, draft_id, draft)
    return draft_id


def _field(feature: Feature, registry: FieldRegistry) -> Field | None:
    """The field a rule on ``feature`` would test (the email for its domain); None for
    features no field rule can express (activity counts, the rule score itself)."""
    if feature.kind in (Kind.ACTIVITY_COUNT, Kind.ACTIVITY_AGE) or feature.name == "score":
        return None
    return registry.get(feature.source) if feature.source in registry else None


def _candidates(
    feature: Feature, field: Field, frame: Frame, encoding: Encoding
) -> Iterator[tuple[Rule, np.ndarray]]:
    """Conditions on ``field`` worth testing, each with the leads it holds for."""
    name = field.name
    if feature.kind is Kind.WORD:
        word = feature.name.rsplit("~", 1)[1]
        yield Rule(name, "contains", [word], 0), encoding.column(feature, frame) == 1
        return
    values = frame.columns[feature.name]
    if feature.kind.is_category:
        for code, level in enumerate(frame.levels[feature.name]):
            mask = values == code
            if feature.kind is Kind.EMAIL_DOMAIN:
                if level == "free mail":
                    yield Rule(name, "ends_with", FREE_EMAIL_DOMAINS, 0, "Free email domain"), mask
            elif level is None:
                yield Rule(name, "is_empty", None, 0), mask
            elif field.type is FieldType.BOOL:
                yield Rule(name, "is_true" if level == "yes" else "is_false", None, 0), mask
            elif name == "tags":
                yield Rule(name, "contains", [level], 0), mask
            else:
                yield Rule(name, "equals", level, 0), mask
        return
    known = ~np.isnan(values)
    yield Rule(name, "is_empty", None, 0), ~known
    if feature.kind is Kind.AGE:
        for days in RECENT_DAYS:
            yield Rule(name, "within_last_days", days, 0), known & (values <= days)
        last = RECENT_DAYS[-1]
        yield Rule(name, "more_than_days_ago", last, 0), known & (values > last)
        return
    if known.any():
        for q in (25, 50, 75, 90):
            threshold = _round(float(np.percentile(values[known], q)))
            yield Rule(name, "at_least", threshold, 0), known & (values >= threshold)
            yield Rule(name, "less_than", threshold, 0), known & (values < threshold)


def _round(value: float) -> float:
    """A threshold people would write: two significant digits."""
    if value == 0:
        return 0.0
    digits = 1 - int(np.floor(np.log10(abs(value))))
    return float(round(value, digits))


def _suggestion(
    rule: Rule,
    mask: np.ndarray,
    contributions: np.ndarray,
    labelled: Frame,
    field: Field,
    target: Target,
    registry: FieldRegistry,
) -> Suggestion | None:
    """The rule with its points, if the leads it holds for differ enough from the rest, and
    in the same direction in the outcomes as in the model (else it would read as a paradox)."""
    count = int(mask.sum())
    if count < max(10, MIN_SHARE * len(mask)) or count > MAX_SHARE * len(mask):
        return None
    effect = float(contributions[mask].mean() - contributions[~mask].mean())
    points = float(np.clip(round(effect * POINTS_PER_LOG_ODDS), -MAX_POINTS, MAX_POINTS))
    if abs(points) < MIN_POINTS:
        return None
    rate, overall = float(labelled.outcome[mask].mean()), float(labelled.outcome.mean())
    if (rate - overall) * points <= 0:
        return None
    rule.points = points
    verb = "were won" if target.is_status else f"had {target.label} = yes"
    evidence = f"{rate:.0%} of {count:,} such leads {verb}, against {overall:.0%} overall"
    group = "engagement" if field.group is Group.ENGAGEMENT else "fit"
    text = rule_label(rule, registry)
    return Suggestion(group, rule, text, points, evidence, abs(effect) * count**0.5)


def _key(rule: Rule) -> tuple[str, str, str]:
    return rule.field, rule.op, repr(rule.value)


def _rules_in_draft(conn: Connection) -> set[tuple[str, str, str]]:
    """The conditions the model being edited (the draft, else the active one) has already."""
    version = editing.version_to_open(conn)
    model = store.get_model(conn, version.id) if version else store.active_model(conn)[1]
    return {_key(r) for r in (*model.fit_rules, *model.engagement_rules)}
