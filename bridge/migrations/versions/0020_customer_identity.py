"""customer identity (issue 15).

A conversation may belong to a shop customer whose id the shop's server signed
(bridge.services.identity): the id links the customer's conversations across browsers, and the
name, e-mail, locale and allow-listed attributes are what the agent sees. They are kept on the
conversation as given when it was identified (the order status then, not now), so no separate
table is needed; the index serves the links and the per-customer NPS cooldown.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("customer_id", sa.String(128)))
        batch.add_column(sa.Column("customer_name", sa.String(100)))
        batch.add_column(sa.Column("customer_email", sa.String(254)))
        batch.add_column(sa.Column("customer_locale", sa.String(16)))
        batch.add_column(sa.Column("customer_attributes", sa.JSON()))
    op.create_index("ix_conversations_customer_id", "conversations", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_conversations_customer_id", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("customer_attributes")
        batch.drop_column("customer_locale")
        batch.drop_column("customer_email")
        batch.drop_column("customer_name")
        batch.drop_column("customer_id")
