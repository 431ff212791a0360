"""What the predictive model learns to predict: won versus lost, or any yes/no field.

A lead whose outcome is not known yet (open, or an empty or unclear value) is not training
data; it is what the model is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.errors import InvalidInputError
from leaddesk.core.fields import Field, FieldRegistry, FieldType, header_key, strip_accents
from leaddesk.core.schema import leads
from leaddesk.core.scoring.common import lead_value

_YES = frozenset({"1", "yes", "y", "true", "t", "won", "win", "converted", "x", "ja", "oui", "si"})
_NO = frozenset({"0", "no", "n", "false", "f", "lost", "not converted", "nein", "non"})
STATUS = "status"
LOSING = ("lost", "disqualified")
_SAMPLE = 5000  # leads read to tell whether a field is yes/no-like


def yes_no(value: Any) -> bool | None:
    """True or False for a yes/no-like value (1, "Yes", "won", True…), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        text = strip_accents(value.strip())
        return True if text in _YES else False if text in _NO else None
    return None


@dataclass(frozen=True, slots=True)
class Target:
    """The outcome to predict: a field, and what its values mean."""

    field: str
    label: str  # what "yes" means, for people: "Won", "Converted"

    @property
    def is_status(self) -> bool:
        return self.field == STATUS

    def outcome_of(self, value: Any) -> float:
        """1 or 0 for a lead whose target field holds ``value``; NaN while it is not known."""
        if self.is_status:
            known = True if value == "won" else False if value in LOSING else None
        else:
            known = yes_no(value)
        return float("nan") if known is None else float(known)

    def describe(self) -> str:
        if self.is_status:
            return "won versus lost (status)"
        return f"{self.label}: yes versus no"


STATUS_TARGET = Target(STATUS, "Won")


def _candidates(registry: FieldRegistry) -> list[Field]:
    """Custom fields that may hold an outcome (LeadDesk's own fields never do, but status)."""
    return [
        f for f in registry.custom if f.type in (FieldType.BOOL, FieldType.NUMBER, FieldType.TEXT)
    ]


def target_options(conn: Connection, registry: FieldRegistry) -> list[Target]:
    """Status, then every custom field whose values (in a sample of leads) are yes/no-like."""
    fields = _candidates(registry)
    if not fields:
        return [STATUS_TARGET]
    rows = conn.execute(sa.select(leads.c.custom).order_by(leads.c.id).limit(_SAMPLE)).all()
    seen: dict[str, set[bool | None]] = {f.name: set() for f in fields}
    for (custom,) in rows:
        for f in fields:
            value = (custom or {}).get(f.name)
            if value is not None and value != "":
                seen[f.name].add(yes_no(lead_value({"custom": custom}, f)))
    found = [f for f in fields if seen[f.name] == {True, False}]
    return [STATUS_TARGET, *(Target(f.name, f.label) for f in found)]


def resolve_target(conn: Connection, registry: FieldRegistry, name: str | None) -> Target:
    """The target a user named (field name or label, any case); status when none.

    InvalidInputError lists the fields that would do when ``name`` is not one of them.
    """
    if not name or header_key(name) in ("status", "won", "wonlost", "wonvslost"):
        return STATUS_TARGET
    options = target_options(conn, registry)
    for target in options:
        if header_key(name) in (header_key(target.field), header_key(target.label)):
            return target
    choices = ", ".join(f"“{t.label}”" for t in options[1:]) or "none in this database"
    known = any(header_key(name) in f.header_keys for f in registry)
    problem = "is not a yes/no field" if known else "is not a field of this database"
    raise InvalidInputError(
        f"“{name}” {problem}. A model can predict won versus lost (the default) or a field "
        f"whose values are yes/no, 1/0 or true/false: {choices}."
    )
