"""SQL of queue hygiene: waiting customers who left the page (and came back), the handoffs of
those gone too long ended as `missed`, and the missed chats agents follow up.

Keyword-only functions; callers own the transaction. Every change is one conditional UPDATE on
the handoff's current state, as in bridge.db.handoffs (and in its lock order: the handoff
before its conversation), so a claim and the sweep at the same moment have one winner.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import Conversation, Handoff, Message, OfflineRequest

# Customer lines searched for a typed email address, per missed chat listed (newest first).
TYPED_LINES_PER_CHAT = 20


@dataclass(frozen=True)
class WaitingMark:
    handoff_id: int
    conversation_id: str
    customer_left_at: datetime | None


@dataclass(frozen=True)
class DueHandoff:
    handoff_id: int
    conversation_id: str
    language: str


async def waiting_handoff(*, session: AsyncSession, conversation_id: str) -> int | None:
    """The conversation's waiting handoff: a read, so that the sockets of conversations that
    wait for nobody (nearly all) cost no write."""
    return await session.scalar(
        select(Handoff.id).where(
            Handoff.conversation_id == conversation_id, Handoff.status == "waiting"
        )
    )


async def mark_left(*, session: AsyncSession, handoff_id: int, at: datetime) -> bool:
    """Note that the waiting customer left at `at`; False when not waiting or marked already
    (the earlier mark stands: they have been gone since then)."""
    marked = await session.scalar(
        update(Handoff)
        .where(
            Handoff.id == handoff_id,
            Handoff.status == "waiting",
            Handoff.customer_left_at.is_(None),
        )
        .values(customer_left_at=at)
        .returning(Handoff.id)
    )
    return marked is not None


async def mark_back(*, session: AsyncSession, handoff_id: int) -> bool:
    """The customer is on the page again: they keep their place. False when there was no mark
    to clear (or the handoff no longer waits)."""
    cleared = await session.scalar(
        update(Handoff)
        .where(
            Handoff.id == handoff_id,
            Handoff.status == "waiting",
            Handoff.customer_left_at.is_not(None),
        )
        .values(customer_left_at=None)
        .returning(Handoff.id)
    )
    return cleared is not None


async def waiting_marks(*, session: AsyncSession) -> list[WaitingMark]:
    """Every waiting handoff with its mark, for the sweeper to compare with who is there."""
    rows = await session.execute(
        select(Handoff.id, Handoff.conversation_id, Handoff.customer_left_at).where(
            Handoff.status == "waiting"
        )
    )
    return [WaitingMark(*row) for row in rows]


async def due(*, session: AsyncSession, left_before: datetime) -> list[DueHandoff]:
    """Waiting handoffs whose customer left before `left_before`, longest gone first."""
    rows = await session.execute(
        select(Handoff.id, Handoff.conversation_id, Conversation.language)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(Handoff.status == "waiting", Handoff.customer_left_at < left_before)
        .order_by(Handoff.customer_left_at, Handoff.id)
    )
    return [DueHandoff(*row) for row in rows]


async def miss(
    *, session: AsyncSession, handoff_id: int, left_before: datetime, now: datetime
) -> Handoff | None:
    """End a waiting handoff whose customer left before `left_before` as `missed`, and give
    its conversation back to the bot; None when it was claimed, ended, or the customer came
    back meanwhile (the UPDATE's condition is the whole race)."""
    row = await session.scalar(
        update(Handoff)
        .where(
            Handoff.id == handoff_id,
            Handoff.status == "waiting",
            Handoff.customer_left_at < left_before,
        )
        .values(status="missed", ended_at=now)
        .returning(Handoff)
        .execution_options(populate_existing=True)
    )
    if row is None:
        return None
    await session.execute(
        update(Conversation)
        .where(Conversation.id == row.conversation_id, Conversation.status == "waiting_for_agent")
        .values(status="bot", updated_at=now)
    )
    return row


# --- the missed chats agents follow up ---------------------------------------------------------


@dataclass(frozen=True)
class MissedRow:
    handoff: Handoff
    language: str  # the conversation's


async def open_missed(*, session: AsyncSession, limit: int) -> list[MissedRow]:
    """Missed chats nobody has marked handled, newest first; erased conversations are left
    out (nothing is left to follow up)."""
    rows = await session.execute(
        select(Handoff, Conversation.language)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(
            Handoff.status == "missed",
            Handoff.handled_at.is_(None),
            Conversation.erased_at.is_(None),
        )
        .order_by(Handoff.ended_at.desc(), Handoff.id.desc())
        .limit(limit)
    )
    return [MissedRow(handoff, language) for handoff, language in rows]


async def offline_emails(*, session: AsyncSession, conversation_ids: list[str]) -> dict[str, str]:
    """The newest address each conversation left a message with."""
    rows = await session.execute(
        select(OfflineRequest.conversation_id, OfflineRequest.email)
        .where(OfflineRequest.conversation_id.in_(conversation_ids))
        .order_by(OfflineRequest.created_at, OfflineRequest.id)
    )
    return {conversation_id: email for conversation_id, email in rows}  # the newest wins


async def lines_with_at(
    *, session: AsyncSession, conversation_id: str, limit: int = TYPED_LINES_PER_CHAT
) -> list[str]:
    """The customer's newest lines in the conversation that hold an "@", newest first: where
    an address they typed would be."""
    rows = await session.scalars(
        select(Message.text)
        .where(
            Message.conversation_id == conversation_id,
            Message.role == "customer",
            Message.text.contains("@", autoescape=True),
        )
        .order_by(Message.seq.desc())
        .limit(limit)
    )
    return list(rows)


async def mark_handled(
    *, session: AsyncSession, handoff_id: int, agent_id: int, at: datetime
) -> Handoff | None:
    """Mark a missed chat followed up; None when it is not a missed chat or already handled
    (two agents at once: one wins)."""
    return await session.scalar(
        update(Handoff)
        .where(
            Handoff.id == handoff_id,
            Handoff.status == "missed",
            Handoff.handled_at.is_(None),
        )
        .values(handled_at=at, handled_by=agent_id)
        .returning(Handoff)
        .execution_options(populate_existing=True)
    )
