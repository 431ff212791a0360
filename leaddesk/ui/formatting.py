"""How values read on screen: relative dates, thousands separators, yes/no."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from leaddesk.core.fields import Field, FieldType

_UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60))


def relative_time(when: datetime, now: datetime | None = None) -> str:
    """``when`` as people say it: "just now", "3 hours ago", "in 2 days", else the date."""
    now = now or datetime.now(UTC)
    seconds = (now - when).total_seconds()
    ahead, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        return "just now"
    if seconds > 30 * 86_400:
        return when.astimezone().strftime("%d %b %Y")
    unit, size = next((unit, size) for unit, size in _UNITS if seconds >= size)
    count = int(seconds // size)
    text = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {text}" if ahead else f"{text} ago"


def relative_day(when: datetime, today: date | None = None) -> str:
    """``when`` as a day in the user's time zone: "today", "3 days ago", "in 2 days"."""
    today = today or datetime.now().astimezone().date()
    days = (when.astimezone().date() - today).days
    if days == 0:
        return "today"
    if days in (-1, 1):
        return "yesterday" if days < 0 else "tomorrow"
    if abs(days) > 60:
        return when.astimezone().strftime("%d %b %Y")
    return f"{-days} days ago" if days < 0 else f"in {days} days"


def format_value(value: Any, field: Field | None = None) -> str:
    """A lead value as the table and the cards show it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return relative_time(value)
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    if isinstance(value, float | int):
        if field is not None and field.type == FieldType.MONEY:
            return f"{value:,.0f}"
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)
