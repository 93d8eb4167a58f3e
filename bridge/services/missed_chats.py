"""Missed chats: customers who left the queue before an agent came (bridge.services.
queue_hygiene), listed for the agents with the messages left, to be followed up.

The contact shown is what the customer gave in that conversation: the address of a message
they left (the widget's form asks for it), else the newest email address they typed in the
chat. Nothing else is guessed: without either, the agent sees no contact.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import queue_hygiene as sql
from bridge.db.models import Handoff, utcnow
from bridge.db.users import InvalidEmail, normalize_email
from bridge.services.handoff import QUEUE_KEY
from bridge.services.handoff_views import Agent
from bridge.services.ports import EventBus

# Loose on purpose: the address is then checked as the offline form checks it.
_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']{1,64}@[^\s@<>()\[\],;:\"']{1,253}")


class UnknownMissedChat(LookupError):
    """No handoff with that id ended as missed."""


class AlreadyHandled(Exception):
    """Another agent (or this one, in another tab) marked the missed chat handled first."""


@dataclass(frozen=True)
class MissedChat:
    handoff_id: int
    conversation_id: str
    language: str
    last_question: str | None
    waited_since: datetime  # when they asked for a person
    missed_at: datetime  # when the handoff ended
    email: str | None  # contact details, if the customer gave any in the conversation


def typed_email(lines: list[str]) -> str | None:
    """The first valid email address in `lines` (newest first)."""
    for line in lines:
        for found in _EMAIL.findall(line):
            try:
                return normalize_email(found.strip(".!?"))
            except InvalidEmail:
                continue
    return None


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class MissedChats:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        hub: EventBus,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._hub = hub
        self._now = now

    async def open(self, limit: int) -> list[MissedChat]:
        """Missed chats nobody has marked handled, newest first."""
        async with self._sessions() as session:
            rows = await sql.open_missed(session=session, limit=limit)
            ids = [row.handoff.conversation_id for row in rows]
            emails = await sql.offline_emails(session=session, conversation_ids=ids)
            for conversation_id in ids:
                if conversation_id not in emails:
                    lines = await sql.lines_with_at(
                        session=session, conversation_id=conversation_id
                    )
                    if (typed := typed_email(lines)) is not None:
                        emails[conversation_id] = typed
        return [_missed(row, emails.get(row.handoff.conversation_id)) for row in rows]

    async def mark_handled(self, *, handoff_id: int, agent: Agent) -> None:
        """Raises `UnknownMissedChat`, `AlreadyHandled`; tells every console it is done."""
        async with self._sessions.begin() as session:
            row = await sql.mark_handled(
                session=session, handoff_id=handoff_id, agent_id=agent.id, at=self._now()
            )
            if row is None:
                found = await session.get(Handoff, handoff_id)
                if found is None or found.status != "missed":
                    raise UnknownMissedChat(handoff_id)
                raise AlreadyHandled(handoff_id)
        self._hub.publish(QUEUE_KEY, {"type": "missed_chat_handled", "handoff_id": handoff_id})


def _missed(row: sql.MissedRow, email: str | None) -> MissedChat:
    handoff: Handoff = row.handoff
    context = handoff.context or {}
    question = context.get("last_question")
    ended = handoff.ended_at or handoff.created_at
    return MissedChat(
        handoff_id=handoff.id,
        conversation_id=handoff.conversation_id,
        language=context.get("language") or row.language,
        last_question=question if isinstance(question, str) else None,
        waited_since=_utc(handoff.created_at),
        missed_at=_utc(ended),
        email=email,
    )
