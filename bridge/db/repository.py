"""SQL for conversations and messages: keyword-only functions; callers own the transaction."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import Conversation, Message, UnansweredQuestion, utcnow


async def create_conversation(
    *, session: AsyncSession, language: str, visitor_id: str | None, page_url: str | None
) -> Conversation:
    conversation = Conversation(
        id=str(uuid.uuid4()), language=language, visitor_id=visitor_id, page_url=page_url
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def get_conversation(*, session: AsyncSession, conversation_id: str) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def get_status(*, session: AsyncSession, conversation_id: str) -> str | None:
    return await session.scalar(
        select(Conversation.status).where(Conversation.id == conversation_id)
    )


async def set_language(*, session: AsyncSession, conversation_id: str, language: str) -> None:
    await session.execute(
        update(Conversation).where(Conversation.id == conversation_id).values(language=language)
    )


@dataclass(frozen=True)
class BotContext:
    """What Rasa's slots say about a conversation (`told_*`, None: never set) and what they
    should say now."""

    told_language: str | None
    told_customer_name: str | None
    customer_name: str | None


async def bot_context(*, session: AsyncSession, conversation_id: str) -> BotContext:
    row = (
        await session.execute(
            select(
                Conversation.bot_language,
                Conversation.bot_customer_name,
                Conversation.customer_name,
            ).where(Conversation.id == conversation_id)
        )
    ).one()
    return BotContext(row[0], row[1], row[2])


async def set_bot_context(
    *, session: AsyncSession, conversation_id: str, language: str, customer_name: str | None
) -> None:
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(bot_language=language, bot_customer_name=customer_name)
    )


async def find_by_client_id(
    *, session: AsyncSession, conversation_id: str, client_id: str
) -> Message | None:
    return await session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_id == client_id
        )
    )


async def append_message(
    *,
    session: AsyncSession,
    conversation_id: str,
    role: str,
    text: str,
    payload: str | None = None,
    buttons: list[dict[str, Any]] | None = None,
    author: str | None = None,
    client_id: str | None = None,
) -> Message:
    """Store a message under the conversation's next sequence number.

    The counter is bumped with UPDATE ... RETURNING, which takes the row lock, so concurrent
    writers (two bridge instances on PostgreSQL) get distinct, gap-free numbers.
    """
    now = utcnow()
    seq = await session.scalar(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_seq=Conversation.last_seq + 1, updated_at=now)
        .returning(Conversation.last_seq)
    )
    if seq is None:
        raise LookupError(conversation_id)
    message = Message(
        conversation_id=conversation_id,
        seq=seq,
        role=role,
        text=text,
        payload=payload,
        buttons=buttons or None,
        author=author,
        client_id=client_id,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    return message


async def list_messages(
    *, session: AsyncSession, conversation_id: str, after: int, limit: int
) -> list[Message]:
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.seq > after)
        .order_by(Message.seq)
        .limit(limit)
    )
    return list(rows)


async def add_unanswered(
    *,
    session: AsyncSession,
    conversation_id: str | None,
    question: str,
    language: str,
    best_article_id: str | None,
    best_score: float | None,
) -> UnansweredQuestion:
    row = UnansweredQuestion(
        conversation_id=conversation_id,
        question=question,
        language=language,
        best_article_id=best_article_id,
        best_score=best_score,
    )
    session.add(row)
    await session.flush()
    return row


async def recent_unanswered(*, session: AsyncSession, limit: int) -> list[UnansweredQuestion]:
    rows = await session.scalars(
        select(UnansweredQuestion)
        .order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc())
        .limit(limit)
    )
    return list(rows)
