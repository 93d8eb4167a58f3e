"""SQL of the agent report: what agents did with handoffs over a period. Keyword-only
functions; callers own the transaction. Times are as the database gives them back (naive UTC
on SQLite). Every query is bounded by the period: one row per handoff or transfer of it at
most (a few per cent of the conversations), or one per agent.

`language` filters on the conversation's language throughout.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bridge.db.models import Conversation, Handoff, HandoffTransfer, Message, NpsSurvey, User

CHAT_ROLES = ("agent", "admin")  # the roles that take chats (bridge.api.staff_deps)
# The transfers that moved a chat: to a colleague who took it, or back to the queue.
MOVED = ("accepted", "queued")


@dataclass(frozen=True)
class HandoffTimes:
    id: int
    status: str
    claimed_by: int | None  # who holds it now, or last held it
    claimed_at: datetime | None  # when it was (last) taken from the queue
    ended_at: datetime | None
    first_reply: datetime | None  # the conversation's first agent message from claimed_at on


@dataclass(frozen=True)
class TransferTimes:
    handoff_id: int
    status: str  # accepted | queued
    from_agent_id: int | None
    to_agent_id: int | None
    at: datetime  # when the chat changed hands
    first_reply: datetime | None  # the conversation's first agent message from `at` on


@dataclass(frozen=True)
class ClaimRows:
    handoffs: list[HandoffTimes]
    transfers: list[TransferTimes]  # of those handoffs, accepted or queued, any time


def _first_agent_message(conversation_id: Any, since: Any) -> Any:
    return (
        select(func.min(Message.created_at))
        .where(
            Message.conversation_id == conversation_id,
            Message.role == "agent",
            Message.created_at >= since,
        )
        .scalar_subquery()
    )


def _in_language(conversation_id: Any, language: str | None) -> list[ColumnElement[bool]]:
    """The filter on the conversation's language, if one is asked for."""
    if language is None:
        return []
    same = select(Conversation.id).where(
        Conversation.id == conversation_id, Conversation.language == language
    )
    return [same.exists()]


def _during(column: Any, since: datetime, until: datetime) -> Any:
    return and_(column >= since, column < until)


async def claim_rows(
    *, session: AsyncSession, since: datetime, until: datetime, language: str | None
) -> ClaimRows:
    """The handoffs an agent took in the period, from the queue (`claimed_at`) or by accepting
    a transfer, with all the transfers that moved them."""
    taken_over = select(HandoffTransfer.handoff_id).where(
        HandoffTransfer.status == "accepted", _during(HandoffTransfer.decided_at, since, until)
    )
    scope = select(Handoff.id).where(
        or_(_during(Handoff.claimed_at, since, until), Handoff.id.in_(taken_over)),
        *_in_language(Handoff.conversation_id, language),
    )
    handoffs = await session.execute(
        select(
            Handoff.id,
            Handoff.status,
            Handoff.claimed_by,
            Handoff.claimed_at,
            Handoff.ended_at,
            _first_agent_message(Handoff.conversation_id, Handoff.claimed_at),
        ).where(Handoff.id.in_(scope))
    )
    moved_at = func.coalesce(HandoffTransfer.decided_at, HandoffTransfer.created_at)
    transfers = await session.execute(
        select(
            HandoffTransfer.handoff_id,
            HandoffTransfer.status,
            HandoffTransfer.from_agent_id,
            HandoffTransfer.to_agent_id,
            moved_at,
            _first_agent_message(HandoffTransfer.conversation_id, moved_at),
        ).where(HandoffTransfer.handoff_id.in_(scope), HandoffTransfer.status.in_(MOVED))
    )
    return ClaimRows(
        [HandoffTimes(*row) for row in handoffs.all()],
        [TransferTimes(*row) for row in transfers.all()],
    )


