"""Handoffs to agents: the queue, transfers, messages left, notes and saved replies."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db.models.base import Base, BigIntId, utcnow

# Waiting or claimed: the handoffs that still hold their conversation away from the bot.
ACTIVE_HANDOFF = text("status IN ('waiting', 'claimed')")
MISSED_OPEN = text("status = 'missed' AND handled_at IS NULL")


class Handoff(Base):
    """A request for a human: queued (`waiting`), taken by an agent (`claimed`), then ended
    (`returned` to the bot, `closed`, `cancelled`, or `missed`: the customer left the page
    while waiting, see bridge.services.queue_hygiene). See bridge.db.handoffs."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # At most one active handoff per conversation, whatever the callers do.
        Index(
            "uq_handoffs_active_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=ACTIVE_HANDOFF,
            postgresql_where=ACTIVE_HANDOFF,
        ),
        # The console's "Messages left" panel lists the missed chats nobody followed up yet.
        Index(
            "ix_handoffs_missed_open",
            "ended_at",
            sqlite_where=MISSED_OPEN,
            postgresql_where=MISSED_OPEN,
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    reason: Mapped[str] = mapped_column(String(32))
    # {"last_question": str | None, "language": str | None, "articles": [{id, title, score}]}
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # While waiting: when the customer's last widget socket closed (NULL while they are on
    # the page); QUEUE_ABANDON_AFTER_S later the handoff is `missed`.
    customer_left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A missed chat an agent has followed up (by email, say): gone from the console's list.
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# An offer that waits for its receiver: at most one per handoff at a time.
PENDING_TRANSFER = text("status = 'pending'")


class HandoffTransfer(Base):
    """A claimed chat passed on by its agent: offered to a colleague (`pending` until
    `accepted`, `declined`, `cancelled` by the sender or `expired`), or put back in the queue
    at once (`queued`, no receiver). See bridge.db.transfers."""

    __tablename__ = "handoff_transfers"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'cancelled', 'expired', 'queued')",
            name="ck_handoff_transfers_status",
        ),
        Index(
            "uq_handoff_transfers_pending",
            "handoff_id",
            unique=True,
            sqlite_where=PENDING_TRANSFER,
            postgresql_where=PENDING_TRANSFER,
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    from_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # NULL: back to the queue (or the receiver's account was deleted since).
    to_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OfflineRequest(Base):
    """A message left when nobody could take the chat: the agents answer it by email."""

    __tablename__ = "offline_requests"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConversationNote(Base):
    """An agent's private note on a conversation; customers never see it."""

    __tablename__ = "conversation_notes"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Saved replies: a shortcut is unique among the shared replies, and among each agent's own.
SHARED_REPLY = text("owner_id IS NULL")
PERSONAL_REPLY = text("owner_id IS NOT NULL")


class SavedReply(Base):
    """A reply agents insert with "/shortcut" (bridge.services.saved_replies): shared with
    every agent (`owner_id` NULL, kept by the admins) or one agent's own. It has an English
    and a Hungarian text, at least one of them; `version` goes up with every change, and a
    change names the version it was made from, so two editors never overwrite each other."""

    __tablename__ = "saved_replies"
    __table_args__ = (
        CheckConstraint(
            "text_en IS NOT NULL OR text_hu IS NOT NULL", name="ck_saved_replies_has_text"
        ),
        Index(
            "uq_saved_replies_shared_shortcut",
            "shortcut",
            unique=True,
            sqlite_where=SHARED_REPLY,
            postgresql_where=SHARED_REPLY,
        ),
        Index(
            "uq_saved_replies_personal_shortcut",
            "owner_id",
            "shortcut",
            unique=True,
            sqlite_where=PERSONAL_REPLY,
            postgresql_where=PERSONAL_REPLY,
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shortcut: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(120))
    text_en: Mapped[str | None] = mapped_column(Text)
    text_hu: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
