"""The leads workspace: tags, undoable bulk edits, and a search index for SQLite.

The search index is an FTS5 table of trigrams over the fields the search box reads, kept in
step with ``leads`` by triggers, so a search over a million leads reads only the matches
(see ``core/search_index.py``). It stores no copy of the text (contentless). A later
migration that rebuilds ``leads`` (Alembic batch mode on SQLite) drops these triggers and
must create them again with ``create_search_index``.

Revision ID: 0004_workspace
Revises: 0003_queue_claims
Create Date: 2026-11-24 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from leaddesk.core.schema import UTCDateTime
from leaddesk.core.search_index import create_search_index, drop_search_index

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0004_workspace"
down_revision: str | None = "0003_queue_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("tags", sa.Text(), nullable=True))
    op.create_table(
        "bulk_edits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("rep", sa.String(), nullable=True),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("undone_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "bulk_edit_rows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "edit_id",
            sa.Integer(),
            sa.ForeignKey("bulk_edits.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("before", JSON, nullable=False),
    )
    op.create_index("ix_bulk_edit_rows_edit_id", "bulk_edit_rows", ["edit_id"])
    if op.get_bind().dialect.name == "sqlite":
        create_search_index(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        drop_search_index(op.get_bind())
    op.drop_index("ix_bulk_edit_rows_edit_id", table_name="bulk_edit_rows")
    op.drop_table("bulk_edit_rows")
    op.drop_table("bulk_edits")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("tags")
