"""What the scoring editor needs to know beyond the model itself, kept out of the window.

The editor offers the values that occur in the data, starts a new rule with a value that
fits its field and operator, keeps a value when the operator changes if it still makes sense,
places each validation message next to its rule, and turns "edit the active model" into a
draft copy. These are rules of the business, so they live here and are tested without Qt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.fields import Field, FieldRegistry, FieldType, Group
from leaddesk.core.schema import REP_ACTIVITIES, Activity, utcnow
from leaddesk.core.scoring import store
from leaddesk.core.scoring.model import (
    NO_VALUE_OPS,
    OPERATORS_BY_TYPE,
    ActivityRule,
    Rule,
    ScoringModel,
)
from leaddesk.core.scoring.sql import Compiler

activities = Activity.__table__  # type: ignore[attr-defined]

VALUES_SHOWN = 100  # distinct values offered in the editor's multi-select
LIST_OPS = frozenset({"one_of", "contains", "starts_with", "ends_with"})
DAYS_OPS = frozenset({"within_last_days", "more_than_days_ago"})
DATE_OPS = frozenset({"before", "after"})
FREE_TEXT_OPS = frozenset({"contains", "starts_with", "ends_with"})

# Activities a rule can count even before any is logged: calls by outcome, imported touches.
KNOWN_ACTIVITIES: tuple[tuple[str, str | None], ...] = (
    ("call", "connected"),
    ("call", "meeting"),
    ("call", "voicemail"),
    ("call", "no-answer"),
    ("call", "not-interested"),
    ("call", "wrong-number"),
    ("call", None),
    ("email_open", None),
    ("email_click", None),
    ("page_view", None),
    ("form_submission", None),
    ("download", None),
    ("webinar", None),
)


def operators_for(f: Field) -> tuple[str, ...]:
    """The operators a rule on ``f`` may use, in the order the editor lists them."""
    return OPERATORS_BY_TYPE[f.type]


def takes_values_from_data(f: Field) -> bool:
    """Whether the editor offers the values found in the data (not for numbers or dates)."""
    return f.type in (FieldType.TEXT, FieldType.COUNTRY, FieldType.CHOICE)


def allows_free_text(f: Field, op: str) -> bool:
    """Whether a value may be typed in, rather than only picked from a fixed list."""
    return not f.choices or op in FREE_TEXT_OPS


def field_values(
    conn: Connection, registry: FieldRegistry, name: str, *, limit: int = VALUES_SHOWN
) -> list[str]:
    """The values ``name`` actually has on leads, most frequent first, at most ``limit``.

    Works for custom fields (values in the ``custom`` JSON) the way the SQL executor reads
    them. A field with fixed choices lists every choice: the ones in use first.
    """
    f = registry.get(name)
    if not takes_values_from_data(f):
        return []
    column = Compiler(ScoringModel("values"), registry, conn.dialect.name, utcnow()).value(f)
    value = column.label("value")
    count = sa.func.count().label("n")
    query = (
        sa.select(value, count)
        .where(column.is_not(None), column != "")
        .group_by(value)
        .order_by(count.desc(), value)
        .limit(limit)
    )
    found = [str(row.value) for row in conn.execute(query)]
    if f.choices:
        found += [c for c in f.choices if c not in found]
    return found[:limit] if not f.choices else found


def default_value(f: Field, op: str, known: Sequence[str] = ()) -> Any:
    """A value a new rule on ``f`` with ``op`` starts with: valid where a guess is sensible.

    Text rules start from the most frequent value in the data; with no data an empty list
    asks the user to choose (validation says so).
    """
    if op in NO_VALUE_OPS:
        return None
    if op == "between":
        return [1.0, 10.0]
    if op in DAYS_OPS:
        return 30
    if op in DATE_OPS:
        return date.today().isoformat()
    if f.type.is_numeric:
        return 1.0
    first = [known[0]] if known else []
    if op in LIST_OPS:
        return first
    return first[0] if first else ""


def adapt_value(f: Field, old_op: str, new_op: str, value: Any, known: Sequence[str] = ()) -> Any:
    """The value a rule keeps when its operator changes from ``old_op`` to ``new_op``.

    What the user typed survives when it still means something ("is" 'VP' becomes "is one
    of" ['VP'], "≥ 50" becomes "between 50 and 100"); otherwise the new operator's default.
    """
    if new_op in NO_VALUE_OPS:
        return None
    texts = _texts(value)
    if new_op in LIST_OPS and texts:
        return texts
    if new_op in ("equals", "not_equals") and f.type.is_textual and texts:
        return texts[0]
    number = _number(value)
    if new_op == "between" and number is not None:
        return [number, number * 2 if number > 0 else number + 10]
    if f.type.is_numeric and new_op not in ("between", *DAYS_OPS) and number is not None:
        return number
    if (new_op in DAYS_OPS and old_op in DAYS_OPS) or (new_op in DATE_OPS and old_op in DATE_OPS):
        return value
    return default_value(f, new_op, known)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str) and value.strip():
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return []


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int | float):
        return float(value[0])
    return None


def change_field(rule: Rule, f: Field, known: Sequence[str] = ()) -> Rule:
    """``rule`` pointed at another field: the operator stays if the new type allows it.

    A number stays a number across numeric fields; text values of another field rarely fit,
    so they are replaced by the new field's default.
    """
    ops = operators_for(f)
    op = rule.op if rule.op in ops else ops[0]
    keeps = (f.type.is_numeric and _number(rule.value) is not None) or op in (*DAYS_OPS, *DATE_OPS)
    value = rule.value if rule.op == op and keeps else default_value(f, op, known)
    return Rule(f.name, op, value, rule.points, rule.label, rule.enabled)


def change_operator(rule: Rule, f: Field, op: str, known: Sequence[str] = ()) -> Rule:
    """``rule`` with operator ``op``, its value adapted (see ``adapt_value``)."""
    value = adapt_value(f, rule.op, op, rule.value, known)
    return Rule(rule.field, op, value, rule.points, rule.label, rule.enabled)


def new_rule(registry: FieldRegistry, group: str, known: Sequence[str] = ()) -> Rule:
    """A starting rule for a group ("fit" or "engagement"): its group's first usual field."""
    preferred = "job_title" if group == "fit" else "page_views"
    scorable = {f.name: f for f in registry.scorable()}
    if preferred in scorable:
        f = scorable[preferred]
    else:
        wanted = Group.FIT if group == "fit" else Group.ENGAGEMENT
        f = next((f for f in scorable.values() if f.group is wanted), next(iter(scorable.values())))
    ops = operators_for(f)
    if "contains" in ops:
        op = "contains"
    elif f.type.is_numeric:
        op = "at_least"
    else:
        op = ops[0]
    return Rule(f.name, op, default_value(f, op, known), 10.0)


def activity_choices(conn: Connection) -> list[tuple[str, str | None]]:
    """Kinds and outcomes of activity a rule can count: the usual ones, then any logged."""
    logged = conn.execute(
        sa.select(activities.c.kind, activities.c.outcome)
        .distinct()
        .order_by(activities.c.kind, activities.c.outcome)
    ).all()
    choices = list(KNOWN_ACTIVITIES)
    for kind, outcome in logged:
        if kind in REP_ACTIVITIES and kind != "call":
            continue  # notes and edits are the team's work, not something the lead did
        if (kind, outcome) not in choices:
            choices.append((kind, outcome))
        if (kind, None) not in choices:
            choices.append((kind, None))
    return choices


def activity_choice_label(kind: str, outcome: str | None) -> str:
    """ "Call: connected", "Call (any outcome)", "Email open"."""
    name = kind.replace("_", " ").capitalize()
    if outcome:
        return f"{name}: {outcome.replace('-', ' ')}"
    return f"{name} (any outcome)" if kind == "call" else name


def new_activity_rule(existing: Sequence[ActivityRule]) -> ActivityRule:
    """The first usual activity no rule counts yet, so a new rule is not a duplicate."""
    used = {(r.activity, r.outcome) for r in existing}
    kind, outcome = next((c for c in KNOWN_ACTIVITIES if c not in used), KNOWN_ACTIVITIES[0])
    return ActivityRule(kind, outcome, 5.0, half_life_days=30.0)


def copy_model(model: ScoringModel) -> ScoringModel:
    """An independent copy (rules are mutable), as undo snapshots and workers need."""
    return ScoringModel.from_dict(model.to_dict())


def editable_version(conn: Connection, model_id: int | None, model: ScoringModel) -> int:
    """The id of a draft to write the user's changes to.

    A draft is edited in place; the active model (stored or still the built-in default) and
    archived versions are never changed: editing them starts a draft copy.
    """
    if model_id is not None:
        state = next((m.state for m in store.list_models(conn) if m.id == model_id), None)
        if state == "draft":
            return model_id
    return store.save_model(conn, copy_model(model), state="draft")


def version_to_open(conn: Connection) -> store.ModelInfo | None:
    """The version the editor opens on: the newest draft, else the active one.

    A draft is work in progress; opening it means nothing typed is lost across restarts.
    None while no model is stored (the built-in default is active).
    """
    versions = store.list_models(conn)
    draft = next((m for m in versions if m.state == "draft"), None)
    return draft or next((m for m in versions if m.state == "active"), None)


_WHERE = re.compile(r"^(Fit|Engagement|Activity) rule (\d+)(?::\s*|\s+)(.*)$", re.S)


@dataclass(frozen=True, slots=True)
class RuleProblems:
    """Validation messages, each placed on its rule where it names one."""

    messages: tuple[str, ...] = ()
    by_rule: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def for_rule(self, group: str, row: int) -> list[str]:
        """Messages about rule ``row`` (0-based) of ``group`` ("fit", "engagement", …)."""
        return self.by_rule.get((group, row), [])

    def __bool__(self) -> bool:
        return bool(self.messages)


def place_problems(messages: Sequence[str]) -> RuleProblems:
    """Sort ``validate()`` messages ("Fit rule 3: …") onto the rules they are about."""
    by_rule: dict[tuple[str, int], list[str]] = {}
    for message in messages:
        found = _WHERE.match(message)
        if found:
            group, number, rest = found.groups()
            text = rest[:1].upper() + rest[1:]
            by_rule.setdefault((group.lower(), int(number) - 1), []).append(text)
    return RuleProblems(tuple(messages), by_rule)
