"""SQL for handoffs to human agents: keyword-only functions; callers own the transaction.

A handoff is `waiting` in the queue, then `claimed` by one agent, then ends as `returned` (to
the bot), `closed`, `cancelled` (the customer stopped waiting) or `missed` (the customer left
the page and did not come back in time: bridge.db.queue_hygiene); `requeue` puts a claimed
one back. Its conversation's status moves with it: waiting → `waiting_for_agent`, claimed →
`with_agent`, returned, cancelled or missed → `bot`, closed → `closed`.

Every change of a handoff is one conditional UPDATE on its current state, so two agents acting
at once cannot both succeed: the database serialises them and the loser's UPDATE matches no
row. Only then is the row read again, to say why (`HandoffTaken`, `NotYourHandoff`, ...).
Handoffs are always updated before their conversation, the one lock order for every function.
"""

from datetime import datetime
from typing import Any, Final, Literal, get_args

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import Conversation, Handoff, utcnow

# nps_follow_up: a detractor accepted the offer of a person after the NPS survey.
Reason = Literal["customer_request", "no_answer", "not_helpful", "bot_failed", "nps_follow_up"]
REASONS: Final = get_args(Reason)
ACTIVE: Final = ("waiting", "claimed")


class HandoffError(Exception):
    """A handoff operation was refused; nothing was changed."""


class UnknownConversation(HandoffError, LookupError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no conversation {conversation_id}")
        self.conversation_id = conversation_id


class ConversationClosed(HandoffError):
    """A closed conversation cannot be handed off again."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"conversation {conversation_id} is closed")
        self.conversation_id = conversation_id


class UnknownHandoff(HandoffError, LookupError):
    def __init__(self, handoff_id: int) -> None:
        super().__init__(f"no handoff {handoff_id}")
        self.handoff_id = handoff_id


class HandoffNotActive(HandoffError):
    """The handoff is not in a state that allows this (already ended, or not claimed)."""

    def __init__(self, handoff_id: int, status: str) -> None:
        super().__init__(f"handoff {handoff_id} is {status}")
        self.handoff_id = handoff_id
        self.status = status


class HandoffTaken(HandoffError):
    """Another agent claimed the handoff first."""

    def __init__(self, handoff_id: int, claimed_by: int | None) -> None:
        super().__init__(f"handoff {handoff_id} was already claimed")
        self.handoff_id = handoff_id
        self.claimed_by = claimed_by


class NotYourHandoff(HandoffError):
    """The handoff is claimed by another agent."""

    def __init__(self, handoff_id: int) -> None:
        super().__init__(f"handoff {handoff_id} is claimed by another agent")
        self.handoff_id = handoff_id


async def open_handoff(
    *, session: AsyncSession, conversation_id: str, reason: str, context: dict[str, Any]
) -> Handoff:
    """Queue the conversation for an agent, or return its active handoff (the action retries).

    Raises `UnknownConversation`, `ConversationClosed`, or `ValueError` for an unknown reason.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    # Write to the conversation first: that takes its row lock (SQLite: the write lock), so two
    # concurrent calls for one conversation queue here and the second finds the first's row.
    found = await session.scalar(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(updated_at=utcnow())
        .returning(Conversation.status)
    )
    if found is None:
        raise UnknownConversation(conversation_id)
    if found == "closed":
        raise ConversationClosed(conversation_id)
    active = await session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == conversation_id, Handoff.status.in_(ACTIVE)
        )
    )
    if active is not None:
        return active
    handoff = Handoff(
        conversation_id=conversation_id, status="waiting", reason=reason, context=context
    )
    session.add(handoff)
    await _set_conversation_status(session, conversation_id, "waiting_for_agent")
    await session.flush()
    return handoff


async def get_handoff(*, session: AsyncSession, handoff_id: int) -> Handoff | None:
    # populate_existing: after a lost race the session may hold the row as it was before.
    return await session.get(Handoff, handoff_id, populate_existing=True)


