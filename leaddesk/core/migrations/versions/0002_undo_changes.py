"""Undo that keeps later edits: what each import wrote, and leads found by their batch.

Revision ID: 0002_undo_changes
Revises: 0001_initial
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0002_undo_changes"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_changes") as batch:
        batch.add_column(sa.Column("changed", JSON, nullable=True))
    op.create_index("ix_leads_import_batch_id", "leads", ["import_batch_id"])


def downgrade() -> None:
    op.drop_index("ix_leads_import_batch_id", table_name="leads")
    with op.batch_alter_table("import_changes") as batch:
        batch.drop_column("changed")
