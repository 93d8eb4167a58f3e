"""The language Rasa's tracker holds for a conversation, so the bridge tells it only changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("bot_language", sa.String(2), nullable=True))
    # Until now an action set the slot to the page's language on every turn: what Rasa holds
    # for a conversation the bot has answered is its `language`.
    op.execute(
        "UPDATE conversations SET bot_language = language WHERE EXISTS (SELECT 1 FROM messages"
        " WHERE messages.conversation_id = conversations.id AND messages.role = 'bot')"
    )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("bot_language")
