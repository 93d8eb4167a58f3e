"""The relay outbox: a customer message waiting for the bot's answer carries `relay_due_at`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("relay_due_at", sa.DateTime(timezone=True), nullable=True))
    # Only the few waiting messages are indexed, not the whole transcript history.
    op.create_index(
        "ix_messages_relay_due_at",
        "messages",
        ["relay_due_at"],
        postgresql_where=sa.text("relay_due_at IS NOT NULL"),
        sqlite_where=sa.text("relay_due_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_relay_due_at", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("relay_due_at")
