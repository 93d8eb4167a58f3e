"""SQL for answer feedback ("was this helpful?"): keyword-only functions; callers own the
transaction."""

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import AnswerFeedback, Conversation


class UnknownConversation(LookupError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no conversation {conversation_id}")
        self.conversation_id = conversation_id


async def add_feedback(
    *,
    session: AsyncSession,
    conversation_id: str | None,
    article_id: str,
    helpful: bool,
    language: str,
    source: str = "bot",
    chunk_id: str | None = None,
    query: str | None = None,
    score: float | None = None,
) -> AnswerFeedback:
    """Store one rating: of an answer in a conversation (`source` bot), or of an article page
    (`help_center`, no conversation); raises `UnknownConversation`."""
    if conversation_id is not None and await session.get(Conversation, conversation_id) is None:
        raise UnknownConversation(conversation_id)
    row = AnswerFeedback(
        conversation_id=conversation_id,
        source=source,
        article_id=article_id,
        chunk_id=chunk_id,
        query=query,
        score=score,
        helpful=helpful,
        language=language,
    )
    session.add(row)
    await session.flush()
    return row


async def list_feedback(
    *, session: AsyncSession, conversation_id: str | None = None, limit: int = 100
) -> list[AnswerFeedback]:
    """The newest ratings first, of one conversation or of all."""
    query = select(AnswerFeedback)
    if conversation_id is not None:
        query = query.where(AnswerFeedback.conversation_id == conversation_id)
    rows = await session.scalars(
        query.order_by(AnswerFeedback.created_at.desc(), AnswerFeedback.id.desc()).limit(limit)
    )
    return list(rows)


async def votes_by_article(
    *,
    session: AsyncSession,
    since: datetime,
    until: datetime | None = None,
    language: str | None = None,
) -> dict[str, tuple[int, int]]:
    """(helpful, not helpful) per article from `since` (to before `until`), chat answers and
    help-center pages alike, by article id."""
    where = [AnswerFeedback.created_at >= since]
    if until is not None:
        where.append(AnswerFeedback.created_at < until)
    if language is not None:
        where.append(AnswerFeedback.language == language)
    helpful = func.sum(case((AnswerFeedback.helpful, 1), else_=0))
    unhelpful = func.sum(case((AnswerFeedback.helpful, 0), else_=1))
    rows = await session.execute(
        select(AnswerFeedback.article_id, helpful, unhelpful)
        .where(*where)
        .group_by(AnswerFeedback.article_id)
    )
    return {article_id: (int(yes), int(no)) for article_id, yes, no in rows.all()}
