"""SQL of the privacy tools: find a person's conversations, erase them while keeping what the
reports count, and the audit log (reading everything held is bridge.db.privacy_rows).
Keyword-only functions; callers own the transaction.

What the reports read, and so what an erasure keeps (bridge/services/reports.py,
conversion_report.py, review_report.py): a conversation's created_at, language and status;
that the customer spoke (one customer message, its text emptied) and the first agent message
of each claimed handoff (text emptied); handoffs' times, status and reason; NPS surveys' times,
language, status and score; answer feedback's article, vote, language and time; goals' names;
review invitations and their clicks; referral answers' language, times and source.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, literal, select, update
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
    PrivacyAudit,
    ReferralAnswer,
    UnansweredQuestion,
)
from bridge.db.privacy_rows import chunks

# --- finding a person's conversations ---------------------------------------------------------


async def conversation_exists(*, session: AsyncSession, conversation_id: str) -> list[str]:
    """[conversation_id] when there is such a conversation, else []."""
    found = await session.scalar(select(Conversation.id).where(Conversation.id == conversation_id))
    return [found] if found else []


async def conversations_of_visitor(*, session: AsyncSession, visitor_id: str) -> list[str]:
    """The visitor's conversations, and those of NPS answers given under that visitor id."""
    by_conversation = select(Conversation.id).where(Conversation.visitor_id == visitor_id)
    by_survey = select(NpsSurvey.conversation_id).where(NpsSurvey.visitor_id == visitor_id)
    rows = await session.scalars(by_conversation.union(by_survey))
    return sorted(set(rows))


async def conversations_of_email(*, session: AsyncSession, email: str) -> list[str]:
    """The conversations in which a message was left for the agents with this address, and
    those of an identified customer with this address (any case)."""
    address = email.strip().lower()
    by_request = select(OfflineRequest.conversation_id).where(
        func.lower(OfflineRequest.email) == address
    )
    by_customer = select(Conversation.id).where(func.lower(Conversation.customer_email) == address)
    rows = await session.scalars(by_request.union(by_customer))
    return sorted(set(rows))


# --- erasing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasedRows:
    """What one erasure did in the bridge database, in rows."""

    conversations: int = 0
    deleted: int = 0  # messages, notes, offline requests, unanswered questions
    anonymised: int = 0  # rows kept for the reports with their text and identifiers dropped

    def __add__(self, other: "ErasedRows") -> "ErasedRows":
        return ErasedRows(
            self.conversations + other.conversations,
            self.deleted + other.deleted,
            self.anonymised + other.anonymised,
        )


async def _messages_to_keep(session: AsyncSession, ids: list[str]) -> list[int]:
    """Per conversation its first customer message (the reports count conversations in which
    the customer spoke), and per claimed handoff the first agent message from the claim until
    the handoff ended (the first-response time)."""
    spoken = await session.execute(
        select(Message.id, Message.conversation_id, Message.role, Message.created_at)
        .where(Message.conversation_id.in_(ids), Message.role.in_(("customer", "agent")))
        .order_by(Message.created_at, Message.id)
    )
    claims = await session.execute(
        select(Handoff.conversation_id, Handoff.claimed_at, Handoff.ended_at).where(
            Handoff.conversation_id.in_(ids), Handoff.claimed_at.is_not(None)
        )
    )
    first_customer: dict[str, int] = {}
    agent_lines: dict[str, list[tuple[int, datetime]]] = {}
    for message_id, conversation_id, role, created_at in spoken.all():
        if role == "customer":
            first_customer.setdefault(conversation_id, message_id)
        else:
            agent_lines.setdefault(conversation_id, []).append((message_id, created_at))
    keep = set(first_customer.values())
    for conversation_id, claimed_at, ended_at in claims.all():
        for message_id, created_at in agent_lines.get(conversation_id, []):  # oldest first
            if claimed_at is None or created_at < claimed_at:
                continue
            if ended_at is None or created_at <= ended_at:
                keep.add(message_id)
                break
    return sorted(keep)


