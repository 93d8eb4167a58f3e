"""SQL of a returning customer's history: the earlier conversations of the same widget visitor
(`conversations.visitor_id`) or of the same identified shop customer (`customer_id`, from any
browser: bridge.services.identity). Keyword-only functions; callers own the transaction.

An *earlier chat* of a conversation is another conversation of the same visitor, started no
later than it, whose personal data has not been erased and in which the customer said
something (a widget opened and left without a word is no chat). An erasure clears the
visitor id too, so erased conversations could not be linked anyway; the `erased_at` test keeps
a half-finished purge from showing one.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bridge.db.models import Conversation, Handoff, Message, NpsSurvey, OfflineRequest, User


@dataclass(frozen=True)
class Anchor:
    """The conversation whose history is asked for."""

    visitor_id: str | None
    created_at: datetime
    customer_id: str | None = None


@dataclass(frozen=True)
class EarlierRow:
    id: str
    created_at: datetime
    language: str
    status: str


@dataclass(frozen=True)
class LastHandoff:
    status: str
    agent: str | None  # display name of who claimed it; None when nobody did (or was deleted)
    last_question: str | None


def _customer_spoke(conversation: Any) -> ColumnElement[bool]:
    return (
        select(Message.id)
        .where(Message.conversation_id == conversation.id, Message.role == "customer")
        .exists()
    )


def _earlier_than(earlier: Any, current: Any) -> ColumnElement[bool]:
    """`earlier` is an earlier chat of `current` (see the module docstring)."""
    return and_(
        or_(
            earlier.visitor_id == current.visitor_id,
            and_(current.customer_id.is_not(None), earlier.customer_id == current.customer_id),
        ),
        earlier.id != current.id,
        earlier.created_at <= current.created_at,
        earlier.erased_at.is_(None),
        _customer_spoke(earlier),
    )


async def anchor(*, session: AsyncSession, conversation_id: str) -> Anchor | None:
    row = (
        await session.execute(
            select(
                Conversation.visitor_id, Conversation.created_at, Conversation.customer_id
            ).where(Conversation.id == conversation_id)
        )
    ).first()
    return None if row is None else Anchor(row[0], row[1], row[2])


def _of_visitor(
    visitor_id: str | None, customer_id: str | None, created_at: datetime, exclude: str
) -> list[ColumnElement[bool]]:
    same = [Conversation.visitor_id == visitor_id] if visitor_id is not None else []
    if customer_id is not None:
        same.append(Conversation.customer_id == customer_id)
    return [
        or_(*same),
        Conversation.id != exclude,
        Conversation.created_at <= created_at,
        Conversation.erased_at.is_(None),
        _customer_spoke(Conversation),
    ]


async def earlier_conversations(
    *,
    session: AsyncSession,
    visitor_id: str | None,
    created_at: datetime,
    exclude: str,
    limit: int,
    customer_id: str | None = None,
) -> list[EarlierRow]:
    """The newest `limit` earlier chats, newest first; at least one of the ids is set."""
    rows = await session.execute(
        select(Conversation.id, Conversation.created_at, Conversation.language, Conversation.status)
        .where(*_of_visitor(visitor_id, customer_id, created_at, exclude))
        .order_by(Conversation.created_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return [EarlierRow(*row) for row in rows.all()]


async def first_customer_messages(
    *, session: AsyncSession, conversation_ids: list[str]
) -> dict[str, str]:
    """Each conversation's first customer message (by sequence number)."""
    if not conversation_ids:
        return {}
    first = (
        select(Message.conversation_id, func.min(Message.seq).label("seq"))
        .where(Message.conversation_id.in_(conversation_ids), Message.role == "customer")
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = await session.execute(
        select(Message.conversation_id, Message.text).join(
            first,
            and_(Message.conversation_id == first.c.conversation_id, Message.seq == first.c.seq),
        )
    )
    return {conversation_id: text for conversation_id, text in rows.all()}


async def last_handoffs(
    *, session: AsyncSession, conversation_ids: list[str]
) -> dict[str, LastHandoff]:
    """Each conversation's newest handoff, with the name of the agent who had claimed it."""
    if not conversation_ids:
        return {}
    rows = await session.execute(
        select(Handoff.conversation_id, Handoff.status, User.display_name, Handoff.context)
        .outerjoin(User, User.id == Handoff.claimed_by)
        .where(Handoff.conversation_id.in_(conversation_ids))
        .order_by(Handoff.created_at, Handoff.id)
    )
    newest: dict[str, LastHandoff] = {}
    for conversation_id, status, agent, context in rows.all():  # oldest first: the last wins
        question = (context or {}).get("last_question")
        newest[conversation_id] = LastHandoff(
            status, agent, question if isinstance(question, str) else None
        )
    return newest


async def with_offline_requests(*, session: AsyncSession, conversation_ids: list[str]) -> set[str]:
    if not conversation_ids:
        return set()
    rows = await session.scalars(
        select(OfflineRequest.conversation_id)
        .where(OfflineRequest.conversation_id.in_(conversation_ids))
        .distinct()
    )
    return set(rows)


async def last_scores(*, session: AsyncSession, conversation_ids: list[str]) -> dict[str, int]:
    """Each conversation's newest NPS answer."""
    if not conversation_ids:
        return {}
    rows = await session.execute(
        select(NpsSurvey.conversation_id, NpsSurvey.score)
        .where(
            NpsSurvey.conversation_id.in_(conversation_ids),
            NpsSurvey.status == "answered",
            NpsSurvey.score.is_not(None),
        )
        .order_by(NpsSurvey.answered_at, NpsSurvey.id)
    )
    return {cid: int(score) for cid, score in rows.all() if score is not None}


async def returning_counts(
    *, session: AsyncSession, conversation_ids: list[str]
) -> dict[str, tuple[int, int | None]]:
    """For many conversations at once (a queue snapshot), in one grouped query: how many
    earlier chats each has and the newest NPS answer given in them. Conversations with no
    earlier chat are left out."""
    if not conversation_ids:
        return {}
    current = aliased(Conversation, name="current")
    earlier = aliased(Conversation, name="earlier")
    answered = aliased(Conversation, name="answered")
    last_score = (
        select(NpsSurvey.score)
        .join(answered, answered.id == NpsSurvey.conversation_id)
        .where(
            _earlier_than(answered, current),
            NpsSurvey.status == "answered",
            NpsSurvey.score.is_not(None),
        )
        .order_by(NpsSurvey.answered_at.desc(), NpsSurvey.id.desc())
        .limit(1)
        .correlate(current)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(current.id, func.count(earlier.id), last_score)
        .join(earlier, _earlier_than(earlier, current))
        .where(
            current.id.in_(conversation_ids),
            or_(current.visitor_id.is_not(None), current.customer_id.is_not(None)),
        )
        .group_by(current.id, current.visitor_id, current.customer_id, current.created_at)
    )
    return {
        conversation_id: (int(count), None if score is None else int(score))
        for conversation_id, count, score in rows.all()
    }
