"""The database tables.

The ``leads`` table is built from the field registry, so a built-in field is declared once
(``core/fields.py``) and appears here as a column; it is a SQLAlchemy Core table because leads
are read and written in bulk. The smaller tables are SQLModel classes. All live in one
``MetaData``, which Alembic compares against the migrations.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlmodel import Field as ModelField
from sqlmodel import SQLModel

from leaddesk.core.fields import STORED_FIELDS, FieldType


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC: the only kind of datetime LeadDesk stores."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A datetime stored in UTC and always read back timezone-aware.

    SQLite keeps no time zone, so naive values are refused on the way in rather than
    guessed at; on the way out, UTC is attached again.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: LeadDesk stores timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # written by raw SQL (julianday arithmetic, migrations)
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_SQL_TYPES: dict[FieldType, Any] = {
    FieldType.TEXT: sa.Text(),
    FieldType.EMAIL: sa.String(320),
    FieldType.PHONE: sa.String(40),
    FieldType.COUNTRY: sa.String(2),
    FieldType.CHOICE: sa.String(40),
    FieldType.NUMBER: sa.Float(),
    FieldType.MONEY: sa.Float(),
    FieldType.DATE: sa.Date(),
    FieldType.DATETIME: UTCDateTime(),
    FieldType.BOOL: sa.Boolean(),
}

# Field columns whose value is never NULL: LeadDesk's own bookkeeping.
FIELD_DEFAULTS: dict[str, Any] = {
    "status": "new",
    "do_not_call": False,
    "do_not_email": False,
    "attempts": 0,
}
# Every lead column with a default; an insert that names a column must give it a value.
LEAD_DEFAULTS: dict[str, Any] = {**FIELD_DEFAULTS, "version": 1, "phone_valid": True}


def _field_column(name: str, type_: FieldType) -> sa.Column[Any]:
    default = FIELD_DEFAULTS.get(name)
    return sa.Column(
        name,
        _SQL_TYPES[type_],
        nullable=default is None,
        server_default=None if default is None else sa.text(_server_default(default)),
    )


def _server_default(value: object) -> str:
    if isinstance(value, bool):
        return "false" if not value else "true"
    if isinstance(value, int):
        return str(value)
    return f"'{value}'"


metadata = SQLModel.metadata

leads = sa.Table(
    "leads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
    *(_field_column(f.name, f.type) for f in STORED_FIELDS),
    sa.Column("custom", JSONType, nullable=False, server_default=sa.text("'{}'")),
    sa.Column("phone_digits", sa.String(40)),  # digits only, for search by part of a number
    sa.Column("phone_valid", sa.Boolean, nullable=False, server_default=sa.text("true")),
    sa.Column("snoozed_until", UTCDateTime()),
    sa.Column("scored_model_id", sa.Integer),
    sa.Column("import_batch_id", sa.Integer),
    # Team mode: the rep who has the lead open on their queue, until the claim runs out.
    sa.Column("claimed_by", sa.String(80)),
    sa.Column("claimed_until", UTCDateTime()),
    sa.Index("ix_leads_external_id", "external_id"),
    sa.Index("ix_leads_email", "email"),
    sa.Index("ix_leads_phone", "phone"),
    sa.Index("ix_leads_score", "score"),
    sa.Index("ix_leads_status_score", "status", "score"),
    sa.Index("ix_leads_tier_grade", "tier", "grade"),
    sa.Index("ix_leads_probability", "probability"),
    sa.Index("ix_leads_next_follow_up_at", "next_follow_up_at"),
    sa.Index("ix_leads_name_company", "last_name", "first_name", "company"),
    sa.Index("ix_leads_import_batch_id", "import_batch_id"),
    sa.Index("ix_leads_claimed_by", "claimed_by"),
)


class Activity(SQLModel, table=True):
    """Something that happened with a lead: a call outcome, an imported touch, an edit."""

    __tablename__ = "activities"
    # Covers the per-lead activity totals of rescoring, and a lead's timeline.
    __table_args__ = (
        sa.Index("ix_activities_lead_kind", "lead_id", "kind", "outcome", "at"),
        sa.Index("ix_activities_kind_at_outcome", "kind", "at", "outcome"),
    )

    id: int | None = ModelField(default=None, primary_key=True)
    lead_id: int = ModelField(
        sa_column=sa.Column(sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = ModelField(max_length=40)  # "call", "email_open", "page_view", "note", …
    outcome: str | None = ModelField(default=None, max_length=40)
    at: datetime = ModelField(sa_type=UTCDateTime, default_factory=utcnow)
    rep: str | None = ModelField(default=None)
    note: str | None = ModelField(default=None)
    batch_id: int | None = ModelField(default=None)


# Activity kinds that record the team's work with a lead, not something the lead did.
REP_ACTIVITIES = ("call", "note", "edit")


class ScoringModelRecord(SQLModel, table=True):
    """A version of the team's scoring model; the definition is JSON (see scoring.model)."""

    __tablename__ = "scoring_models"

    id: int | None = ModelField(default=None, primary_key=True)
    name: str
    state: str = ModelField(default="draft", max_length=20)  # draft, active, archived
    definition: dict[str, Any] = ModelField(sa_type=JSONType)
    created_at: datetime = ModelField(sa_type=UTCDateTime, default_factory=utcnow)
    activated_at: datetime | None = ModelField(default=None, sa_type=UTCDateTime)


