"""The embedding of each unanswered question, kept by the report that first grouped it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("embedding", sa.LargeBinary, nullable=True))
        batch.add_column(sa.Column("embedding_model", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_column("embedding_model")
        batch.drop_column("embedding")
