"""A scoring model as data: rules, caps, bands; JSON in and out; validation; the default.

A model is plain dataclasses so it can be stored as JSON in ``scoring_models``, exported,
edited in the rule table and compared. ``validate`` checks it against the field registry (the
same allow-list the SQL compiler trusts), and returns messages a user can act on.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from leaddesk.core.errors import InvalidInputError
from leaddesk.core.fields import Field, FieldRegistry, FieldType

FORMAT = 1

# Operators, by the kind of value they take.
NO_VALUE_OPS = frozenset({"is_empty", "is_not_empty", "is_true", "is_false"})
TEXT_OPS = ("equals", "not_equals", "one_of", "contains", "starts_with", "ends_with")
NUMBER_OPS = ("equals", "not_equals", "less_than", "at_most", "greater_than", "at_least")
DATE_OPS = ("before", "after", "within_last_days", "more_than_days_ago")
EMPTY_OPS = ("is_empty", "is_not_empty")

_TEXTUAL = (*TEXT_OPS, *EMPTY_OPS)
OPERATORS_BY_TYPE: dict[FieldType, tuple[str, ...]] = {
    FieldType.TEXT: _TEXTUAL,
    FieldType.EMAIL: _TEXTUAL,
    FieldType.PHONE: _TEXTUAL,
    FieldType.COUNTRY: ("equals", "not_equals", "one_of", *EMPTY_OPS),
    FieldType.CHOICE: ("equals", "not_equals", "one_of", *EMPTY_OPS),
    FieldType.NUMBER: (*NUMBER_OPS, "between", *EMPTY_OPS),
    FieldType.MONEY: (*NUMBER_OPS, "between", *EMPTY_OPS),
    FieldType.DATE: (*DATE_OPS, *EMPTY_OPS),
    FieldType.DATETIME: (*DATE_OPS, *EMPTY_OPS),
    FieldType.BOOL: ("is_true", "is_false", *EMPTY_OPS),
}

OPERATOR_LABELS = {
    "equals": "is",
    "not_equals": "is not",
    "one_of": "is one of",
    "contains": "contains",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "less_than": "<",
    "at_most": "≤",
    "greater_than": ">",
    "at_least": "≥",
    "between": "between",
    "before": "before",
    "after": "after",
    "within_last_days": "within the last",
    "more_than_days_ago": "more than",
    "is_true": "is yes",
    "is_false": "is no",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
}


@dataclass(slots=True)
class Rule:
    """``field · op · value -> points`` on a lead's own data (built-in or custom field).

    ``value`` is JSON: a string, a number, a list of strings (one of; contains any of), a
    ``[low, high]`` pair (between, inclusive), an ISO date (before/after), a number of days,
    or None for operators that take no value.
    """

    field: str
    op: str
    value: Any
    points: float
    label: str = ""
    enabled: bool = True


@dataclass(slots=True)
class ActivityRule:
    """Points per logged activity of a kind (and outcome), decaying with a half-life.

    Each matching activity gives ``points * 0.5 ** (age_days / half_life_days)``; ``cap``
    limits the rule's total (in absolute value, for negative points).
    """

    activity: str
    outcome: str | None
    points: float
    half_life_days: float | None = None
    cap: float | None = None
    label: str = ""
    enabled: bool = True


@dataclass(slots=True)
class ScoringModel:
    """A whole model: rule groups, group caps, quality threshold, grade and tier bands."""

    name: str
    fit_rules: list[Rule] = field(default_factory=list)
    engagement_rules: list[Rule] = field(default_factory=list)
    activity_rules: list[ActivityRule] = field(default_factory=list)
    fit_cap: float | None = None
    engagement_cap: float | None = None
    threshold: float = 60.0
    grade_bands: dict[str, float] = field(default_factory=lambda: {"A": 60, "B": 40, "C": 20})
    tier_bands: dict[str, float] = field(default_factory=lambda: {"Hot": 70, "Warm": 40})

    def to_dict(self) -> dict[str, Any]:
        """The model as JSON data, with the format version it was written in."""
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def from_dict(cls, data: Any) -> ScoringModel:
        """A model from JSON data; InvalidInputError if it is not a model this LeadDesk reads."""
        if not isinstance(data, dict):
            raise InvalidInputError("This is not a LeadDesk scoring model (expected an object).")
        version = data.get("format")
        if version != FORMAT:
            raise InvalidInputError(
                f"This scoring model has format {version!r}; this LeadDesk reads format "
                f"{FORMAT}. Export it again from a matching LeadDesk version."
            )
        try:
            return cls(
                name=str(data["name"]),
                fit_rules=[Rule(**r) for r in data.get("fit_rules", [])],
                engagement_rules=[Rule(**r) for r in data.get("engagement_rules", [])],
                activity_rules=[ActivityRule(**r) for r in data.get("activity_rules", [])],
                fit_cap=_optional_float(data.get("fit_cap")),
                engagement_cap=_optional_float(data.get("engagement_cap")),
                threshold=float(data.get("threshold", 60.0)),
                grade_bands={str(k): float(v) for k, v in data.get("grade_bands", {}).items()},
                tier_bands={str(k): float(v) for k, v in data.get("tier_bands", {}).items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidInputError(
                f"This scoring model cannot be read ({exc}). Check the file, or export it again."
            ) from exc

    def changes_with_time(self) -> bool:
        """Scores move from one day to the next without new data (decay, relative dates)."""
        relative = ("within_last_days", "more_than_days_ago")
        rules = [*self.fit_rules, *self.engagement_rules]
        return any(r.enabled and r.op in relative for r in rules) or any(
            r.enabled and r.half_life_days is not None for r in self.activity_rules
        )

    def grade_for(self, fit: float) -> str:
        """A, B or C for the first band ``fit`` reaches, else D."""
        for grade in ("A", "B", "C"):
            if grade in self.grade_bands and fit >= self.grade_bands[grade]:
                return grade
        return "D"

    def tier_for(self, total: float) -> str:
        """Hot or Warm for the first band ``total`` reaches, else Cold."""
        for tier in ("Hot", "Warm"):
            if tier in self.tier_bands and total >= self.tier_bands[tier]:
                return tier
        return "Cold"


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def rule_label(rule: Rule, registry: FieldRegistry) -> str:
    """The rule's own label, else one written from it ("Job title contains 'VP'")."""
    if rule.label:
        return rule.label
    name = registry.get(rule.field).label if rule.field in registry else rule.field
    op = OPERATOR_LABELS.get(rule.op, rule.op)
    value = rule.value
    if value is None:
        return f"{name} {op}"
    if rule.op == "between":
        return f"{name} between {_show(value[0])} and {_show(value[1])}"
    if rule.op == "within_last_days":
        return f"{name} within the last {_show(value)} days"
    if rule.op == "more_than_days_ago":
        return f"{name} more than {_show(value)} days ago"
    if isinstance(value, list):
        shown = ", ".join(f"'{v}'" for v in value[:4]) + (", …" if len(value) > 4 else "")
        return f"{name} {op} {shown}"
    return f"{name} {op} {_show(value)}"


