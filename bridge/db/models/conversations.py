"""Conversations and their transcript lines."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.db.models.base import Base, BigIntId, utcnow


class Conversation(Base):
    """One customer's chat; `last_seq` hands out the per-conversation message numbers."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # bot | waiting_for_agent | with_agent | closed; moved by bridge.db.handoffs.
    status: Mapped[str] = mapped_column(String(20), default="bot")
    language: Mapped[str] = mapped_column(String(2), default="en")
    # The `language` slot as last set in Rasa's tracker (None: never); the bridge sets the
    # slot only when `language` differs, so no turn needs an action-server round trip for it.
    bot_language: Mapped[str | None] = mapped_column(String(2))
    # The customer's name as last set in Rasa's `customer_name` slot (None: never told).
    bot_customer_name: Mapped[str | None] = mapped_column(String(100))
    visitor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    page_url: Mapped[str | None] = mapped_column(String(2048))
    # A shop customer whose signed id the bridge checked (bridge.services.identity), as given
    # when identified; links their conversations across browsers. None: anonymous.
    customer_id: Mapped[str | None] = mapped_column(String(128), index=True)
    customer_name: Mapped[str | None] = mapped_column(String(100))
    customer_email: Mapped[str | None] = mapped_column(String(254))
    customer_locale: Mapped[str | None] = mapped_column(String(16))
    customer_attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # When its personal data was erased (on request or by retention, bridge.services.privacy):
    # what is left is counted by the reports but names nobody.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    messages: Mapped[list["Message"]] = relationship(
        back_populates="conversation", order_by="Message.seq", lazy="raise"
    )


class Message(Base):
    """A transcript line: customer, bot, agent or system, numbered within its conversation."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
        # A widget re-sends a message after a reconnect with the same client id: stored once.
        UniqueConstraint("conversation_id", "client_id", name="uq_messages_conversation_client"),
        # Reports: whether the customer spoke, the first agent message after a claim.
        Index(
            "ix_messages_role_conversation_id_created_at", "role", "conversation_id", "created_at"
        ),
        Index(
            "ix_messages_relay_due_at",
            "relay_due_at",
            postgresql_where=text("relay_due_at IS NOT NULL"),
            sqlite_where=text("relay_due_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(String(512))
    buttons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    author: Mapped[str | None] = mapped_column(String(100))
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The relay outbox: set while a customer message waits for the bot's answer, to when a
    # sweeper may take it over (its relay died with its process); cleared once answered.
    relay_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    conversation: Mapped[Conversation] = relationship(back_populates="messages", lazy="raise")


# The conversations view (migration 0015): newest activity first, paged on (updated_at, id);
# a rare status (the live chats) without walking every conversation; a period of creation.
Index("ix_conversations_updated_at_id", Conversation.updated_at, Conversation.id)
Index(
    "ix_conversations_status_updated_at_id",
    Conversation.status,
    Conversation.updated_at,
    Conversation.id,
)
Index("ix_conversations_created_at", Conversation.created_at)
# The full-text index over messages.text (migration 0015, bridge/db/conversation_search.py)
# lives outside these models: an FTS5 table and its shadow tables on SQLite, an expression GIN
# index on PostgreSQL. Autogenerate and the schema comparison leave these names alone.
SEARCH_INDEX_NAMES = frozenset(
    {
        "messages_fts",
        "messages_fts_config",
        "messages_fts_data",
        "messages_fts_docsize",
        "messages_fts_idx",
        "ix_messages_text_search",
    }
)


# The retention purge looks for old conversations not erased yet: a small partial index.
NOT_ERASED = text("erased_at IS NULL")
Index(
    "ix_conversations_updated_at_not_erased",
    Conversation.updated_at,
    sqlite_where=NOT_ERASED,
    postgresql_where=NOT_ERASED,
)
