"""Customers' privacy: when a conversation's personal data was erased (so the retention purge
passes over it), and the audit log of every export, erasure and purge.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_NOT_ERASED = sa.text("erased_at IS NULL")


def upgrade() -> None:
    # batch mode: SQLite cannot add a column inside an existing table's constraints otherwise
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True)))
    op.create_index(
        "ix_conversations_updated_at_not_erased",
        "conversations",
        ["updated_at"],
        sqlite_where=_NOT_ERASED,
        postgresql_where=_NOT_ERASED,
    )
    op.create_table(
        "privacy_audit",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("selector", sa.String(16), nullable=False),
        sa.Column("subject_hash", sa.String(64)),
        sa.Column("conversations", sa.Integer, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("tracker_events", sa.Integer, nullable=False),
    )
    op.create_index("ix_privacy_audit_at", "privacy_audit", ["at"])


def downgrade() -> None:
    op.drop_index("ix_privacy_audit_at", table_name="privacy_audit")
    op.drop_table("privacy_audit")
    op.drop_index("ix_conversations_updated_at_not_erased", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("erased_at")