def activity_label(rule: ActivityRule) -> str:
    """The activity rule's label, else its kind and outcome ("call: connected")."""
    if rule.label:
        return rule.label
    return f"{rule.activity}: {rule.outcome}" if rule.outcome else rule.activity


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


def validate(model: ScoringModel, registry: FieldRegistry) -> list[str]:
    """Everything wrong with ``model`` for this database, one message per problem.

    An empty list means the SQL executor may compile it: every field is in the registry's
    scorable allow-list and every operator is allowed for the field's type.
    """
    problems: list[str] = []
    scorable = {f.name: f for f in registry.scorable()}
    for group, rules in (("Fit", model.fit_rules), ("Engagement", model.engagement_rules)):
        seen: set[str] = set()
        for index, rule in enumerate(rules, 1):
            where = f"{group} rule {index}"
            found = scorable.get(rule.field)
            if found is None:
                problems.append(f"{where}: there is no scorable field called '{rule.field}'.")
                continue
            problems.extend(f"{where}: {p}" for p in _rule_problems(rule, found))
            key = repr((rule.field, rule.op, rule.value))
            if key in seen:
                problems.append(f"{where} repeats an earlier rule ({rule_label(rule, registry)}).")
            seen.add(key)
    seen_activity: set[tuple[str, str | None]] = set()
    for index, activity in enumerate(model.activity_rules, 1):
        where = f"Activity rule {index}"
        if not activity.activity.strip():
            problems.append(f"{where}: choose the kind of activity it counts.")
        problems.extend(f"{where}: {p}" for p in _points_problems(activity.points))
        if activity.half_life_days is not None and not activity.half_life_days > 0:
            problems.append(f"{where}: the half-life must be a positive number of days.")
        if activity.cap is not None and not (activity.cap > 0 and _one_decimal(activity.cap)):
            problems.append(f"{where}: the cap must be positive, with at most one decimal.")
        if (activity.activity, activity.outcome) in seen_activity:
            problems.append(f"{where} repeats an earlier rule ({activity_label(activity)}).")
        seen_activity.add((activity.activity, activity.outcome))
    for name, cap in (("fit", model.fit_cap), ("engagement", model.engagement_cap)):
        if cap is not None and not _one_decimal(cap):
            problems.append(f"The {name} maximum must be a number with at most one decimal.")
    problems.extend(_band_problems(model))
    return problems


