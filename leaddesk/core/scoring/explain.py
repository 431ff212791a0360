"""The explaining executor: one lead scored in Python, with every rule that gave it points.

It follows ``common`` step for step, in the same order as the SQL executor, so that its score
equals the stored one exactly (a property test holds them equal); what it adds is the list of
contributions, with caps shown as their own lines, whose points add up to the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.fields import Field, FieldRegistry
from leaddesk.core.leads import get_lead, load_registry
from leaddesk.core.schema import Activity
from leaddesk.core.scoring import common
from leaddesk.core.scoring.model import (
    ActivityRule,
    Rule,
    ScoringModel,
    activity_label,
    rule_label,
)
from leaddesk.core.wording import days_ago

activity_table = Activity.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Contribution:
    """One line of an explanation: a rule that matched, or a cap that cut the group."""

    group: str  # "fit" or "engagement"
    label: str
    points: float

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "label": self.label, "points": self.points}

    def text(self) -> str:
        """As a person reads it: "+20 Job title contains 'VP'"."""
        sign = "+" if self.points >= 0 else "\N{MINUS SIGN}"
        return f"{sign}{abs(self.points):g} {self.label}"


@dataclass(frozen=True, slots=True)
class Explanation:
    """A lead's score and the contributions it is made of."""

    lead_id: int | None
    score: float
    fit_score: float
    engagement_score: float
    grade: str
    tier: str
    sales_ready: bool
    contributions: list[Contribution] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "lead_id": self.lead_id,
            "score": self.score,
            "fit_score": self.fit_score,
            "engagement_score": self.engagement_score,
            "grade": self.grade,
            "tier": self.tier,
            "sales_ready": self.sales_ready,
            "contributions": [c.to_json() for c in self.contributions],
        }


def matches(rule: Rule, f: Field, lead: Mapping[str, Any], now: datetime) -> bool:
    """Whether ``rule`` holds for ``lead``: the Python twin of ``sql.Compiler.condition``."""
    value: Any = common.lead_value(lead, f)
    op = rule.op
    if op in ("is_empty", "is_not_empty"):
        empty = value is None or (f.type.is_textual and value == "")
        return empty if op == "is_empty" else not empty
    if op in ("is_true", "is_false"):
        return value is (op == "is_true")
    if value is None:
        return False
    target = common.operand(op, rule.value, f.type, f.custom, now)
    if op in ("before", "after", "within_last_days", "more_than_days_ago"):
        return bool(value < target) if op in common.BEFORE_OPS else bool(value >= target)
    if f.type.is_numeric:
        return _compare_number(float(value), op, target)
    text = common.fold(value)
    if op in ("equals", "not_equals"):
        return bool(text == target) == (op == "equals")
    if op == "one_of":
        return bool(text in target)
    if op == "contains":
        return any(t in text for t in target)
    if op == "starts_with":
        return any(text.startswith(t) for t in target)
    return any(text.endswith(t) for t in target)


def _compare_number(value: float, op: str, target: Any) -> bool:
    if op == "between":
        return bool(target[0] <= value <= target[1])
    results: dict[str, bool] = {
        "equals": value == target,
        "not_equals": value != target,
        "less_than": value < target,
        "at_most": value <= target,
        "greater_than": value > target,
        "at_least": value >= target,
    }
    return results[op]


def _rules(
    group: str,
    rules: Sequence[Rule],
    lead: Mapping[str, Any],
    registry: FieldRegistry,
    now: datetime,
) -> tuple[float, list[Contribution]]:
    total = 0.0
    lines = []
    for rule in rules:
        if rule.enabled and matches(rule, registry.get(rule.field), lead, now):
            total = total + float(rule.points)
            lines.append(Contribution(group, rule_label(rule, registry), float(rule.points)))
    return total, lines


