"""Team queue claims (which rep has a lead open, until when); calls of a day by time.

Revision ID: 0003_queue_claims
Revises: 0002_undo_changes
Create Date: 2026-11-24 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from leaddesk.core.schema import UTCDateTime

revision: str = "0003_queue_claims"
down_revision: str | None = "0002_undo_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(80), nullable=True))
        batch.add_column(sa.Column("claimed_until", UTCDateTime(), nullable=True))
    op.create_index("ix_leads_claimed_by", "leads", ["claimed_by"])
    # The day's calls (progress toward the target) without a scan of every activity.
    op.create_index("ix_activities_kind_at", "activities", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_activities_kind_at", table_name="activities")
    op.drop_index("ix_leads_claimed_by", table_name="leads")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
