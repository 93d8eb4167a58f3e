"""Review links: promoters' invitations to leave a review and the clicks on them (issue 15).

Each invitation has a random token (the counted redirect /r/review/{token}); every click is
kept, and reports count a clicked conversation once.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "review_invitations",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(43), nullable=False),
        sa.Column(
            "conversation_id",
            sa.String(36),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("token"),
    )
    op.create_index(
        "ix_review_invitations_conversation_id", "review_invitations", ["conversation_id"]
    )
    op.create_index("ix_review_invitations_invited_at", "review_invitations", ["invited_at"])
    op.create_table(
        "review_clicks",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column(
            "invitation_id",
            _ID,
            sa.ForeignKey("review_invitations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("clicked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_clicks_invitation_id", "review_clicks", ["invitation_id"])


def downgrade() -> None:
    op.drop_index("ix_review_clicks_invitation_id", table_name="review_clicks")
    op.drop_table("review_clicks")
    op.drop_index("ix_review_invitations_invited_at", table_name="review_invitations")
    op.drop_index("ix_review_invitations_conversation_id", table_name="review_invitations")
    op.drop_table("review_invitations")
