"""Goals reported by the host page through the widget (conversions).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "conversation_id",
            sa.String(36),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("goal", sa.String(64), nullable=False),
        sa.Column("page_url", sa.String(2048), nullable=True),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_goals_conversation_id", "goals", ["conversation_id"])
    op.create_index("ix_goals_goal", "goals", ["goal"])


def downgrade() -> None:
    op.drop_table("goals")
