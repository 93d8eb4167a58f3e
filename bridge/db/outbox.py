"""SQL for the relay outbox (`messages.relay_due_at`): keyword-only functions; callers own the
transaction. A customer message to relay is stored with a due time a lease ahead; the process
relaying it clears it once the bot's replies are stored. When that process dies first, the
due time passes and any process may claim the message, with one conditional UPDATE, so
exactly one of them relays it again."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import Message


async def hold(*, session: AsyncSession, message_id: int, until: datetime) -> None:
    """The message waits for its relay; another process may take it over from `until` on."""
    await session.execute(
        update(Message).where(Message.id == message_id).values(relay_due_at=until)
    )


async def renew(
    *, session: AsyncSession, message_id: int, held_until: datetime, until: datetime
) -> bool:
    """Extend the caller's hold (`held_until`, as it set it) to `until`; False when the
    message is no longer the caller's: relayed already, or claimed by a sweep meanwhile
    because the caller waited past its lease (a long queue of turns)."""
    renewed = await session.execute(
        update(Message)
        .where(Message.id == message_id, Message.relay_due_at == held_until)
        .values(relay_due_at=until)
        .execution_options(synchronize_session=False)
    )
    return bool(renewed.rowcount == 1)  # type: ignore[attr-defined]


async def done(*, session: AsyncSession, message_id: int) -> None:
    await session.execute(update(Message).where(Message.id == message_id).values(relay_due_at=None))


async def done_through(*, session: AsyncSession, conversation_id: str, message_id: int) -> None:
    """The bot answered `message_id`: it and any earlier message of the conversation still
    waiting (kept after an apology) leave the outbox, so an old question is not answered
    after a newer one. (Ids grow with `seq` in a conversation: both are handed out under
    its row lock.)"""
    await session.execute(
        update(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.id <= message_id,
            Message.relay_due_at.is_not(None),
        )
        .values(relay_due_at=None)
        .execution_options(synchronize_session=False)
    )


async def claim_due(
    *, session: AsyncSession, now: datetime, until: datetime, limit: int, since: datetime
) -> list[Message]:
    """Messages whose relay is overdue, oldest conversation turn first, each now held by the
    caller until `until`; a message another process claimed meanwhile is left out. One
    stored before `since` is given up (taken out of the outbox, not returned): a late answer
    that old would no longer fit the chat."""
    await session.execute(
        update(Message)
        .where(Message.relay_due_at.is_not(None), Message.created_at < since)
        .values(relay_due_at=None)
        .execution_options(synchronize_session=False)
    )
    due = await session.scalars(
        select(Message)
        .where(Message.relay_due_at.is_not(None), Message.relay_due_at <= now)
        .order_by(Message.conversation_id, Message.seq)
        .limit(limit)
    )
    claimed = []
    for message in list(due):
        taken = await session.execute(
            update(Message)
            .where(Message.id == message.id, Message.relay_due_at <= now)
            .values(relay_due_at=until)
            # Not evaluated against the loaded rows: SQLite hands back naive datetimes.
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(message)
    return claimed
