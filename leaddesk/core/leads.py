"""Reading and editing leads: the queries the table, the CLI and the detail view share."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.errors import DatabaseError, NotFoundError
from leaddesk.core.fields import FieldRegistry, FieldType, custom_field
from leaddesk.core.schema import (
    Activity,
    CustomFieldRecord,
    ImportChange,
    ScoringModelRecord,
    leads,
    utcnow,
)
from leaddesk.core.search_index import SearchTerm

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
    """What the user narrowed the leads to; every part combines with the others.

    Frozen and made of plain values, so a filter compares, hashes and saves as JSON (saved
    views) and travels from a dashboard chart to the Leads page unchanged.
    """

    search: str = ""
    statuses: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    """Owner names; "" stands for leads nobody owns."""
    min_score: float | None = None
    max_score: float | None = None
    """Scores below this (a band's upper edge is the next band's lower one)."""
    sources: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    """ISO 3166 alpha-2 codes."""
    has_follow_up: bool | None = None
    sales_ready: bool | None = None
    """At or above the active model's threshold (None: either)."""
    not_contacted_days: int | None = None
    """Never contacted, or last contacted at least this many days ago."""
    called_between: tuple[datetime, datetime] | None = None
    """Leads with a call logged in [start, end), e.g. one day of the dashboard's calls."""
    call_outcomes: tuple[str, ...] = ()
    """With ``called_between``: only calls with one of these outcomes."""
    custom: tuple[tuple[str, str], ...] = ()
    """(custom field key, value) pairs the lead's custom fields must equal."""
    tag: str = ""
    ids: tuple[int, ...] = ()
    """Only these leads (a selection)."""
    import_batch: int | None = None
    """Only the leads this import created or changed."""

    def clause(self, *, in_index_order: bool = False) -> sa.ColumnElement[bool]:
        """The filter as a WHERE clause. ``in_index_order``: the query reads the leads
        along an index of its sort column (see ``SearchTerm``)."""
        parts: list[sa.ColumnElement[bool]] = []
        if self.search.strip():
            parts.append(search_clause(self.search, in_index_order=in_index_order))
        for column, values in (
            (leads.c.status, self.statuses),
            (leads.c.tier, self.tiers),
            (leads.c.grade, self.grades),
            (leads.c.source, self.sources),
            (leads.c.country, self.countries),
            (leads.c.id, self.ids),
        ):
            if values:
                parts.append(column.in_(values))
        if self.owners:
            owned = leads.c.owner.in_([o for o in self.owners if o])
            parts.append(sa.or_(owned, leads.c.owner.is_(None)) if "" in self.owners else owned)
        if self.min_score is not None:
            parts.append(leads.c.score >= self.min_score)
        if self.max_score is not None:
            parts.append(leads.c.score < self.max_score)
        if self.has_follow_up is not None:
            follow_up = leads.c.next_follow_up_at
            parts.append(follow_up.is_not(None) if self.has_follow_up else follow_up.is_(None))
        if self.sales_ready is not None:
            ready = leads.c.score >= active_threshold()
            parts.append(ready if self.sales_ready else sa.or_(~ready, leads.c.score.is_(None)))
        if self.not_contacted_days is not None:
            since = utcnow() - timedelta(days=self.not_contacted_days)
            contacted = leads.c.last_contacted_at
            parts.append(sa.or_(contacted.is_(None), contacted <= since))
        if self.called_between is not None:
            parts.append(leads.c.id.in_(self._called()))
        for key, value in self.custom:
            parts.append(leads.c.custom[key].as_string() == value)
        if self.tag.strip():
            parts.append(tag_clause(self.tag))
        if self.import_batch is not None:
            changes = ImportChange.__table__  # type: ignore[attr-defined]
            touched = sa.select(changes.c.lead_id).where(changes.c.batch_id == self.import_batch)
            parts.append(leads.c.id.in_(touched))
        return sa.and_(sa.true(), *parts)

    def _called(self) -> sa.Select[Any]:
        assert self.called_between is not None
        start, end = self.called_between
        calls = Activity.__table__  # type: ignore[attr-defined]
        query = sa.select(calls.c.lead_id).where(
            calls.c.kind == "call", calls.c.at >= start, calls.c.at < end
        )
        if self.call_outcomes:
            query = query.where(calls.c.outcome.in_(self.call_outcomes))
        return query

    def is_empty(self) -> bool:
        return self == LeadFilter()

    def to_json(self) -> dict[str, Any]:
        """The filter as JSON (saved views); only the parts that are set."""
        data: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value in (None, "", ()):
                continue
            if name == "called_between":
                value = [moment.isoformat() for moment in value]
            data[name] = [list(v) for v in value] if name == "custom" else value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LeadFilter:
        """A filter from ``to_json``; unknown parts (a newer LeadDesk's) are ignored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name, value in known.items():
            if name == "called_between":
                known[name] = tuple(datetime.fromisoformat(v) for v in value)
            elif name == "custom":
                known[name] = tuple((str(k), str(v)) for k, v in value)
            elif isinstance(value, list):
                known[name] = tuple(value)
        return cls(**known)


def active_threshold() -> sa.ColumnElement[Any]:
    """The active model's quality threshold, read in SQL (the default model's when none)."""
    models = ScoringModelRecord.__table__  # type: ignore[attr-defined]
    stored = (
        sa.select(models.c.definition["threshold"].as_float())
        .where(models.c.state == "active")
        .limit(1)
        .scalar_subquery()
    )
    from leaddesk.core.scoring.model import default_model  # scoring reads leads

    return sa.func.coalesce(stored, default_model().threshold)


def tag_clause(tag: str) -> sa.ColumnElement[bool]:
    """Leads carrying ``tag`` in their comma-separated tags (whole tag, any case)."""
    padded = sa.func.lower(", " + sa.func.coalesce(leads.c.tags, "") + ",")
    pattern = f"%, {escape_like(tag.strip().casefold())},%"
    return padded.like(pattern, escape=LIKE_ESCAPE)


def search_clause(text: str, *, in_index_order: bool = False) -> sa.ColumnElement[bool]:
    """Leads whose name, email or company contains every word of ``text``, or whose phone
    has a word's digits; a number written in parts ("+49 151 234") is one number."""
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and PHONE_IN_PARTS.fullmatch(text.strip()):
        return SearchTerm("", digits, in_index_order=in_index_order)
    terms = []
    for word in text.split():
        digits = re.sub(r"\D", "", word)
        digits = digits if len(digits) >= 3 else ""
        terms.append(SearchTerm(word, digits, in_index_order=in_index_order))
    return sa.and_(*terms)


