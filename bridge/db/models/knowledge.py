"""The knowledge base as the studio keeps it, and the questions it could not answer."""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db.models.base import Base, BigIntId, utcnow


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