class PredictiveModelRecord(SQLModel, table=True):
    """A predictive model learned from the team's outcomes, stored as data (never a pickle):
    its features, encodings and coefficients or trees, and how well it did on a hold-out."""

    __tablename__ = "predictive_models"

    id: int | None = ModelField(default=None, primary_key=True)
    target: str = ModelField(max_length=80)  # "status" (won vs lost) or a yes/no field
    state: str = ModelField(default="active", max_length=20)  # active, archived
    kind: str = ModelField(max_length=40)  # "logistic regression", "boosted trees"
    trained_at: datetime = ModelField(sa_type=UTCDateTime, default_factory=utcnow)
    outcomes: int = 0  # leads with a known outcome when it was trained
    metrics: dict[str, Any] = ModelField(sa_type=JSONType)
    definition: dict[str, Any] = ModelField(sa_type=JSONType)


class ImportBatch(SQLModel, table=True):
    """One import of one file: what came in, and enough to undo it."""

    __tablename__ = "import_batches"

    id: int | None = ModelField(default=None, primary_key=True)
    file_name: str
    file_hash: str = ModelField(max_length=64)
    sheet: str | None = None
    header_row: int = 1
    mapping: dict[str, Any] = ModelField(sa_type=JSONType)
    on_duplicate: str = ModelField(default="update", max_length=20)
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    skipped: int = 0
    rejected: int = 0
    report: dict[str, Any] = ModelField(sa_type=JSONType)
    imported_at: datetime = ModelField(sa_type=UTCDateTime, default_factory=utcnow)
    undone_at: datetime | None = ModelField(default=None, sa_type=UTCDateTime)


class ImportChange(SQLModel, table=True):
    """A lead an import created or changed, with its whole row before and the values the
    import wrote (``changed``), so undo can tell the import's values from later edits."""

    __tablename__ = "import_changes"

    id: int | None = ModelField(default=None, primary_key=True)
    batch_id: int = ModelField(
        sa_column=sa.Column(
            sa.ForeignKey("import_batches.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    lead_id: int = ModelField(index=True)
    action: str = ModelField(max_length=10)  # "created" or "updated"
    before: dict[str, Any] | None = ModelField(default=None, sa_type=JSONType)
    changed: dict[str, Any] | None = ModelField(default=None, sa_type=JSONType)


class BulkEdit(SQLModel, table=True):
    """One change made to many leads at once from the Leads page, kept so it can be undone."""

    __tablename__ = "bulk_edits"

    id: int | None = ModelField(default=None, primary_key=True)
    action: str = ModelField(max_length=20)  # owner, status, tag, do_not_call, delete
    summary: str
    rep: str | None = None
    leads: int = 0
    at: datetime = ModelField(sa_type=UTCDateTime, default_factory=utcnow)
    undone_at: datetime | None = ModelField(default=None, sa_type=UTCDateTime)


class BulkEditRow(SQLModel, table=True):
    """A lead a bulk edit changed, with what undo needs: the values it had before, or (for a
    deletion) the whole row and its activities."""

    __tablename__ = "bulk_edit_rows"

    id: int | None = ModelField(default=None, primary_key=True)
    edit_id: int = ModelField(
        sa_column=sa.Column(
            sa.ForeignKey("bulk_edits.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    lead_id: int
    before: dict[str, Any] = ModelField(sa_type=JSONType)


class CustomFieldRecord(SQLModel, table=True):
    """A custom field: a column found in an import that maps to no built-in field."""

    __tablename__ = "custom_fields"

    key: str = ModelField(primary_key=True, max_length=80)
    label: str
    type: str = ModelField(default="text", max_length=20)
    created_at: datetime = ModelField(sa_type=UTCDateTime, default_factory=utcnow)


class SavedMapping(SQLModel, table=True):
    """The mapping last used for a file with these headers, proposed again next time."""

    __tablename__ = "saved_mappings"

    signature: str = ModelField(primary_key=True, max_length=64)
    mapping: dict[str, Any] = ModelField(sa_type=JSONType)
    saved_at: datetime = ModelField(sa_type=UTCDateTime, default_factory=utcnow)


class Suppression(SQLModel, table=True):
    """Someone who must not be contacted, remembered after their lead is gone: only hashes of
    their email and phone (never the values themselves), the flags, and when."""

    __tablename__ = "suppressions"

    id: int | None = ModelField(default=None, primary_key=True)
    email_hash: str | None = ModelField(default=None, max_length=64, index=True)
    phone_hash: str | None = ModelField(default=None, max_length=64, index=True)
    do_not_call: bool = False
    do_not_email: bool = False
    suppressed_at: datetime = ModelField(sa_type=UTCDateTime, default_factory=utcnow)


class Setting(SQLModel, table=True):
    """Settings the whole team shares (those of one user live in QSettings)."""

    __tablename__ = "settings"

    key: str = ModelField(primary_key=True, max_length=80)
    value: Any = ModelField(sa_type=JSONType)


__all__ = [
    "REP_ACTIVITIES",
    "Activity",
    "BulkEdit",
    "BulkEditRow",
    "CustomFieldRecord",
    "ImportBatch",
    "ImportChange",
    "PredictiveModelRecord",
    "SavedMapping",
    "ScoringModelRecord",
    "Setting",
    "Suppression",
    "UTCDateTime",
    "date",
    "leads",
    "metadata",
    "utcnow",
]
