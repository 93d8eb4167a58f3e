"""Help-center readers' "was this helpful?" votes, stored with the answers' feedback.

A vote from an article page belongs to no conversation, so `conversation_id` may be empty;
`source` says where a vote came from: `bot` (an answer in the chat) or `help_center`.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answer_feedback") as batch:
        batch.alter_column("conversation_id", existing_type=sa.String(36), nullable=True)
        batch.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="bot"))


def downgrade() -> None:
    op.execute("DELETE FROM answer_feedback WHERE conversation_id IS NULL")
    with op.batch_alter_table("answer_feedback") as batch:
        batch.drop_column("source")
        batch.alter_column("conversation_id", existing_type=sa.String(36), nullable=False)
