"""Saved replies of the agents (shared and personal, English and Hungarian).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_SHARED = sa.text("owner_id IS NULL")
_PERSONAL = sa.text("owner_id IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "saved_replies",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("owner_id", _BIG_ID, sa.ForeignKey("users.id", ondelete="CASCADE")),
        sa.Column("shortcut", sa.String(32), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("text_en", sa.Text),
        sa.Column("text_hu", sa.Text),
        sa.Column("created_by", _BIG_ID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint(
            "text_en IS NOT NULL OR text_hu IS NOT NULL", name="ck_saved_replies_has_text"
        ),
    )
    op.create_index(
        "uq_saved_replies_shared_shortcut",
        "saved_replies",
        ["shortcut"],
        unique=True,
        sqlite_where=_SHARED,
        postgresql_where=_SHARED,
    )
    op.create_index(
        "uq_saved_replies_personal_shortcut",
        "saved_replies",
        ["owner_id", "shortcut"],
        unique=True,
        sqlite_where=_PERSONAL,
        postgresql_where=_PERSONAL,
    )


def downgrade() -> None:
    op.drop_index("uq_saved_replies_personal_shortcut", table_name="saved_replies")
    op.drop_index("uq_saved_replies_shared_shortcut", table_name="saved_replies")
    op.drop_table("saved_replies")