def _one_decimal(value: float) -> bool:
    return math.isfinite(value) and round(value, 1) == value


def _points_problems(points: Any) -> list[str]:
    if not _is_number(points) or not _one_decimal(float(points)):
        return ["points must be a number with at most one decimal (e.g. 10 or -2.5)."]
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _rule_problems(rule: Rule, found: Field) -> list[str]:
    allowed = OPERATORS_BY_TYPE[found.type]
    if rule.op not in allowed:
        names = ", ".join(OPERATOR_LABELS[o] for o in allowed)
        return [
            f"'{OPERATOR_LABELS.get(rule.op, rule.op)}' does not apply to {found.label} "
            f"({found.type.value}); use one of: {names}."
        ]
    problems = _points_problems(rule.points)
    value = rule.value
    if rule.op in NO_VALUE_OPS:
        if value is not None:
            problems.append(f"'{OPERATOR_LABELS[rule.op]}' takes no value.")
    elif rule.op == "between":
        if not (isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))):
            problems.append("'between' needs two numbers, low and high.")
        elif value[0] > value[1]:
            problems.append("'between' needs the low number first.")
    elif rule.op in ("within_last_days", "more_than_days_ago"):
        if not (_is_number(value) and value > 0):
            problems.append("the number of days must be a positive number.")
    elif rule.op in ("before", "after"):
        if not _is_iso_date(value):
            problems.append("the date must be written YYYY-MM-DD.")
    elif found.type.is_numeric:
        if not _is_number(value):
            problems.append(f"{found.label} is a number; the value must be a number.")
    else:
        problems.extend(_text_value_problems(rule, found))
    return problems


def _text_value_problems(rule: Rule, found: Field) -> list[str]:
    many = rule.op in ("one_of", "contains", "starts_with", "ends_with")
    values = rule.value if many and isinstance(rule.value, list) else [rule.value]
    if rule.op == "one_of" and not isinstance(rule.value, list):
        return ["'is one of' needs a list of values."]
    if not values:
        return ["the list of values is empty; add at least one."]
    if not all(isinstance(v, str) and v.strip() for v in values):
        return ["the value must be text, and not empty."]
    if found.choices:
        unknown = [v for v in values if v not in found.choices]
        if unknown:
            return [f"{found.label} has no value {unknown[0]!r}; choose from {found.choices}."]
    return []


def _is_iso_date(value: Any) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def check(model: ScoringModel, registry: FieldRegistry) -> None:
    """Raise InvalidInputError listing the model's problems, if it has any."""
    problems = validate(model, registry)
    if problems:
        raise InvalidInputError(
            f"The scoring model “{model.name}” cannot be used: " + " ".join(problems)
        )


def _band_problems(model: ScoringModel) -> list[str]:
    problems = []
    if set(model.grade_bands) - {"A", "B", "C"}:
        problems.append("Grade bands are named A, B and C (every other lead is D).")
    if set(model.tier_bands) - {"Hot", "Warm"}:
        problems.append("Tier bands are named Hot and Warm (every other lead is Cold).")
    grades = [model.grade_bands[g] for g in ("A", "B", "C") if g in model.grade_bands]
    tiers = [model.tier_bands[t] for t in ("Hot", "Warm") if t in model.tier_bands]
    if grades != sorted(grades, reverse=True) or tiers != sorted(tiers, reverse=True):
        problems.append("Bands must go down: A above B above C, Hot above Warm.")
    return problems


FREE_EMAIL_DOMAINS = [
    "@gmail.com", "@googlemail.com", "@yahoo.com", "@hotmail.com", "@outlook.com",
    "@live.com", "@aol.com", "@icloud.com", "@me.com", "@gmx.de", "@gmx.net", "@web.de",
    "@yahoo.fr", "@hotmail.fr", "@orange.fr", "@free.fr", "@laposte.net", "@mail.ru",
    "@yandex.ru", "@protonmail.com", "@proton.me", "@qq.com", "@163.com", "@hotmail.es",
    "@yahoo.ca", "@libero.it", "@ziggo.nl", "@telia.com", "@bigpond.com", "@bluewin.ch",
]  # fmt: skip


