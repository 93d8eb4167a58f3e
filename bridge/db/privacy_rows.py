"""SQL of a privacy export: every row of the bridge database that belongs to some
conversations (bridge.services.privacy_export groups them). Keyword-only; callers own the
transaction."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import (
    AnswerFeedback,
    Conversation,
    ConversationNote,
    Goal,
    Handoff,
    Message,
    NpsSurvey,
    OfflineRequest,
    ReferralAnswer,
    ReviewClick,
    ReviewInvitation,
    UnansweredQuestion,
)

CHUNK = 500  # ids per statement, well under both databases' parameter limits
T = TypeVar("T")


def chunks(ids: Sequence[T]) -> Iterator[list[T]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


@dataclass(frozen=True)
class HeldRows:
    """Every row of the bridge database that belongs to some conversations."""

    conversations: list[Conversation]
    messages: list[Message]
    handoffs: list[Handoff]
    notes: list[ConversationNote]
    surveys: list[NpsSurvey]
    feedback: list[AnswerFeedback]
    offline_requests: list[OfflineRequest]
    goals: list[Goal]
    unanswered: list[UnansweredQuestion]
    review_invitations: list[ReviewInvitation]
    review_clicks: list[ReviewClick]  # of those invitations
    referrals: list[ReferralAnswer]


async def _rows(session: AsyncSession, model: type[T], ids: Sequence[str], *order: Any) -> list[T]:
    key: Any = model.id if model is Conversation else model.conversation_id  # type: ignore[attr-defined]
    found: list[T] = []
    for chunk in chunks(ids):
        found.extend(await session.scalars(select(model).where(key.in_(chunk)).order_by(*order)))
    return found


async def _clicks(session: AsyncSession, invitation_ids: Sequence[int]) -> list[ReviewClick]:
    found: list[ReviewClick] = []
    for chunk in chunks(invitation_ids):
        found.extend(
            await session.scalars(
                select(ReviewClick)
                .where(ReviewClick.invitation_id.in_(chunk))
                .order_by(ReviewClick.clicked_at, ReviewClick.id)
            )
        )
    return found


async def held_rows(*, session: AsyncSession, conversation_ids: Sequence[str]) -> HeldRows:
    ids = list(conversation_ids)
    invitations = await _rows(session, ReviewInvitation, ids, ReviewInvitation.id)
    return HeldRows(
        conversations=await _rows(session, Conversation, ids, Conversation.created_at),
        messages=await _rows(session, Message, ids, Message.conversation_id, Message.seq),
        handoffs=await _rows(session, Handoff, ids, Handoff.id),
        notes=await _rows(session, ConversationNote, ids, ConversationNote.id),
        surveys=await _rows(session, NpsSurvey, ids, NpsSurvey.id),
        feedback=await _rows(session, AnswerFeedback, ids, AnswerFeedback.id),
        offline_requests=await _rows(session, OfflineRequest, ids, OfflineRequest.id),
        goals=await _rows(session, Goal, ids, Goal.id),
        unanswered=await _rows(session, UnansweredQuestion, ids, UnansweredQuestion.id),
        review_invitations=invitations,
        review_clicks=await _clicks(session, [i.id for i in invitations]),
        referrals=await _rows(session, ReferralAnswer, ids, ReferralAnswer.id),
    )
