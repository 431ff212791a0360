"""The do-not-contact list: people to leave alone, remembered after their lead is gone.

A new table only; ``leads`` is not rebuilt, so the search index's triggers stay in place.

Revision ID: 0007_suppressions
Revises: 0006_predictive
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from leaddesk.core.schema import UTCDateTime

revision: str = "0007_suppressions"
down_revision: str | None = "0006_predictive"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email_hash", sa.String(64), nullable=True),
        sa.Column("phone_hash", sa.String(64), nullable=True),
        sa.Column("do_not_call", sa.Boolean(), nullable=False),
        sa.Column("do_not_email", sa.Boolean(), nullable=False),
        sa.Column("suppressed_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_suppressions_email_hash", "suppressions", ["email_hash"])
    op.create_index("ix_suppressions_phone_hash", "suppressions", ["phone_hash"])


def downgrade() -> None:
    op.drop_table("suppressions")