def default_model() -> ScoringModel:
    """The model every new database starts with: sensible B2B fit and engagement rules."""
    fit = [
        Rule("job_title", "contains", ["chief", "founder", "owner", "president"], 25,
             "Decision maker (chief, founder, owner, president)"),
        Rule("job_title", "contains", ["vp", "vice president"], 20, "Job title contains 'VP'"),
        Rule("job_title", "contains", ["director", "head of"], 15,
             "Job title contains 'Director' or 'Head of'"),
        Rule("employees", "between", [50, 999], 15, "Company of 50 to 999 employees"),
        Rule("employees", "at_least", 1000, 10, "Company of 1,000+ employees"),
        Rule("employees", "less_than", 10, -5, "Company under 10 employees"),
        Rule("email", "ends_with", FREE_EMAIL_DOMAINS, -10, "Free email domain"),
        Rule("country", "one_of", ["US", "CA", "GB", "IE", "DE", "FR", "NL", "BE", "CH", "AT",
             "SE", "NO", "DK", "FI", "AU", "NZ"], 10, "Country in a target market"),
        Rule("source", "one_of", ["referral", "demo request", "webinar", "partner"], 10,
             "High-intent source"),
        Rule("source", "one_of", ["purchased list", "cold list"], -5, "Purchased list"),
    ]  # fmt: skip
    engagement = [
        Rule("page_views", "at_least", 10, 10, "Viewed 10+ pages"),
        Rule("page_views", "between", [3, 9.9], 5, "Viewed 3 to 9 pages"),
        Rule("email_opens", "at_least", 5, 8, "Opened 5+ emails"),
        Rule("email_clicks", "at_least", 1, 6, "Clicked an email"),
        Rule("form_submissions", "at_least", 1, 15, "Form submissions on record"),
        Rule("last_activity_at", "within_last_days", 7, 10, "Active in the last 7 days"),
        Rule("last_activity_at", "more_than_days_ago", 90, -10, "No activity for 90+ days"),
    ]
    activity = [
        ActivityRule("call", "connected", 10, half_life_days=30, cap=20,
                     label="Connected call"),
        ActivityRule("call", "meeting", 25, half_life_days=60, cap=25, label="Meeting booked"),
        ActivityRule("email_open", None, 2, half_life_days=14, cap=10, label="Opened email"),
        ActivityRule("form_submission", None, 10, half_life_days=30, cap=20,
                     label="Submitted a form"),
    ]  # fmt: skip
    return ScoringModel(
        name="Default B2B model",
        fit_rules=fit,
        engagement_rules=engagement,
        activity_rules=activity,
        # Each group counts for at most half, so scores read on a 0-100 scale.
        fit_cap=50,
        engagement_cap=50,
        threshold=60,
        grade_bands={"A": 40, "B": 25, "C": 10},
        tier_bands={"Hot": 70, "Warm": 40},
    )


def compare(old: ScoringModel, new: ScoringModel, registry: FieldRegistry) -> list[str]:
    """What changes from ``old`` to ``new``, rule by rule, in words for the editor."""
    lines: list[str] = []
    for group, before, after in (
        ("Fit", old.fit_rules, new.fit_rules),
        ("Engagement", old.engagement_rules, new.engagement_rules),
    ):
        lines.extend(_compare_rules(group, before, after, registry))
    old_acts = {(r.activity, r.outcome): r for r in old.activity_rules}
    new_acts = {(r.activity, r.outcome): r for r in new.activity_rules}
    for key in old_acts.keys() - new_acts.keys():
        lines.append(f"Removed activity rule: {activity_label(old_acts[key])}")
    for key in new_acts.keys() - old_acts.keys():
        lines.append(f"Added activity rule: {activity_label(new_acts[key])}")
    for key in old_acts.keys() & new_acts.keys():
        if old_acts[key] != new_acts[key]:
            lines.append(f"Changed activity rule: {activity_label(new_acts[key])}")
    for name in ("fit_cap", "engagement_cap", "threshold", "grade_bands", "tier_bands"):
        if getattr(old, name) != getattr(new, name):
            label = name.replace("_", " ").capitalize()
            lines.append(f"{label}: {getattr(old, name)} → {getattr(new, name)}")
    return lines


def _compare_rules(
    group: str, before: list[Rule], after: list[Rule], registry: FieldRegistry
) -> list[str]:
    def key(rule: Rule) -> str:
        return repr((rule.field, rule.op, rule.value))

    old = {key(r): r for r in before}
    new = {key(r): r for r in after}
    lines = [f"{group}: removed {rule_label(r, registry)}" for k, r in old.items() if k not in new]
    lines += [f"{group}: added {rule_label(r, registry)} ({r.points:+g})" for k, r in new.items()
              if k not in old]  # fmt: skip
    for k in old.keys() & new.keys():
        was, now = old[k], new[k]
        if was.points != now.points:
            lines.append(f"{group}: {rule_label(now, registry)} {was.points:+g} → {now.points:+g}")
        if was.enabled != now.enabled:
            state = "enabled" if now.enabled else "disabled"
            lines.append(f"{group}: {rule_label(now, registry)} {state}")
    return lines
