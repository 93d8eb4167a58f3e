"""SQL for NPS surveys: keyword-only functions; callers own the transaction.

A survey is `asked`, then `answered` (a score, later perhaps a reason), `declined` or `dropped`.
A visitor is asked at most once per cooldown, across all their conversations, and so is an
identified customer (`conversations.customer_id`), across all their browsers; a conversation
with neither is limited on its own. Whatever became of the earlier question counts:
what must not repeat is the asking.

Every change of a survey is one conditional UPDATE on its current state, so a retried or
concurrent request cannot answer or end a survey twice; only when it matches no row is the
survey read again, to say why (`UnknownSurvey`, `SurveyClosed`).
"""

from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, get_args

from sqlalchemy import ColumnElement, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bridge.db.models import Conversation, NpsSurvey, utcnow
from bridge.services.nps_stats import category

Trigger = Literal["after_agent", "goodbye", "feedback_request"]
TRIGGERS: Final = get_args(Trigger)
Outcome = Literal["declined", "dropped"]
OUTCOMES: Final = get_args(Outcome)
MIN_SCORE: Final = 0
MAX_SCORE: Final = 10


class NpsError(Exception):
    """An NPS operation was refused; nothing was changed."""


class UnknownConversation(NpsError, LookupError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no conversation {conversation_id}")
        self.conversation_id = conversation_id


class RecentlyAsked(NpsError):
    """The visitor (or this conversation) was asked within the cooldown."""

    def __init__(self, last_asked_at: datetime) -> None:
        super().__init__(f"asked already at {last_asked_at.isoformat()}")
        self.last_asked_at = last_asked_at


class UnknownSurvey(NpsError, LookupError):
    def __init__(self, survey_id: int) -> None:
        super().__init__(f"no survey {survey_id}")
        self.survey_id = survey_id


class SurveyClosed(NpsError):
    """The survey is not in a state that allows this (already answered, declined, dropped, or
    not answered yet for a reason)."""

    def __init__(self, survey_id: int, status: str) -> None:
        super().__init__(f"survey {survey_id} is {status}")
        self.survey_id = survey_id
        self.status = status


async def start_survey(
    *,
    session: AsyncSession,
    conversation_id: str,
    language: str,
    trigger: str,
    cooldown_days: int,
    now: datetime,
) -> NpsSurvey:
    """Record that the customer is being asked now.

    Raises `RecentlyAsked` (with when) inside the cooldown, `UnknownConversation`, or
    `ValueError` for an unknown trigger or a cooldown below one day.
    """
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown NPS trigger {trigger!r}")
    if cooldown_days < 1:
        raise ValueError("cooldown_days must be at least 1")
    now = now.astimezone(UTC)  # SQLite compares the stored text, which carries no zone
    asker = (
        await session.execute(
            select(Conversation.visitor_id, Conversation.customer_id).where(
                Conversation.id == conversation_id
            )
        )
    ).first()
    visitor_id, customer_id = (None, None) if asker is None else (asker[0], asker[1])
    # Lock the visitor's conversations (PostgreSQL), in id order so that two of them asking at
    # once queue here rather than deadlock; then write to this conversation, which on SQLite
    # takes the database's write lock. Either way a second request waits for the first to
    # commit and then sees its survey. A conversation's visitor id never changes, nor does its
    # customer id once set, so reading them unlocked above is safe.
    await session.execute(
        select(Conversation.id)
        .where(
            or_(
                _same_asker(Conversation.id, Conversation.visitor_id, conversation_id, visitor_id),
                _of_customer(Conversation.id, customer_id),
            )
        )
        .order_by(Conversation.id)
        .with_for_update()
    )
    found = await session.scalar(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(updated_at=now)
        .returning(Conversation.id)
    )
    if found is None:
        raise UnknownConversation(conversation_id)
    last = await session.scalar(
        select(func.max(NpsSurvey.asked_at)).where(
            or_(
                _same_asker(
                    NpsSurvey.conversation_id, NpsSurvey.visitor_id, conversation_id, visitor_id
                ),
                _of_customer(NpsSurvey.conversation_id, customer_id),
            ),
            NpsSurvey.asked_at > now - timedelta(days=cooldown_days),
        )
    )
    if last is not None:
        raise RecentlyAsked(_aware(last))
    survey = NpsSurvey(
        conversation_id=conversation_id,
        visitor_id=visitor_id,
        language=language,
        status="asked",
        trigger=trigger,
        asked_at=now,
    )
    session.add(survey)
    await session.flush()
    return survey


async def latest_survey_id(*, session: AsyncSession, conversation_id: str) -> int | None:
    """The conversation's newest survey, to tell whether a bot turn just started one."""
    return await session.scalar(
        select(func.max(NpsSurvey.id)).where(NpsSurvey.conversation_id == conversation_id)
    )


async def get_survey(*, session: AsyncSession, survey_id: int) -> NpsSurvey | None:
    # populate_existing: after a refused UPDATE the session may hold the row as it was before.
    return await session.get(NpsSurvey, survey_id, populate_existing=True)


async def record_score(
    *, session: AsyncSession, survey_id: int, score: int, now: datetime | None = None
) -> NpsSurvey:
    """Answer an asked survey; its category follows from the score. A score is given once.

    Raises `SurveyClosed` (answered, declined or dropped), `UnknownSurvey`, or `ValueError` (from
    `category`) for a score outside 0..10, before anything is written.
    """
    return await _transition(
        session,
        survey_id,
        allowed="asked",
        values={
            "status": "answered",
            "score": score,
            "category": category(score),
            "answered_at": now or utcnow(),
        },
    )


async def record_reason(*, session: AsyncSession, survey_id: int, reason: str) -> NpsSurvey:
    """Store why the customer gave their score (a later reason replaces an earlier one).

    Raises `SurveyClosed` when there is no score (still asked, declined, dropped),
    `UnknownSurvey`.
    """
    return await _transition(session, survey_id, allowed="answered", values={"reason": reason})


async def end_survey(*, session: AsyncSession, survey_id: int, outcome: str) -> NpsSurvey:
    """The customer said no (`declined`) or left without answering (`dropped`).

    Raises `SurveyClosed` when it is no longer asked, `UnknownSurvey`, or `ValueError` for an
    unknown outcome.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown NPS outcome {outcome!r}")
    return await _transition(session, survey_id, allowed="asked", values={"status": outcome})


def _same_asker(
    conversation_column: InstrumentedAttribute[str],
    visitor_column: InstrumentedAttribute[str | None],
    conversation_id: str,
    visitor_id: str | None,
) -> ColumnElement[bool]:
    """The rows of this visitor, or of this conversation alone when it has no visitor id."""
    if visitor_id is None:
        return conversation_column == conversation_id
    return or_(conversation_column == conversation_id, visitor_column == visitor_id)


def _of_customer(
    conversation_column: InstrumentedAttribute[str], customer_id: str | None
) -> ColumnElement[bool]:
    """The rows of the identified customer's conversations (none for an anonymous one)."""
    if customer_id is None:
        return false()
    return conversation_column.in_(
        select(Conversation.id).where(Conversation.customer_id == customer_id)
    )


async def _transition(
    session: AsyncSession, survey_id: int, *, allowed: str, values: dict[str, Any]
) -> NpsSurvey:
    """The one conditional UPDATE; raises why when the survey is not (or no longer) `allowed`."""
    survey = await session.scalar(
        update(NpsSurvey)
        .where(NpsSurvey.id == survey_id, NpsSurvey.status == allowed)
        .values(**values)
        .returning(NpsSurvey)
        .execution_options(populate_existing=True)
    )
    if survey is not None:
        return survey
    current = await get_survey(session=session, survey_id=survey_id)
    if current is None:
        raise UnknownSurvey(survey_id)
    raise SurveyClosed(survey_id, current.status)


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; everything stored is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