def activity_points(
    rule: ActivityRule, acts: Sequence[Mapping[str, Any]], now_s: int
) -> tuple[float, str]:
    """An activity rule's rounded, capped points, and the line that explains them."""
    matching = [
        a
        for a in acts
        if a["kind"] == rule.activity and (rule.outcome is None or a["outcome"] == rule.outcome)
    ]
    if not matching:
        return 0.0, ""
    points = float(rule.points)
    if rule.half_life_days is None:
        raw = points * len(matching)
    else:
        raw = 0.0
        for a in sorted(matching, key=lambda a: (a["at"], a.get("id") or 0)):
            raw = raw + common.decayed(points, common.age_days(now_s, a["at"]), rule.half_life_days)
    value = common.round_score(raw)
    if rule.cap is not None:
        value = max(value, -rule.cap) if points < 0 else min(value, rule.cap)
    undecayed = common.round_score(points * len(matching))
    label = f"{activity_label(rule)} \N{MULTIPLICATION SIGN}{len(matching)}"
    last = max(a["at"] for a in matching)
    details = []
    if rule.half_life_days is not None and undecayed != value:
        details.append(f"decayed from {undecayed:g}")
    if rule.cap is not None and abs(value) == rule.cap:
        details.append(f"capped at {rule.cap:g}")
    ago = _ago(now_s, last)
    if len(matching) > 1:  # "last 9 days ago", but "last one yesterday"
        ago = f"last {ago}" if ago.endswith(" ago") else f"last one {ago}"
    details.append(ago)
    return value, f"{label} ({', '.join(details)})"


def _ago(now_s: int, at: datetime) -> str:
    """Calendar days (UTC) from the activity to the scoring day: "yesterday", "9 days ago"."""
    day = datetime.fromtimestamp(now_s, UTC).date()
    at_utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return days_ago((day - at_utc.date()).days)


def _capped(group: str, raw: float, cap: float | None) -> tuple[float, list[Contribution]]:
    value = common.round_score(raw)
    if cap is not None and value > cap:
        return cap, [Contribution(group, f"cap: {group} limited to {cap:g}", cap - value)]
    return value, []


def evaluate(
    model: ScoringModel,
    lead: Mapping[str, Any],
    activities: Sequence[Mapping[str, Any]],
    registry: FieldRegistry,
    now: datetime,
) -> Explanation:
    """Score one lead with ``model``: the same numbers the SQL executor stores."""
    fit_raw, lines = _rules("fit", model.fit_rules, lead, registry, now)
    eng_raw, eng_lines = _rules("engagement", model.engagement_rules, lead, registry, now)
    lines.extend(eng_lines)
    now_s = common.epoch_seconds(now)
    for rule in model.activity_rules:
        if not rule.enabled:
            continue
        value, label = activity_points(rule, activities, now_s)
        eng_raw = eng_raw + value
        if value:
            lines.append(Contribution("engagement", label, value))
    fit, fit_cap = _capped("fit", fit_raw, model.fit_cap)
    engagement, eng_cap = _capped("engagement", eng_raw, model.engagement_cap)
    contributions = (
        [c for c in lines if c.group == "fit"]
        + fit_cap
        + [c for c in lines if c.group == "engagement"]
        + eng_cap
    )
    total = common.round_score(fit + engagement)
    return Explanation(
        lead_id=lead.get("id"),
        score=total,
        fit_score=fit,
        engagement_score=engagement,
        grade=model.grade_for(fit),
        tier=model.tier_for(total),
        sales_ready=total >= model.threshold,
        contributions=contributions,
    )


def lead_activities(conn: Connection, lead_id: int, model: ScoringModel) -> list[dict[str, Any]]:
    """The lead's activities that the model's activity rules may count."""
    kinds = sorted({r.activity for r in model.activity_rules if r.enabled})
    if not kinds:
        return []
    query = (
        sa.select(
            activity_table.c.id,
            activity_table.c.kind,
            activity_table.c.outcome,
            activity_table.c.at,
        )
        .where(activity_table.c.lead_id == lead_id, activity_table.c.kind.in_(kinds))
        .order_by(activity_table.c.at, activity_table.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def explain_lead(conn: Connection, lead_id: int, now: datetime | None = None) -> Explanation:
    """Why the lead has its score, under the active model (NotFoundError for an unknown id).

    It writes nothing, so it runs in a read transaction (the detail view, `explain`). Like a
    rescore, it evaluates the lead as of the start of today, so it gives the stored score.
    """
    from leaddesk.core.scoring.store import active_model

    lead = get_lead(conn, lead_id)
    _model_id, model = active_model(conn)
    acts = lead_activities(conn, lead_id, model)
    return evaluate(model, lead, acts, load_registry(conn), now or common.scoring_moment())
