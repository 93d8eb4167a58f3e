"""What the reports count: NPS surveys, answer feedback, goals, review links and referrals."""

from datetime import datetime
from typing import Final, Literal, get_args

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db.models.base import Base, BigIntId, utcnow


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


ReferralSource = Literal["friend_family", "search", "social", "review_site", "advert", "other"]
REFERRAL_SOURCES: Final = get_args(ReferralSource)


class ReferralAnswer(Base):
    """ "How did you hear about us?", asked once per customer (bridge.services.referrals).

    `subject` is who was asked: `customer:<id>` for an identified customer, else
    `visitor:<id>` (or `conversation:<id>` without a visitor id); unique, so two turns racing
    to ask the same person store one question. `source` stays None until answered; `skipped`
    is an answer too (the customer chose not to say), and `detail` keeps what they typed
    (masked, at most 200 characters) for "other" and typed answers.
    """

    __tablename__ = "referral_answers"
    __table_args__ = (
        CheckConstraint(
            "source IS NULL OR source IN ("
            + ", ".join(f"'{s}'" for s in (*REFERRAL_SOURCES, "skipped"))
            + ")",
            name="ck_referral_source",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(140), unique=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(2))
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(200))