async def queue(*, session: AsyncSession) -> list[Handoff]:
    """Waiting handoffs, longest-waiting first (a requeued one keeps its original place)."""
    rows = await session.scalars(
        select(Handoff).where(Handoff.status == "waiting").order_by(*_QUEUE_ORDER)
    )
    return list(rows)


async def active(*, session: AsyncSession) -> list[Handoff]:
    """Waiting and claimed handoffs, in queue order."""
    rows = await session.scalars(
        select(Handoff).where(Handoff.status.in_(ACTIVE)).order_by(*_QUEUE_ORDER)
    )
    return list(rows)


async def active_id(*, session: AsyncSession, conversation_id: str) -> int | None:
    """The conversation's waiting or claimed handoff, if it has one."""
    return await session.scalar(
        select(Handoff.id).where(
            Handoff.conversation_id == conversation_id, Handoff.status.in_(ACTIVE)
        )
    )


async def latest_id(*, session: AsyncSession, conversation_id: str) -> int | None:
    """The conversation's newest handoff, whatever its state."""
    return await session.scalar(
        select(Handoff.id)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(1)
    )


async def claimed_by(*, session: AsyncSession, agent_id: int) -> list[int]:
    """The handoffs this agent holds now."""
    rows = await session.scalars(
        select(Handoff.id).where(Handoff.status == "claimed", Handoff.claimed_by == agent_id)
    )
    return list(rows)


async def holder(*, session: AsyncSession, conversation_id: str) -> int | None:
    """The agent who holds the conversation now, if one does."""
    return await session.scalar(
        select(Handoff.claimed_by).where(
            Handoff.conversation_id == conversation_id, Handoff.status == "claimed"
        )
    )


async def position(*, session: AsyncSession, handoff_id: int) -> int:
    """1-based place of a waiting handoff in the queue, counting only the customers ahead who
    are still on the page (`customer_left_at` NULL); raises `UnknownHandoff` or
    `HandoffNotActive` (claimed or ended: it is in no queue)."""
    handoff = await _require(session, handoff_id)
    if handoff.status != "waiting":
        raise HandoffNotActive(handoff_id, handoff.status)
    ahead = await session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(
            Handoff.status == "waiting",
            Handoff.customer_left_at.is_(None),
            _before(handoff.created_at, handoff.id),
        )
    )
    return int(ahead or 0) + 1


async def claim(*, session: AsyncSession, handoff_id: int, agent_id: int) -> Handoff:
    """Give a waiting handoff to this agent; of agents claiming at once, exactly one wins.

    Raises `HandoffTaken` when another agent has it, `HandoffNotActive` when it has ended,
    `UnknownHandoff`.
    """
    handoff = await _transition(
        session,
        handoff_id,
        allowed=Handoff.status == "waiting",
        values={"status": "claimed", "claimed_by": agent_id, "claimed_at": utcnow()},
    )
    if handoff is None:
        current = await _require(session, handoff_id)
        if current.status == "claimed":
            raise HandoffTaken(handoff_id, current.claimed_by)
        raise HandoffNotActive(handoff_id, current.status)
    await _set_conversation_status(session, handoff.conversation_id, "with_agent")
    return handoff


async def hand_back(*, session: AsyncSession, handoff_id: int, agent_id: int) -> Handoff:
    """The claiming agent returns the conversation to the bot.

    Raises `NotYourHandoff`, `HandoffNotActive` (not claimed), `UnknownHandoff`.
    """
    handoff = await _transition(
        session,
        handoff_id,
        allowed=and_(Handoff.status == "claimed", Handoff.claimed_by == agent_id),
        values={"status": "returned", "ended_at": utcnow()},
    )
    if handoff is None:
        raise await _refusal(session, handoff_id)
    await _set_conversation_status(session, handoff.conversation_id, "bot")
    return handoff


