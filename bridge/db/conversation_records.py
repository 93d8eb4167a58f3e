"""SQL of what the conversations view shows: a page's conversations with their topic, agents
and NPS answer, and one conversation's whole record (read-only). Keyword-only functions;
callers own the session."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import (
    AnswerFeedback,
    Conversation,
    Handoff,
    Message,
    NpsSurvey,
    User,
)


@dataclass(frozen=True)
class AgentName:
    id: int
    display_name: str


@dataclass(frozen=True)
class Summary:
    """One conversation as the list shows it."""

    conversation: Conversation
    message_count: int
    topic: str | None  # the customer's first message
    agents: tuple[AgentName, ...]  # who claimed its handoffs, first claim first
    handoffs: int
    nps_score: int | None  # the newest answered survey's
    nps_category: str | None


async def summaries(*, session: AsyncSession, conversation_ids: Sequence[str]) -> list[Summary]:
    """The conversations with what the list shows of them, in the order of the ids given."""
    ids = list(conversation_ids)
    if not ids:
        return []
    rows = {
        c.id: c for c in await session.scalars(select(Conversation).where(Conversation.id.in_(ids)))
    }
    counted = await session.execute(
        select(Message.conversation_id, func.count())
        .where(Message.conversation_id.in_(ids))
        .group_by(Message.conversation_id)
    )
    counts: dict[str, int] = {cid: n for cid, n in counted}
    first = (
        select(Message.conversation_id, func.min(Message.seq).label("seq"))
        .where(Message.conversation_id.in_(ids), Message.role == "customer")
        .group_by(Message.conversation_id)
        .subquery()
    )
    firsts = await session.execute(
        select(Message.conversation_id, Message.text).join(
            first,
            (Message.conversation_id == first.c.conversation_id) & (Message.seq == first.c.seq),
        )
    )
    topics: dict[str, str] = {cid: text for cid, text in firsts}
    agents: dict[str, list[AgentName]] = {}
    handoffs: dict[str, int] = {}
    claims = await session.execute(
        select(Handoff.conversation_id, User.id, User.display_name)
        .outerjoin(User, User.id == Handoff.claimed_by)
        .where(Handoff.conversation_id.in_(ids))
        .order_by(Handoff.claimed_at, Handoff.id)
    )
    for conversation_id, user_id, name in claims:
        handoffs[conversation_id] = handoffs.get(conversation_id, 0) + 1
        named = agents.setdefault(conversation_id, [])
        if user_id is not None and all(a.id != user_id for a in named):
            named.append(AgentName(user_id, name))
    nps: dict[str, tuple[int | None, str | None]] = {}
    answers = await session.execute(
        select(NpsSurvey.conversation_id, NpsSurvey.score, NpsSurvey.category)
        .where(NpsSurvey.conversation_id.in_(ids), NpsSurvey.status == "answered")
        .order_by(NpsSurvey.answered_at, NpsSurvey.id)
    )
    for conversation_id, score, category in answers:
        nps[conversation_id] = (score, category)  # the newest wins
    return [
        Summary(
            conversation=rows[cid],
            message_count=counts.get(cid, 0),
            topic=topics.get(cid) or None,
            agents=tuple(agents.get(cid, ())),
            handoffs=handoffs.get(cid, 0),
            nps_score=nps.get(cid, (None, None))[0],
            nps_category=nps.get(cid, (None, None))[1],
        )
        for cid in ids
        if cid in rows
    ]


async def agent_exists(*, session: AsyncSession, agent_id: int) -> bool:
    return await session.scalar(select(User.id).where(User.id == agent_id)) is not None


async def chat_staff(*, session: AsyncSession) -> list[AgentName]:
    """Everyone who can take chats (agents and admins), by name: the choices of the agent
    filter."""
    rows = await session.execute(
        select(User.id, User.display_name)
        .where(User.role.in_(("agent", "admin")))
        .order_by(User.display_name, User.id)
    )
    return [AgentName(user_id, name) for user_id, name in rows]


# --- one conversation's record ---------------------------------------------------------------


@dataclass(frozen=True)
class HandoffEntry:
    handoff: Handoff
    claimed_by: AgentName | None


async def handoff_history(*, session: AsyncSession, conversation_id: str) -> list[HandoffEntry]:
    """Every handoff of the conversation, oldest first, with who claimed it."""
    rows = await session.execute(
        select(Handoff, User.id, User.display_name)
        .outerjoin(User, User.id == Handoff.claimed_by)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.created_at, Handoff.id)
    )
    return [
        HandoffEntry(row, AgentName(user_id, name) if user_id is not None else None)
        for row, user_id, name in rows
    ]


async def surveys(*, session: AsyncSession, conversation_id: str) -> list[NpsSurvey]:
    rows = await session.scalars(
        select(NpsSurvey)
        .where(NpsSurvey.conversation_id == conversation_id)
        .order_by(NpsSurvey.asked_at, NpsSurvey.id)
    )
    return list(rows)


async def feedback(
    *, session: AsyncSession, conversation_id: str, limit: int
) -> list[AnswerFeedback]:
    rows = await session.scalars(
        select(AnswerFeedback)
        .where(AnswerFeedback.conversation_id == conversation_id)
        .order_by(AnswerFeedback.created_at, AnswerFeedback.id)
        .limit(limit)
    )
    return list(rows)
