"""SQL for what agents read besides chats: offline requests and private notes.

Keyword-only functions; callers own the transaction.
"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import ConversationNote, OfflineRequest


async def add_offline_request(
    *, session: AsyncSession, conversation_id: str, email: str, message: str, language: str
) -> OfflineRequest:
    row = OfflineRequest(
        conversation_id=conversation_id, email=email, message=message, language=language
    )
    session.add(row)
    await session.flush()
    return row


async def count_offline_requests(*, session: AsyncSession, conversation_id: str) -> int:
    found = await session.scalar(
        select(func.count())
        .select_from(OfflineRequest)
        .where(OfflineRequest.conversation_id == conversation_id)
    )
    return int(found or 0)


async def list_offline_requests(*, session: AsyncSession, limit: int) -> list[OfflineRequest]:
    rows = await session.scalars(
        select(OfflineRequest)
        .order_by(OfflineRequest.created_at.desc(), OfflineRequest.id.desc())
        .limit(limit)
    )
    return list(rows)


async def add_note(
    *, session: AsyncSession, conversation_id: str, author_id: int, author_name: str, text: str
) -> ConversationNote:
    note = ConversationNote(
        conversation_id=conversation_id, author_id=author_id, author_name=author_name, text=text
    )
    session.add(note)
    await session.flush()
    return note


async def list_notes(*, session: AsyncSession, conversation_id: str) -> list[ConversationNote]:
    rows = await session.scalars(
        select(ConversationNote)
        .where(ConversationNote.conversation_id == conversation_id)
        .order_by(ConversationNote.created_at, ConversationNote.id)
    )
    return list(rows)
