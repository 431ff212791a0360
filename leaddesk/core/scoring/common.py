"""What both scoring executors must compute the same way.

The SQL executor and the Python one agree exactly only if they fold text, measure ages, decay
and round with the same arithmetic. Each rule of that arithmetic is written here once, with the
reason it was chosen so that SQLite, PostgreSQL and Python give bit-identical results.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from leaddesk.core.fields import Field, FieldType

SECONDS_PER_DAY = 86400.0


def _fold_table() -> dict[str, str]:
    """Accented and non-ASCII capital letters mapped to one plain lower-case letter.

    Only one-to-one mappings are kept (a letter folds to exactly one letter), so that the
    database can apply the same folding with ``replace``/``translate``; ASCII capitals are
    lowered by the database's own ``lower()``.
    """
    table: dict[str, str] = {}
    ranges = ((0x00C0, 0x0250), (0x0370, 0x0400), (0x0400, 0x0500))
    for start, stop in ranges:
        for code in range(start, stop):
            char = chr(code)
            decomposed = unicodedata.normalize("NFKD", char.lower())
            target = "".join(c for c in decomposed if not unicodedata.combining(c))
            if len(target) == 1 and target != char and target.isalpha():
                table[char] = target
    # Letters Unicode does not decompose, but every reader takes for their base letter.
    table.update(dict(zip("øØđĐłŁħĦı", "ooddllhhi", strict=True)))
    return table


FOLD_MAP: dict[str, str] = _fold_table()
_FOLD_TRANSLATION = str.maketrans(
    {**{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}, **FOLD_MAP}
)


def _variants() -> dict[str, str]:
    variants: dict[str, str] = {chr(c): chr(c).upper() for c in range(ord("a"), ord("z") + 1)}
    for source, target in FOLD_MAP.items():
        variants[target] = variants.get(target, "") + source
    return variants


_VARIANTS = _variants()


def glob_pattern(folded: str) -> str:
    """A GLOB pattern matching exactly the texts whose fold is ``folded``.

    Each letter becomes a class of every letter folding to it; GLOB's own special characters
    are put in a class of their own, so the text is never read as a wildcard.
    """
    parts = []
    for char in folded:
        options = char + _VARIANTS.get(char, "")
        parts.append(f"[{options}]" if len(options) > 1 or char in "*?[" else char)
    return "".join(parts)


def fold(text: str) -> str:
    """Text as rules compare it: ASCII lower case and accents removed (``É`` -> ``e``).

    Exactly what the SQL executor's folded column gives: ASCII ``lower()`` plus ``FOLD_MAP``,
    nothing else (no Unicode case folding, which SQLite's ``lower()`` does not do).
    """
    return text.translate(_FOLD_TRANSLATION)


def round_score(value: float) -> float:
    """Round half up to one decimal with arithmetic SQL can repeat (``floor(x*10+0.5)/10``).

    Python's ``round`` rounds half to even and SQLite's ``round`` half away from zero; this
    formula is the same IEEE operations in every executor.
    """
    return math.floor(value * 10 + 0.5) / 10


def epoch_seconds(moment: datetime) -> int:
    """Whole seconds since 1970 (fractions dropped), as SQL computes an activity's age."""
    return int(moment.replace(microsecond=0).timestamp())


def age_days(now_s: int, at: datetime) -> float:
    """Days from ``at`` to ``now_s`` (epoch seconds), never negative."""
    return max(now_s - epoch_seconds(at), 0) / SECONDS_PER_DAY


def decayed(points: float, age: float, half_life: float | None) -> float:
    """``points * 0.5 ** (age / half_life)``: the same C ``pow`` the databases call."""
    if half_life is None:
        return points
    return points * math.pow(0.5, age / half_life)


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``: date rules compare against it."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def scoring_moment(now: datetime | None = None) -> datetime:
    """The moment scores are computed for: the start of ``now``'s day (UTC), today by default.

    Decay and "within the last N days" rules move once a day, not every second, so two
    rescores on one day agree (the second writes nothing), and an explanation shown later
    that day gives exactly the stored score.
    """
    moment = now or datetime.now(UTC)
    return day_start(moment.astimezone(UTC).date())


def days_before(now: datetime, days: float) -> datetime:
    """The moment ``days`` days before ``now``, for "within the last N days" rules."""
    return now - timedelta(days=days)


# Operators that compare with "<" (the rest of the date operators compare with ">=").
BEFORE_OPS = frozenset({"before", "more_than_days_ago"})


def operand(op: str, value: Any, type_: FieldType, custom: bool, now: datetime) -> Any:
    """The value a rule compares against, prepared once for both executors.

    Text is folded; numbers become floats; date rules become a boundary moment (a datetime for
    built-in datetime columns, a date for date columns, ISO text for custom fields, which are
    stored as ISO text in the lead's JSON).
    """
    if value is None:
        return None
    if op in ("before", "after", "within_last_days", "more_than_days_ago"):
        if op == "before":
            boundary = day_start(date.fromisoformat(value))
        elif op == "after":
            boundary = day_start(date.fromisoformat(value) + timedelta(days=1))
        else:
            boundary = days_before(now, float(value))
        if type_ is FieldType.DATE:
            return boundary.date().isoformat() if custom else boundary.date()
        return boundary.isoformat() if custom else boundary
    if op == "between":
        return (float(value[0]), float(value[1]))
    if type_.is_numeric:
        return float(value)
    if isinstance(value, list):
        return [fold(v) for v in value]
    if op in ("contains", "starts_with", "ends_with"):
        return [fold(value)]
    return fold(value)


def lead_value(lead: Mapping[str, Any], field: Field) -> Any:
    """A lead's value for ``field``, as the SQL executor sees it.

    Custom values count only when stored with their field's JSON type (text as a string,
    numbers as numbers, yes/no as booleans); anything else is treated as empty, as in SQL.
    """
    if not field.custom:
        return lead.get(field.name)
    raw = (lead.get("custom") or {}).get(field.name)
    if field.type is FieldType.BOOL:
        return raw if isinstance(raw, bool) else None
    if field.type.is_numeric:
        return float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    return raw if isinstance(raw, str) else None
