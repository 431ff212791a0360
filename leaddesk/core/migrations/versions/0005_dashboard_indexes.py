"""Indexes the dashboard's counts read instead of the whole table.

Pipeline by status and conversion by score band read ``leads(status, score)``; tiers by
grade read ``leads(tier, grade)``; calls and outcomes per day read ``activities(kind, at,
outcome)``, which also serves everything ``ix_activities_kind_at`` did, so it replaces it.

Revision ID: 0005_dashboard_indexes
Revises: 0004_workspace
Create Date: 2026-11-24 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_dashboard_indexes"
down_revision: str | None = "0004_workspace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_leads_status_score", "leads", ["status", "score"])
    op.create_index("ix_leads_tier_grade", "leads", ["tier", "grade"])
    op.create_index("ix_activities_kind_at_outcome", "activities", ["kind", "at", "outcome"])
    op.drop_index("ix_activities_kind_at", table_name="activities")


def downgrade() -> None:
    op.create_index("ix_activities_kind_at", "activities", ["kind", "at"])
    op.drop_index("ix_activities_kind_at_outcome", table_name="activities")
    op.drop_index("ix_leads_tier_grade", table_name="leads")
    op.drop_index("ix_leads_status_score", table_name="leads")
