"""SQL of "How did you hear about us?": keyword-only functions; callers own the transaction.

Who was asked is a `subject`: `customer:<id>` for an identified customer (all their browsers),
else `visitor:<id>` (one browser), else `conversation:<id>`. A question is never put to a
subject that any of the conversation's subjects already names, nor to one linked to them (a
shop account once signed in on this browser, a browser this account used). The unique index
on `subject` makes two turns racing to ask the same person store one question.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import Conversation, ReferralAnswer


class UnknownReferral(LookupError):
    """No such question in this conversation."""


@dataclass(frozen=True)
class Asked:
    """`referral_id` is None when this customer was asked before (here or elsewhere)."""

    referral_id: int | None


def subjects(conversation: Conversation) -> list[str]:
    """Who the conversation's customer is, strongest identity first."""
    found = []
    if conversation.customer_id:
        found.append(f"customer:{conversation.customer_id}")
    if conversation.visitor_id:
        found.append(f"visitor:{conversation.visitor_id}")
    return found or [f"conversation:{conversation.id}"]


async def ask(
    *, session: AsyncSession, conversation: Conversation, language: str, at: datetime
) -> Asked:
    """Record the question unless this customer was asked before."""
    names = subjects(conversation)
    known = [*names, *await _linked(session, conversation)]
    before = await session.scalar(
        select(ReferralAnswer.id).where(ReferralAnswer.subject.in_(known)).limit(1)
    )
    if before is not None:
        return Asked(None)
    row = ReferralAnswer(
        subject=names[0], conversation_id=conversation.id, language=language, asked_at=at
    )
    try:
        async with session.begin_nested():  # a savepoint: losing the race keeps the transaction
            session.add(row)
    except IntegrityError:
        return Asked(None)  # another turn asked this customer a moment ago
    return Asked(row.id)


async def _linked(session: AsyncSession, conversation: Conversation) -> list[str]:
    """The other identities this customer showed: the shop accounts signed in on this browser,
    and the browsers this shop account used (its earlier conversations link them)."""
    linked: list[str] = []
    if conversation.visitor_id:
        accounts = await session.scalars(
            select(Conversation.customer_id)
            .where(
                Conversation.visitor_id == conversation.visitor_id,
                Conversation.customer_id.is_not(None),
            )
            .distinct()
        )
        linked += [f"customer:{account}" for account in accounts]
    if conversation.customer_id:
        browsers = await session.scalars(
            select(Conversation.visitor_id)
            .where(
                Conversation.customer_id == conversation.customer_id,
                Conversation.visitor_id.is_not(None),
            )
            .distinct()
        )
        linked += [f"visitor:{browser}" for browser in browsers]
    return linked


async def answer(
    *,
    session: AsyncSession,
    referral_id: int,
    conversation_id: str,
    source: str,
    detail: str | None,
    at: datetime,
) -> Literal["recorded", "already_answered"]:
    """Store the first answer; a second one (a double click, a retry) changes nothing."""
    result = await session.execute(
        update(ReferralAnswer)
        .where(
            ReferralAnswer.id == referral_id,
            ReferralAnswer.conversation_id == conversation_id,
            ReferralAnswer.source.is_(None),
        )
        .values(source=source, detail=detail, answered_at=at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]  # CursorResult
        return "recorded"
    exists = await session.scalar(
        select(ReferralAnswer.id).where(
            ReferralAnswer.id == referral_id, ReferralAnswer.conversation_id == conversation_id
        )
    )
    if exists is None:
        raise UnknownReferral(referral_id)
    return "already_answered"
