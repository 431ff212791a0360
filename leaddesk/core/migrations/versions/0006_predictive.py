"""Predictive scoring: each lead's probability, and the models learned from outcomes.

The column is added without rebuilding ``leads`` (SQLite's ADD COLUMN), so the search
index's triggers stay in place.

Revision ID: 0006_predictive
Revises: 0005_dashboard_indexes
Create Date: 2026-11-24 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from leaddesk.core.schema import JSONType, UTCDateTime

revision: str = "0006_predictive"
down_revision: str | None = "0005_dashboard_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("probability", sa.Float(), nullable=True))
    op.create_index("ix_leads_probability", "leads", ["probability"])
    op.create_table(
        "predictive_models",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("trained_at", UTCDateTime(), nullable=False),
        sa.Column("outcomes", sa.Integer(), nullable=False),
        sa.Column("metrics", JSONType, nullable=False),
        sa.Column("definition", JSONType, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("predictive_models")
    op.drop_index("ix_leads_probability", table_name="leads")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("probability")
