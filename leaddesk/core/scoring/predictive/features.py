"""What the predictive model sees of a lead, planned from the field registry.

Every field that says who the lead is or what it did is a feature: numbers, categories
(text, choices, countries, yes/no), dates as ages in days, the email's domain type, the
lead's activities (counts by kind, days since the last), and the rule score. Identifiers
(names, emails, phones, ids) never are, nor is LeadDesk's own work with the lead (status,
owner, calls), which would teach the model what the team already decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.fields import Field, FieldRegistry, FieldType, Group, strip_accents
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import REP_ACTIVITIES, Activity, leads
from leaddesk.core.scoring.common import SECONDS_PER_DAY
from leaddesk.core.scoring.model import FREE_EMAIL_DOMAINS
from leaddesk.core.scoring.predictive.target import Target

activities = Activity.__table__  # type: ignore[attr-defined]

# Pipeline fields that describe the lead as it came in, rather than the team's work with it.
LEAD_TRAITS = ("do_not_call", "do_not_email", "tags")
# Values people type for "not answered"; they mean missing, not a category of their own.
PLACEHOLDERS = frozenset(
    {"", "select", "please select", "-", "--", "n/a", "na", "none", "null", "nan", "?",
     "unknown", "not provided", "not specified", "(blank)", "tbd"}
)  # fmt: skip
CHUNK = 5000
# Words that say nothing about a lead, in the languages of the field registry's synonyms.
STOPWORDS = frozenset(
    {"of", "and", "the", "for", "in", "at", "to", "de", "la", "le", "et", "und", "der", "y", "el"}
)
_FREE_MAIL = frozenset(d.lstrip("@") for d in FREE_EMAIL_DOMAINS)


class Kind(StrEnum):
    NUMBER = "number"  # a number field, or the rule score
    CATEGORY = "category"  # a choice, a country, yes/no
    TEXT = "text"  # free text: a category, and the words in it (see ``WORD``)
    AGE = "age"  # days since a date
    EMAIL_DOMAIN = "email_domain"  # free mail or a company's own domain
    ACTIVITY_COUNT = "activity_count"  # how many activities of one kind
    ACTIVITY_AGE = "activity_age"  # days since the last activity of any kind
    WORD = "word"  # 1 when a text field holds a word ("director" in a job title), else 0

    @property
    def is_numeric(self) -> bool:
        """Read as a number per lead (NaN when missing)."""
        return self in (Kind.NUMBER, Kind.AGE, Kind.ACTIVITY_COUNT, Kind.ACTIVITY_AGE)

    @property
    def is_category(self) -> bool:
        """Read as one of a set of values (codes into the frame's levels)."""
        return self in (Kind.CATEGORY, Kind.TEXT, Kind.EMAIL_DOMAIN)


@dataclass(frozen=True, slots=True)
class Feature:
    """One input of the model: where it comes from and how people call it."""

    name: str  # unique: a field name, "email_domain", "activity:<kind>", "last_activity"
    label: str
    kind: Kind
    source: str  # the field (or activity kind) it is read from

    def to_json(self) -> list[str]:
        return [self.name, self.label, self.kind.value, self.source]

    @classmethod
    def from_json(cls, data: Sequence[str]) -> Feature:
        name, label, kind, source = data
        return cls(name, label, Kind(kind), source)


def _field_kind(f: Field) -> Kind:
    if f.type.is_numeric:
        return Kind.NUMBER
    if f.type.is_temporal:
        return Kind.AGE
    return Kind.TEXT if f.type is FieldType.TEXT else Kind.CATEGORY


def plan_features(
    registry: FieldRegistry, target: Target, activity_kinds: Iterable[str]
) -> list[Feature]:
    """The features a model for ``target`` may use in this database."""
    fields = [
        f
        for f in registry
        if f.stored
        and not f.identifier
        and f.name != target.field
        and (f.group in (Group.FIT, Group.ENGAGEMENT) or f.name in LEAD_TRAITS)
    ]
    features = [Feature(f.name, f.label, _field_kind(f), f.name) for f in fields]
    features.append(Feature("email_domain", "Email domain", Kind.EMAIL_DOMAIN, "email"))
    features.append(Feature("score", "Rule score", Kind.NUMBER, "score"))
    kinds = sorted(set(activity_kinds) - set(REP_ACTIVITIES))
    features += [
        Feature(
            f"activity:{kind}", kind.replace("_", " ").capitalize() + "s", Kind.ACTIVITY_COUNT, kind
        )
        for kind in kinds
    ]
    if kinds:
        features.append(
            Feature("last_activity", "Days since the last engagement", Kind.ACTIVITY_AGE, "")
        )
    return features


def activity_kinds(conn: Connection) -> list[str]:
    """The kinds of activity logged in this database (the lead's own, not the team's)."""
    query = sa.select(activities.c.kind).where(activities.c.kind.notin_(REP_ACTIVITIES))
    return sorted(conn.execute(query.distinct()).scalars())


@dataclass(slots=True)
class Frame:
    """Leads as columns. Numbers are float arrays (NaN = missing); categories are codes into
    ``levels[name]``, the column's distinct values (None = missing), so that encoding a
    category is one array lookup. ``outcome`` is 1, 0 or NaN (not known)."""

    ids: np.ndarray
    columns: dict[str, np.ndarray]
    outcome: np.ndarray
    levels: dict[str, list[str | None]]

    def __len__(self) -> int:
        return len(self.ids)

    def value(self, name: str, row: int) -> Any:
        """One lead's value of a feature, as people read it."""
        value = self.columns[name][row]
        return self.levels[name][value] if name in self.levels else float(value)

    def take(self, rows: np.ndarray) -> Frame:
        """The frame of the leads at ``rows`` (a boolean mask or positions)."""
        columns = {k: v[rows] for k, v in self.columns.items()}
        return Frame(self.ids[rows], columns, self.outcome[rows], self.levels)


def words(text: str | None) -> set[str]:
    """The words of a text as the model counts them: letters only, no case or accents."""
    if not text:
        return set()
    return set(re.findall(r"[^\W\d_]{2,}", strip_accents(text))) - STOPWORDS


def category_value(value: Any) -> str | None:
    """A category as the model groups it: trimmed text, placeholders and blanks missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return None if strip_accents(text) in PLACEHOLDERS else text


def email_domain_type(email: Any) -> str | None:
    """ "free mail" or "company domain" (None without an email)."""
    if not isinstance(email, str) or "@" not in email:
        return None
    return "free mail" if email.rsplit("@", 1)[1].lower() in _FREE_MAIL else "company domain"


def _age(value: Any, now_s: float) -> float:
    if isinstance(value, str):  # a custom date, stored as ISO text
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return np.nan
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(), tzinfo=UTC)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return (now_s - aware.timestamp()) / SECONDS_PER_DAY
    return np.nan


def load_frame(
    conn: Connection,
    features: Sequence[Feature],
    target: Target,
    registry: FieldRegistry,
    now: datetime,
    lead_ids: Sequence[int] | None = None,
) -> Job[Frame]:
    """Read the features and outcome of every lead (or of ``lead_ids``), in chunks.

    Custom values are taken out of the JSON by the database, typed as the scoring rules
    read them (``field_value``), so no lead's JSON is decoded in Python.
    """
    from leaddesk.core.scoring.sql import field_value  # sql imports this package lazily

    postgres = conn.dialect.name == "postgresql"
    features = _with_word_sources(features)
    read = [f for f in features if f.kind not in (Kind.ACTIVITY_COUNT, Kind.ACTIVITY_AGE)]
    fields = {f.name: registry.get(f.source) for f in read if f.source in registry}
    goal = registry.get(target.field)
    selected = [
        leads.c.id,
        field_value(goal, postgres).label("_outcome"),
        *(field_value(f, postgres).label(name) for name, f in fields.items()),
    ]
    query = sa.select(*selected).order_by(leads.c.id)
    total = (
        len(lead_ids)
        if lead_ids is not None
        else int(conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar_one())
    )
    rows: list[Any] = []
    for scope in _scopes(conn, lead_ids):
        rows += conn.execute(query.where(scope)).all()
        yield Progress(len(rows), total, "Reading leads")
    return _frame(conn, rows, features, fields, target, now)


def _with_word_sources(features: Sequence[Feature]) -> list[Feature]:
    """``features`` without word features, plus the text fields those words are found in."""
    result = [f for f in features if f.kind is not Kind.WORD]
    names = {f.name for f in result}
    for f in features:
        if f.kind is Kind.WORD and f.source not in names:
            result.append(Feature(f.source, f.source, Kind.TEXT, f.source))
            names.add(f.source)
    return result


def _scopes(conn: Connection, lead_ids: Sequence[int] | None) -> Iterable[sa.ColumnElement[bool]]:
    if lead_ids is not None:
        ids = sorted(set(lead_ids))
        for i in range(0, len(ids), CHUNK):
            yield leads.c.id.in_(ids[i : i + CHUNK])
        return
    low, high = conn.execute(sa.select(sa.func.min(leads.c.id), sa.func.max(leads.c.id))).one()
    if low is not None:
        for start in range(low, high + 1, CHUNK * 4):
            yield leads.c.id.between(start, start + CHUNK * 4 - 1)


def _frame(
    conn: Connection,
    rows: list[Any],
    features: Sequence[Feature],
    fields: dict[str, Field],
    target: Target,
    now: datetime,
) -> Frame:
    now_s = now.timestamp()
    by_column = list(zip(*rows, strict=True)) if rows else [()] * (2 + len(fields))
    raw = dict(zip(["id", "_outcome", *fields], by_column, strict=True))
    ids = np.fromiter(raw["id"], dtype=np.int64, count=len(rows))
    outcomes = {v: target.outcome_of(v) for v in set(raw["_outcome"])}
    outcome = np.array([outcomes[v] for v in raw["_outcome"]], dtype=float)
    columns: dict[str, np.ndarray] = {}
    levels: dict[str, list[str | None]] = {}
    counted = [f for f in features if f.kind in (Kind.ACTIVITY_COUNT, Kind.ACTIVITY_AGE)]
    if counted:
        columns |= _activity_columns(conn, ids, counted, now_s)
    for feature in features:
        values = raw.get(feature.name)
        if values is None:
            if feature.name not in columns:  # its field is gone: every lead is missing it
                columns[feature.name] = np.full(len(rows), np.nan)
            continue
        if feature.kind is Kind.EMAIL_DOMAIN:
            columns[feature.name], levels[feature.name] = _factorize(values, email_domain_type)
        elif feature.kind.is_category:
            as_bool = fields[feature.name].type is FieldType.BOOL
            convert = _yes_no_category if as_bool else category_value
            columns[feature.name], levels[feature.name] = _factorize(values, convert)
        elif feature.kind is Kind.AGE:
            columns[feature.name] = np.array([_age(v, now_s) for v in values], dtype=float)
        else:
            columns[feature.name] = np.array(values, dtype=float)
    return Frame(ids, columns, outcome, levels)


def _yes_no_category(value: Any) -> str | None:
    """A yes/no value as a category (SQLite hands JSON booleans back as 1 and 0)."""
    return None if value is None else category_value(bool(value))


def _factorize(values: Sequence[Any], convert: Any) -> tuple[np.ndarray, list[str | None]]:
    """Codes into the distinct converted values, converting each distinct raw value once."""
    converted = {raw: convert(raw) for raw in set(values)}
    index: dict[str | None, int] = {}
    codes = np.fromiter(
        (index.setdefault(converted[v], len(index)) for v in values),
        dtype=np.int64,
        count=len(values),
    )
    return codes, list(index)


def _activity_columns(
    conn: Connection, ids: np.ndarray, features: Sequence[Feature], now_s: float
) -> dict[str, np.ndarray]:
    """Counts by kind and days since the last activity, from one grouped query."""
    position = {int(lead_id): i for i, lead_id in enumerate(ids)}
    counts = {f.source: np.zeros(len(ids)) for f in features if f.kind is Kind.ACTIVITY_COUNT}
    last = np.full(len(ids), np.nan)
    query = (
        sa.select(
            activities.c.lead_id, activities.c.kind, sa.func.count(), sa.func.max(activities.c.at)
        )
        .where(activities.c.kind.notin_(REP_ACTIVITIES))
        .group_by(activities.c.lead_id, activities.c.kind)
    )
    if len(ids) <= CHUNK:
        query = query.where(activities.c.lead_id.in_([int(i) for i in ids]))
    for lead_id, kind, count, at in conn.execute(query):
        i = position.get(lead_id)
        if i is None:
            continue
        if kind in counts:
            counts[kind][i] = count
        age = _age(_as_datetime(at), now_s)
        last[i] = age if np.isnan(last[i]) else min(last[i], age)
    columns = {f"activity:{kind}": values for kind, values in counts.items()}
    if any(f.kind is Kind.ACTIVITY_AGE for f in features):
        columns["last_activity"] = last
    return columns


def _as_datetime(value: Any) -> Any:
    """``max(at)`` comes back as text on SQLite (an aggregate loses the column's type)."""
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value