LIKE_ESCAPE = "\\"
PHONE_IN_PARTS = re.compile(r"\+?[\d\s()./-]*\d[\s()./-]+\d[\d\s()./-]*|\+\d+")


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


def lead_ids(
    conn: Connection,
    lead_filter: LeadFilter = LeadFilter(),
    *,
    order_by: Sequence[str] = ("score",),
    descending: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[int]:
    """The ids of ``list_leads``'s page, without reading the rows (a selection's leads)."""
    query = lead_query(lead_filter, order_by=order_by, descending=descending)
    ids = query.with_only_columns(leads.c.id).limit(limit).offset(offset)
    return list(conn.execute(ids).scalars())


def lead_query(
    lead_filter: LeadFilter, *, order_by: Sequence[str] = ("score",), descending: bool = True
) -> sa.Select[Any]:
    """Every lead matching ``lead_filter`` in the table's order: for pages, or one stream."""
    columns = [sort_column(name) for name in order_by]
    order = [c.desc().nulls_last() if descending else c.asc().nulls_last() for c in columns]
    # The tie-break runs the same way, so an index on the sort column serves the whole order.
    tie = leads.c.id.desc() if descending else leads.c.id.asc()
    indexed = order_by[0] in INDEXED_SORTS
    return sa.select(leads).where(lead_filter.clause(in_index_order=indexed)).order_by(*order, tie)


# Sort columns with an index of their own (schema.py), which a page can be read along.
INDEXED_SORTS = frozenset(
    {"score", "probability", "next_follow_up_at", "last_name", "email", "phone"}
)


def sort_column(name: str) -> sa.ColumnElement[Any]:
    """What to sort by for field ``name``: its column, or its value in the custom JSON.

    SQLite's ``json_extract`` keeps a custom number a number, so numbers sort as numbers.
    """
    if name in leads.c:
        return leads.c[name]
    value: sa.ColumnElement[Any] = leads.c.custom[name].as_string()
    return value


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


def common_values(conn: Connection, name: str, limit: int = 200) -> list[tuple[str, int]]:
    """The values field ``name`` takes most often, with their counts (filter menus)."""
    column = sort_column(name)
    query = (
        sa.select(column, sa.func.count())
        .where(column.is_not(None), column != "")
        .group_by(column)
        .order_by(sa.func.count().desc(), column)
        .limit(limit)
    )
    return [(str(value), int(count)) for value, count in conn.execute(query)]
