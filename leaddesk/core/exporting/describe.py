"""An export's choices in plain words, for its "Export" sheet and for the export dialog."""

from __future__ import annotations

from collections.abc import Sequence

from leaddesk.core.fields import FieldRegistry, FieldType
from leaddesk.core.leads import LeadFilter


def _either(values: Sequence[object]) -> str:
    shown = [str(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def describe_filter(f: LeadFilter, registry: FieldRegistry | None = None) -> str:
    """The filter as a person would say it ("status new or contacted; tier Hot"); an empty
    filter is "all leads"."""
    registry = registry or FieldRegistry()
    parts: list[str] = []
    if f.ids:
        parts.append(f"{len(f.ids):,} selected lead" + ("s" if len(f.ids) != 1 else ""))
    if f.search.strip():
        parts.append(f"matching “{f.search.strip()}”")
    for label, values in (
        ("status", f.statuses),
        ("tier", f.tiers),
        ("grade", f.grades),
        ("source", f.sources),
        ("country", f.countries),
    ):
        if values:
            parts.append(f"{label} {_either(values)}")
    if f.owners:
        parts.append("owner " + _either([o or "nobody" for o in f.owners]))
    if f.min_score is not None and f.max_score is not None:
        parts.append(f"score from {f.min_score:g} to under {f.max_score:g}")
    elif f.min_score is not None:
        parts.append(f"score at least {f.min_score:g}")
    elif f.max_score is not None:
        parts.append(f"score under {f.max_score:g}")
    if f.has_follow_up is not None:
        parts.append("with a follow-up" if f.has_follow_up else "without a follow-up")
    if f.sales_ready is not None:
        parts.append("sales-ready" if f.sales_ready else "not sales-ready")
    if f.not_contacted_days is not None:
        parts.append(f"not contacted in the last {f.not_contacted_days} days")
    if f.called_between is not None:
        start, end = f.called_between
        called = f"called from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
        if f.call_outcomes:
            called += f" with outcome {_either(f.call_outcomes)}"
        parts.append(called)
    for key, value in f.custom:
        label = registry.get(key).label if key in registry else key
        parts.append(f"{label} “{value}”")
    if f.tag.strip():
        parts.append(f"tagged “{f.tag.strip()}”")
    if f.import_batch is not None:
        parts.append(f"from import {f.import_batch}")
    return "; ".join(parts) or "all leads"


def describe_sort(
    order_by: Sequence[str], descending: bool, registry: FieldRegistry | None = None
) -> str:
    """The order as the table header shows it ("Score, highest first")."""
    registry = registry or FieldRegistry()
    names = []
    for name in order_by:
        f = registry.get(name) if name in registry else None
        names.append(f.label if f else name)
    first = registry.get(order_by[0]).type if order_by and order_by[0] in registry else None
    if first is not None and first.is_numeric:
        way = "highest first" if descending else "lowest first"
    elif first in (FieldType.DATE, FieldType.DATETIME):
        way = "newest first" if descending else "oldest first"
    else:
        way = "Z to A" if descending else "A to Z"
    return f"{', '.join(names)}, {way}"
