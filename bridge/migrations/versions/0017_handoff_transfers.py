"""Transfers of a claimed chat from one agent to another.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table(
        "handoff_transfers",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "handoff_id",
            _BIG_ID,
            sa.ForeignKey("handoffs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "conversation_id",
            sa.String(36),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_agent_id", _BIG_ID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("to_agent_id", _BIG_ID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("note", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'cancelled', 'expired', 'queued')",
            name="ck_handoff_transfers_status",
        ),
    )
    op.create_index("ix_handoff_transfers_handoff_id", "handoff_transfers", ["handoff_id"])
    # At most one offer waiting for its receiver per handoff: two senders at once, one wins.
    op.create_index(
        "uq_handoff_transfers_pending",
        "handoff_transfers",
        ["handoff_id"],
        unique=True,
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("uq_handoff_transfers_pending", table_name="handoff_transfers")
    op.drop_index("ix_handoff_transfers_handoff_id", table_name="handoff_transfers")
    op.drop_table("handoff_transfers")