async def endings(
    *, session: AsyncSession, since: datetime, until: datetime, language: str | None
) -> dict[tuple[int, str], int]:
    """(agent, `closed` or `returned`) -> how many handoffs that agent ended so in the period."""
    query = (
        select(Handoff.claimed_by, Handoff.status, func.count())
        .where(
            Handoff.status.in_(("closed", "returned")),
            Handoff.claimed_by.is_not(None),
            _during(Handoff.ended_at, since, until),
            *_in_language(Handoff.conversation_id, language),
        )
        .group_by(Handoff.claimed_by, Handoff.status)
    )
    rows = await session.execute(query)
    # The queries exclude NULL agents and scores; the tests on None are for the type checker.
    return {(agent, status): count for agent, status, count in rows.all() if agent is not None}


async def closed_chat_scores(
    *, session: AsyncSession, since: datetime, until: datetime, language: str | None
) -> dict[int, dict[int, int]]:
    """agent -> score -> count: the answers to the NPS survey asked after an agent, on the
    chats each agent closed in the period. A survey belongs to its conversation's handoff
    closed last before it was asked."""
    later = aliased(Handoff, name="later")
    # Redundant with the join, but it makes SQLite (no planner statistics) start from the few
    # closed handoffs instead of scanning every survey: 6x faster over a year of the bench data.
    closing = aliased(Handoff, name="closing")  # an alias: no correlation with the outer query
    closed_conversations = select(closing.conversation_id).where(
        closing.status == "closed", _during(closing.ended_at, since, until)
    )
    closed_since = (
        select(later.id)
        .where(
            later.conversation_id == Handoff.conversation_id,
            later.status == "closed",
            later.ended_at > Handoff.ended_at,
            later.ended_at <= NpsSurvey.asked_at,
        )
        .exists()
    )
    query = (
        select(Handoff.claimed_by, NpsSurvey.score, func.count())
        .join(NpsSurvey, NpsSurvey.conversation_id == Handoff.conversation_id)
        .where(
            Handoff.status == "closed",
            Handoff.claimed_by.is_not(None),
            _during(Handoff.ended_at, since, until),
            NpsSurvey.conversation_id.in_(closed_conversations),
            NpsSurvey.trigger == "after_agent",
            NpsSurvey.status == "answered",
            NpsSurvey.score.is_not(None),
            NpsSurvey.asked_at >= Handoff.ended_at,
            ~closed_since,
            *_in_language(Handoff.conversation_id, language),
        )
        .group_by(Handoff.claimed_by, NpsSurvey.score)
    )
    scores: dict[int, dict[int, int]] = {}
    for agent, score, count in (await session.execute(query)).all():
        if agent is not None and score is not None:
            scores.setdefault(agent, {})[score] = count
    return scores


async def transfer_counts(
    *, session: AsyncSession, since: datetime, until: datetime, language: str | None
) -> tuple[dict[int, int], dict[int, int]]:
    """Transfers that moved a chat in the period: per sender (to a colleague who accepted, or
    to the queue), and per receiver (accepted)."""
    moved_at = func.coalesce(HandoffTransfer.decided_at, HandoffTransfer.created_at)
    in_language = _in_language(HandoffTransfer.conversation_id, language)
    given = (
        select(HandoffTransfer.from_agent_id, func.count())
        .where(
            HandoffTransfer.status.in_(MOVED),
            HandoffTransfer.from_agent_id.is_not(None),
            _during(moved_at, since, until),
            *in_language,
        )
        .group_by(HandoffTransfer.from_agent_id)
    )
    received = (
        select(HandoffTransfer.to_agent_id, func.count())
        .where(
            HandoffTransfer.status == "accepted",
            HandoffTransfer.to_agent_id.is_not(None),
            _during(moved_at, since, until),
            *in_language,
        )
        .group_by(HandoffTransfer.to_agent_id)
    )
    gave = {a: n for a, n in (await session.execute(given)).all() if a is not None}
    got = {a: n for a, n in (await session.execute(received)).all() if a is not None}
    return gave, got


async def staff(*, session: AsyncSession, also: set[int]) -> dict[int, str]:
    """id -> display name of everyone who takes chats (enabled, agent or admin), and of the
    users in `also` whatever their account is now (they did something in the period)."""
    rows = await session.execute(
        select(User.id, User.display_name).where(
            or_(
                and_(User.role.in_(CHAT_ROLES), User.disabled.is_(False)),
                User.id.in_(sorted(also)),
            )
        )
    )
    return {int(user_id): name for user_id, name in rows.all()}
