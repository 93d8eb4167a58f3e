"""Indexes for the support-metrics reports over a year of traffic (bench/report_scale.py).

- messages (role, conversation_id, created_at): "did the customer speak in this conversation"
  and "the first agent message after the claim" become index-only lookups, and the customers'
  messages a contiguous range; before, each looked through the whole conversation's rows
  (SQLite) or scanned every message (PostgreSQL), three times per conversation report.
- nps_surveys (asked_at, language, status, score) replaces (asked_at): the NPS report reads
  the index alone instead of one table row per survey.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_messages_role_conversation_id_created_at",
        "messages",
        ["role", "conversation_id", "created_at"],
    )
    op.create_index(
        "ix_nps_surveys_asked_at_language_status_score",
        "nps_surveys",
        ["asked_at", "language", "status", "score"],
    )
    op.drop_index("ix_nps_surveys_asked_at", table_name="nps_surveys")


def downgrade() -> None:
    op.create_index("ix_nps_surveys_asked_at", "nps_surveys", ["asked_at"])
    op.drop_index("ix_nps_surveys_asked_at_language_status_score", table_name="nps_surveys")
    op.drop_index("ix_messages_role_conversation_id_created_at", table_name="messages")
