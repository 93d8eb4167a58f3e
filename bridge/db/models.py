"""ORM models of the application database (the bridge is its only owner)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


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


class UnansweredQuestion(Base):
    """A question the knowledge base had no good answer for: the writers' to-do list."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    best_article_id: Mapped[str | None] = mapped_column(String(100))
    best_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    # float32 bytes of the question's embedding and the model that made it, written by the
    # first report that groups the question so that later ones need not embed it again.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """A member of the support staff who signs in to the agent console or the KB editor."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("email", name="uq_users_email"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    # Stored stripped and lower-cased (bridge.db.users), so uniqueness ignores case.
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


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


class NpsSurvey(Base):
    """One "how likely are you to recommend us" question put to a customer, and the answer.

    `asked` until the customer gives a score (`answered`), says no (`declined`) or leaves
    (`dropped`); see bridge.db.nps. `visitor_id` is copied from the conversation when asked, so
    the once-per-cooldown rule holds across a visitor's conversations.
    """

    __tablename__ = "nps_surveys"
    __table_args__ = (
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 10", name="ck_nps_surveys_score"),
        # The NPS report reads this index alone, never the table.
        Index(
            "ix_nps_surveys_asked_at_language_status_score",
            "asked_at",
            "language",
            "status",
            "score",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    visitor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="asked")
    score: Mapped[int | None] = mapped_column(Integer)
    # promoter | passive | detractor, derived from the score by the bridge, never sent in.
    category: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    # after_agent | goodbye | feedback_request
    trigger: Mapped[str] = mapped_column(String(32))
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AnswerFeedback(Base):
    """A customer's "helpful" / "not helpful" on a knowledge-base answer in the chat (`source`
    bot), or a reader's on an article page of the help center (`help_center`, no conversation)."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(16), default="bot", server_default="bot")
    article_id: Mapped[str] = mapped_column(String(100))
    chunk_id: Mapped[str | None] = mapped_column(String(200))
    query: Mapped[str | None] = mapped_column(Text)
    # The retrieval score the answer had, to relate helpfulness to confidence.
    score: Mapped[float | None] = mapped_column(Float)
    helpful: Mapped[bool] = mapped_column(Boolean)
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class Goal(Base):
    """A goal the host page reported through the widget (`SupportWidget.track("conversion")`)
    during a conversation: what conversion reports count."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    goal: Mapped[str] = mapped_column(String(64), index=True)
    page_url: Mapped[str | None] = mapped_column(String(2048))
    reached_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewInvitation(Base):
    """A promoter invited to leave a review through the counted link /r/review/{token}; the
    token is random, so a link cannot be guessed from a conversation id."""

    __tablename__ = "review_invitations"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(2))
    invited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ReviewClick(Base):
    """Every use of a review link is kept; reports count clicked conversations once."""

    __tablename__ = "review_clicks"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("review_invitations.id", ondelete="CASCADE"), index=True
    )
    clicked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KbArticle(Base):
    """A knowledge-base article as the studio keeps it: the published Markdown (what the bot,
    the help center and the sitemap serve while `state` is published) and a writer's unpublished
    draft. `version` goes up with every change, and a change names the version it was made
    from, so two writers never overwrite each other silently."""

    __tablename__ = "kb_articles"
    __table_args__ = (
        CheckConstraint("state IN ('draft', 'published', 'archived')", name="ck_kb_state"),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    lang: Mapped[str] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_text: Mapped[str | None] = mapped_column(Text)
    published_revision: Mapped[int | None] = mapped_column(Integer)
    draft_text: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))


class KbRevision(Base):
    """Every change of what is published (publish, restore, archive, import), with the whole
    text: the history a writer restores from. The newest id is the published set's
    generation, which every host compares with what it last indexed."""

    __tablename__ = "kb_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_kb_revision_number"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    # seed | import | publish | restore | archive | questions
    action: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(254))
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# The retention purge looks for old conversations not erased yet: a small partial index.
NOT_ERASED = text("erased_at IS NULL")
Index(
    "ix_conversations_updated_at_not_erased",
    Conversation.updated_at,
    sqlite_where=NOT_ERASED,
    postgresql_where=NOT_ERASED,
)


class PrivacyAudit(Base):
    """One export, erasure or retention purge of customers' data: who, when, what kind of
    selector and how much was touched, never the content (bridge.services.privacy)."""

    __tablename__ = "privacy_audit"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # An admin's email, "cli:<os user>" or "retention".
    actor: Mapped[str] = mapped_column(String(254))
    # export | erase | purge
    action: Mapped[str] = mapped_column(String(16))
    # conversation | visitor | email | retention
    selector: Mapped[str] = mapped_column(String(16))
    # HMAC-SHA256 of the selector's value under SECRET_KEY: who asked can be checked, not read.
    subject_hash: Mapped[str | None] = mapped_column(String(64))
    conversations: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    tracker_events: Mapped[int] = mapped_column(Integer, default=0)