async def close(*, session: AsyncSession, handoff_id: int, agent_id: int) -> Handoff:
    """End the handoff and its conversation.

    A claimed handoff only by its agent; a waiting one by any agent, so that the queue can be
    cleared of customers who left (nobody else would ever close those). Raises
    `NotYourHandoff`, `HandoffNotActive` (already ended), `UnknownHandoff`.
    """
    handoff = await _transition(
        session,
        handoff_id,
        allowed=or_(
            Handoff.status == "waiting",
            and_(Handoff.status == "claimed", Handoff.claimed_by == agent_id),
        ),
        values={"status": "closed", "ended_at": utcnow()},
    )
    if handoff is None:
        raise await _refusal(session, handoff_id)
    await _set_conversation_status(session, handoff.conversation_id, "closed")
    return handoff


async def reopen_for_bot(*, session: AsyncSession, conversation_id: str) -> bool:
    """Give a closed conversation back to the bot (for the NPS survey after an agent closed
    it); False when it is no longer closed."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == "closed")
        .values(status="bot", updated_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


async def requeue(
    *, session: AsyncSession, handoff_id: int, agent_id: int | None = None
) -> Handoff:
    """Put a claimed handoff back in the queue (its agent dropped off), at its old place;
    with `agent_id`, only while that agent holds it (a chat transferred away meanwhile stays
    with the colleague who took it).

    Raises `HandoffNotActive` (not claimed), `NotYourHandoff`, `UnknownHandoff`.
    """
    allowed = Handoff.status == "claimed"
    if agent_id is not None:
        allowed = and_(allowed, Handoff.claimed_by == agent_id)
    handoff = await _transition(
        session,
        handoff_id,
        allowed=allowed,
        values={"status": "waiting", "claimed_by": None, "claimed_at": None},
    )
    if handoff is None:
        raise await _refusal(session, handoff_id)
    await _set_conversation_status(session, handoff.conversation_id, "waiting_for_agent")
    return handoff


async def cancel(*, session: AsyncSession, handoff_id: int) -> Handoff:
    """The customer no longer waits (they said never mind): back to the bot.

    Raises `HandoffNotActive` (not waiting), `UnknownHandoff`.
    """
    handoff = await _transition(
        session,
        handoff_id,
        allowed=Handoff.status == "waiting",
        values={"status": "cancelled", "ended_at": utcnow()},
    )
    if handoff is None:
        current = await _require(session, handoff_id)
        raise HandoffNotActive(handoff_id, current.status)
    await _set_conversation_status(session, handoff.conversation_id, "bot")
    return handoff


_QUEUE_ORDER = (Handoff.created_at, Handoff.id)


def _before(created_at: datetime, handoff_id: int) -> ColumnElement[bool]:
    return or_(
        Handoff.created_at < created_at,
        and_(Handoff.created_at == created_at, Handoff.id < handoff_id),
    )


async def _transition(
    session: AsyncSession, handoff_id: int, *, allowed: ColumnElement[bool], values: dict[str, Any]
) -> Handoff | None:
    """The one conditional UPDATE; None when the handoff is not (or no longer) `allowed`."""
    return await session.scalar(
        update(Handoff)
        .where(Handoff.id == handoff_id, allowed)
        .values(**values)
        .returning(Handoff)
        .execution_options(populate_existing=True)
    )


async def _require(session: AsyncSession, handoff_id: int) -> Handoff:
    handoff = await get_handoff(session=session, handoff_id=handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    return handoff


async def _refusal(session: AsyncSession, handoff_id: int) -> HandoffError:
    """Why an agent's hand-back or close matched no row."""
    current = await _require(session, handoff_id)
    if current.status == "claimed":
        return NotYourHandoff(handoff_id)
    return HandoffNotActive(handoff_id, current.status)


async def _set_conversation_status(
    session: AsyncSession, conversation_id: str, status: str
) -> None:
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(status=status, updated_at=utcnow())
    )
