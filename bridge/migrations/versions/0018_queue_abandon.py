"""Queue hygiene: customers who left the page become missed chats.

`handoffs.customer_left_at` marks a waiting customer whose widget is gone; the ended status
`missed` needs no schema (statuses are plain strings); `handled_at` / `handled_by` record the
agent who followed a missed chat up, and a small partial index serves the list of those not
followed up yet.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MISSED_OPEN = sa.text("status = 'missed' AND handled_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("customer_left_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("handled_at", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column(
                "handled_by",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                sa.ForeignKey("users.id", name="fk_handoffs_handled_by", ondelete="SET NULL"),
            )
        )
    op.create_index(
        "ix_handoffs_missed_open",
        "handoffs",
        ["ended_at"],
        sqlite_where=_MISSED_OPEN,
        postgresql_where=_MISSED_OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_handoffs_missed_open", table_name="handoffs")
    # A missed chat is a customer who stopped waiting: what `cancelled` meant before.
    op.execute("UPDATE handoffs SET status = 'cancelled' WHERE status = 'missed'")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint("fk_handoffs_handled_by", type_="foreignkey")
        batch.drop_column("handled_by")
        batch.drop_column("handled_at")
        batch.drop_column("customer_left_at")
