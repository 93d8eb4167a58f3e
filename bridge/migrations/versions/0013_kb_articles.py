"""Knowledge-base articles in the database: published text, drafts and every revision, so the
studio can publish from any host and every host indexes the same articles.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("published_text", sa.Text),
        sa.Column("published_revision", sa.Integer),
        sa.Column("draft_text", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(254)),
        sa.CheckConstraint("state IN ('draft', 'published', 'archived')", name="ck_kb_state"),
    )
    op.create_table(
        "kb_revisions",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "article_id",
            sa.String(80),
            sa.ForeignKey("kb_articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(254), nullable=False),
        sa.Column("restored_from", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("article_id", "number", name="uq_kb_revision_number"),
    )


def downgrade() -> None:
    op.drop_table("kb_revisions")
    op.drop_table("kb_articles")
