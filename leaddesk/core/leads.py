"""Reading and editing leads: the queries the table, the CLI and the detail view share."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.errors import DatabaseError, NotFoundError
from leaddesk.core.fields import FieldRegistry, FieldType, custom_field
from leaddesk.core.schema import CustomFieldRecord, ImportChange, leads, utcnow

Lead = dict[str, Any]

# The fields ``leaddesk leads --json`` promises, in this order (the CLI contract). A phone that
# could not be made valid is kept as written, so ``phone_valid`` says which ones are E.164.
JSON_FIELDS = (
    "id", "external_id", "first_name", "last_name", "email", "phone", "phone_valid", "company",
    "job_title", "country", "city", "employees", "annual_revenue", "source", "status", "owner",
    "do_not_call", "do_not_email", "last_contacted_at", "next_follow_up_at", "score",
    "fit_score", "engagement_score", "grade", "tier", "custom",
)  # fmt: skip


def load_registry(conn: Connection) -> FieldRegistry:
    """The field registry of this database: built-in fields plus its custom fields."""
    table = CustomFieldRecord.__table__  # type: ignore[attr-defined]
    rows = conn.execute(sa.select(table.c.key, table.c.label, table.c.type)).all()
    return FieldRegistry(custom_field(r.key, r.label, FieldType(r.type)) for r in rows)


def lead_count(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar_one())


def get_lead(conn: Connection, lead_id: int) -> Lead:
    """The lead with ``lead_id``; NotFoundError if there is none."""
    row = conn.execute(sa.select(leads).where(leads.c.id == lead_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"There is no lead with id {lead_id}. Check the id with `leads`.")
    return dict(row)


def display_name(lead: Mapping[str, Any]) -> str:
    """How a person calls this lead: their name, else their company, email or phone."""
    name = " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p)
    return name or lead.get("company") or lead.get("email") or lead.get("phone") or "(no name)"


@dataclass(frozen=True, slots=True)
class LeadFilter:
    """What the user narrowed the leads to; every part combines with the others."""

    search: str = ""
    statuses: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    owner: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    import_batch: int | None = None
    """Only the leads this import created or changed."""

    def clause(self) -> sa.ColumnElement[bool]:
        parts: list[sa.ColumnElement[bool]] = []
        if self.search.strip():
            parts.append(search_clause(self.search))
        if self.statuses:
            parts.append(leads.c.status.in_(self.statuses))
        if self.tiers:
            parts.append(leads.c.tier.in_(self.tiers))
        if self.grades:
            parts.append(leads.c.grade.in_(self.grades))
        if self.owner is not None:
            parts.append(leads.c.owner == self.owner)
        if self.min_score is not None:
            parts.append(leads.c.score >= self.min_score)
        if self.max_score is not None:
            parts.append(leads.c.score <= self.max_score)
        if self.import_batch is not None:
            changes = ImportChange.__table__  # type: ignore[attr-defined]
            touched = sa.select(changes.c.lead_id).where(changes.c.batch_id == self.import_batch)
            parts.append(leads.c.id.in_(touched))
        return sa.and_(sa.true(), *parts)


def search_clause(text: str) -> sa.ColumnElement[bool]:
    """Leads whose name, email or company contains ``text``, or whose phone has its digits."""
    words = text.strip().casefold().split()
    clauses = []
    for word in words:
        pattern = f"%{escape_like(word)}%"
        options = [
            sa.func.lower(column).like(pattern, escape=LIKE_ESCAPE)
            for column in (leads.c.first_name, leads.c.last_name, leads.c.email, leads.c.company)
        ]
        digits = re.sub(r"\D", "", word)
        if len(digits) >= 3:
            options.append(leads.c.phone_digits.like(f"%{digits}%"))
        clauses.append(sa.or_(*options))
    return sa.and_(*clauses)


LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern written with ``escape=LIKE_ESCAPE``.

    Every LIKE in LeadDesk escapes user text here, with one escape character, so that a
    ``%`` or ``_`` someone types is matched as itself.
    """
    e = LIKE_ESCAPE
    return text.replace(e, e + e).replace("%", e + "%").replace("_", e + "_")


def list_leads(
    conn: Connection,
    lead_filter: LeadFilter = LeadFilter(),
    *,
    order_by: Sequence[str] = ("score",),
    descending: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[Lead]:
    """One page of leads matching ``lead_filter``, sorted in SQL (ties broken by id)."""
    query = lead_query(lead_filter, order_by=order_by, descending=descending)
    return [dict(row) for row in conn.execute(query.limit(limit).offset(offset)).mappings()]


def lead_query(
    lead_filter: LeadFilter, *, order_by: Sequence[str] = ("score",), descending: bool = True
) -> sa.Select[Any]:
    """Every lead matching ``lead_filter`` in the table's order: for pages, or one stream."""
    columns = [leads.c[name] for name in order_by]
    order = [c.desc().nulls_last() if descending else c.asc().nulls_last() for c in columns]
    return sa.select(leads).where(lead_filter.clause()).order_by(*order, leads.c.id)


def count_leads(conn: Connection, lead_filter: LeadFilter = LeadFilter()) -> int:
    query = sa.select(sa.func.count()).select_from(leads).where(lead_filter.clause())
    return int(conn.execute(query).scalar_one())


def update_lead(
    conn: Connection, lead_id: int, changes: Mapping[str, Any], *, expected_version: int | None
) -> Lead:
    """Apply ``changes`` to one lead, bump its version, and rescore it.

    With ``expected_version`` the update only applies if nobody changed the lead since it
    was read (optimistic locking); otherwise DatabaseError says so and nothing is written.
    Every edit goes through here, so this is where an edited lead's score stays current.
    """
    from leaddesk.core.scoring.sql import rescore_with_active  # scoring reads leads

    values = dict(changes, version=leads.c.version + 1, updated_at=utcnow())
    query = leads.update().where(leads.c.id == lead_id)
    if expected_version is not None:
        query = query.where(leads.c.version == expected_version)
    if conn.execute(query.values(values)).rowcount == 0:
        get_lead(conn, lead_id)  # NotFoundError if it was deleted
        raise DatabaseError(
            "Someone else changed this lead after you opened it. "
            "Reload it to see their changes, then make yours again."
        )
    rescore_with_active(conn, [lead_id])
    return get_lead(conn, lead_id)


def to_json_value(value: Any) -> Any:
    """A value as JSON output carries it: datetimes and dates in ISO 8601."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def lead_json(lead: Mapping[str, Any]) -> dict[str, Any]:
    """The lead as ``leaddesk leads --json`` prints it (the CLI contract)."""
    return {name: to_json_value(lead.get(name)) for name in JSON_FIELDS}