async def _erase_chunk(session: AsyncSession, ids: list[str], now: datetime) -> ErasedRows:
    keep = await _messages_to_keep(session, ids)
    deleted = 0
    for statement in (
        delete(Message).where(Message.conversation_id.in_(ids), Message.id.not_in(keep)),
        delete(ConversationNote).where(ConversationNote.conversation_id.in_(ids)),
        delete(OfflineRequest).where(OfflineRequest.conversation_id.in_(ids)),
        delete(UnansweredQuestion).where(UnansweredQuestion.conversation_id.in_(ids)),
    ):
        deleted += (await session.execute(statement)).rowcount or 0  # type: ignore[attr-defined]
    blank = {"text": "", "payload": None, "buttons": None, "author": None, "client_id": None}
    anonymised = 0
    updates: tuple[Any, ...] = (
        update(Message).where(Message.id.in_(keep)).values(**blank, relay_due_at=None),
        update(NpsSurvey)
        .where(NpsSurvey.conversation_id.in_(ids))
        .values(visitor_id=None, reason=None),
        update(AnswerFeedback).where(AnswerFeedback.conversation_id.in_(ids)).values(query=None),
        update(Goal).where(Goal.conversation_id.in_(ids)).values(page_url=None),
        # The subject names the customer or browser, the detail is what they typed. The
        # subject stays unique as `erased:<row id>`, so the person counts as never asked.
        update(ReferralAnswer)
        .where(ReferralAnswer.conversation_id.in_(ids))
        .values(subject=literal("erased:", String) + cast(ReferralAnswer.id, String), detail=None),
    )
    # Review invitations and their clicks stay as they are: beyond the conversation they
    # belong to they hold times, a language and a random token that names nobody (the
    # review report counts them).
    for statement in updates:
        anonymised += (await session.execute(statement)).rowcount or 0  # type: ignore[attr-defined]
    # The handoff context holds the customer's last question and what the bot found for it;
    # only the language stays (the console shows old handoffs in it).
    for handoff in await session.scalars(select(Handoff).where(Handoff.conversation_id.in_(ids))):
        handoff.context = {"language": (handoff.context or {}).get("language")}
        anonymised += 1
    touched = await session.execute(
        update(Conversation)
        .where(Conversation.id.in_(ids))
        .values(
            visitor_id=None,
            page_url=None,
            customer_id=None,
            customer_name=None,
            customer_email=None,
            customer_locale=None,
            customer_attributes=None,
            bot_customer_name=None,  # the identity's name as last handed to Rasa
            erased_at=now,
        )
    )
    return ErasedRows(touched.rowcount or 0, deleted, anonymised)  # type: ignore[attr-defined]


async def erase(
    *, session: AsyncSession, conversation_ids: Sequence[str], now: datetime
) -> ErasedRows:
    """Drop the personal data of the conversations, keeping what the reports count."""
    total = ErasedRows()
    for chunk in chunks(conversation_ids):
        total += await _erase_chunk(session, chunk, now)
    await session.flush()
    return total


async def claim_expired(
    *, session: AsyncSession, before: datetime, now: datetime, limit: int
) -> list[str]:
    """Mark erased (and return) up to `limit` conversations last active before `before` and
    not erased yet. One conditional UPDATE: bridges purging at once claim different rows
    (PostgreSQL skips the rows another holds; SQLite runs one writer at a time)."""
    oldest = (
        select(Conversation.id)
        .where(Conversation.erased_at.is_(None), Conversation.updated_at < before)
        .order_by(Conversation.updated_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.scalars(
        update(Conversation)
        .where(Conversation.id.in_(oldest), Conversation.erased_at.is_(None))
        .values(erased_at=now)
        .returning(Conversation.id)
    )
    return sorted(claimed)


async def delete_unlinked_questions(*, session: AsyncSession, before: datetime) -> int:
    """Unanswered questions recorded without a conversation, older than `before`."""
    result = await session.execute(
        delete(UnansweredQuestion).where(
            UnansweredQuestion.conversation_id.is_(None), UnansweredQuestion.created_at < before
        )
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def count_expired(*, session: AsyncSession, before: datetime) -> int:
    found = await session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(Conversation.erased_at.is_(None), Conversation.updated_at < before)
    )
    return int(found or 0)


# --- the audit log -------------------------------------------------------------------------------


async def add_audit(
    *,
    session: AsyncSession,
    at: datetime,
    actor: str,
    action: str,
    selector: str,
    subject_hash: str | None,
    conversations: int,
    records: int,
    tracker_events: int,
) -> PrivacyAudit:
    row = PrivacyAudit(
        at=at,
        actor=actor[:254],
        action=action,
        selector=selector,
        subject_hash=subject_hash,
        conversations=conversations,
        records=records,
        tracker_events=tracker_events,
    )
    session.add(row)
    await session.flush()
    return row


async def list_audit(
    *, session: AsyncSession, limit: int, action: str | None = None
) -> list[PrivacyAudit]:
    """The newest entries first."""
    query = select(PrivacyAudit)
    if action is not None:
        query = query.where(PrivacyAudit.action == action)
    rows = await session.scalars(
        query.order_by(PrivacyAudit.at.desc(), PrivacyAudit.id.desc()).limit(limit)
    )
    return list(rows)
