"""NPS surveys and answer feedback.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "nps_surveys",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(36),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("visitor_id", sa.String(64), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("category", sa.String(16), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 0 AND 10", name="ck_nps_surveys_score"),
    )
    op.create_index("ix_nps_surveys_conversation_id", "nps_surveys", ["conversation_id"])
    op.create_index("ix_nps_surveys_visitor_id", "nps_surveys", ["visitor_id"])
    op.create_index("ix_nps_surveys_asked_at", "nps_surveys", ["asked_at"])
    op.create_table(
        "answer_feedback",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(36),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("article_id", sa.String(100), nullable=False),
        sa.Column("chunk_id", sa.String(200), nullable=True),
        sa.Column("query", sa.Text, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_answer_feedback_conversation_id", "answer_feedback", ["conversation_id"])
    op.create_index("ix_answer_feedback_created_at", "answer_feedback", ["created_at"])


def downgrade() -> None:
    op.drop_table("answer_feedback")
    op.drop_table("nps_surveys")
