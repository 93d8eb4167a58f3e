"""referral answers, and the customer's name as told to the bot (issue 15).

"How did you hear about us?" is asked once per customer: `subject` (customer:<id>,
visitor:<id> or conversation:<id>) is unique. `conversations.bot_customer_name` remembers the
name last set in Rasa's `customer_name` slot, so the slot is set once, not on every turn.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_SOURCES = ("friend_family", "search", "social", "review_site", "advert", "other", "skipped")


def upgrade() -> None:
    op.create_table(
        "referral_answers",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(140), nullable=False),
        sa.Column(
            "conversation_id",
            sa.String(36),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("source", sa.String(16)),
        sa.Column("detail", sa.String(200)),
        sa.UniqueConstraint("subject"),
        sa.CheckConstraint(
            "source IS NULL OR source IN (" + ", ".join(f"'{s}'" for s in _SOURCES) + ")",
            name="ck_referral_source",
        ),
    )
    op.create_index("ix_referral_answers_conversation_id", "referral_answers", ["conversation_id"])
    op.create_index("ix_referral_answers_asked_at", "referral_answers", ["asked_at"])
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("bot_customer_name", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("bot_customer_name")
    op.drop_index("ix_referral_answers_asked_at", table_name="referral_answers")
    op.drop_index("ix_referral_answers_conversation_id", table_name="referral_answers")
    op.drop_table("referral_answers")
