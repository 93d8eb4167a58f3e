"""What the agent console reads and writes besides the live chat: a conversation with its
handoff, transcript, notes and whether the customer is there; private notes; offline
requests left outside business hours."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import agent_records, handoffs, repository
from bridge.db.models import Conversation, ConversationNote, Message, OfflineRequest
from bridge.services.chat_text import clean_text
from bridge.services.handoff import HandoffService
from bridge.services.handoff_views import Agent

TRANSCRIPT_LIMIT = 5000


class EmptyNote(ValueError):
    pass


@dataclass(frozen=True)
class AgentConversation:
    conversation: Conversation
    handoff: dict[str, Any] | None  # the newest handoff, as the queue shows it
    messages: list[Message]
    notes: list[ConversationNote]
    customer_present: bool


class AgentConsole:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        handoffs: HandoffService,
        customer_present: Callable[[str], Awaitable[bool]],
    ) -> None:
        self._sessions = sessions
        self._handoffs = handoffs
        self._customer_present = customer_present

    async def conversation(self, conversation_id: str) -> AgentConversation:
        """Raises `handoffs.UnknownConversation`."""
        async with self._sessions() as session:
            found = await _conversation(session, conversation_id)
            messages = await repository.list_messages(
                session=session, conversation_id=conversation_id, after=0, limit=TRANSCRIPT_LIMIT
            )
            notes = await agent_records.list_notes(session=session, conversation_id=conversation_id)
            latest = await handoffs.latest_id(session=session, conversation_id=conversation_id)
        return AgentConversation(
            conversation=found,
            handoff=await self._handoffs.view(latest) if latest is not None else None,
            messages=messages,
            notes=notes,
            customer_present=await self._customer_present(conversation_id),
        )

    async def customer_present(self, conversation_id: str) -> bool:
        """Whether the customer has the chat open, for a console that starts watching it.
        Raises `handoffs.UnknownConversation`."""
        async with self._sessions() as session:
            await _conversation(session, conversation_id)
        return await self._customer_present(conversation_id)

    async def add_note(self, *, conversation_id: str, author: Agent, text: str) -> ConversationNote:
        """Raises `EmptyNote` and `handoffs.UnknownConversation`."""
        cleaned = clean_text(text)
        if not cleaned:
            raise EmptyNote("empty note")
        async with self._sessions.begin() as session:
            await _conversation(session, conversation_id)
            return await agent_records.add_note(
                session=session,
                conversation_id=conversation_id,
                author_id=author.id,
                author_name=author.display_name,
                text=cleaned,
            )

    async def offline_requests(self, limit: int) -> list[OfflineRequest]:
        async with self._sessions() as session:
            return await agent_records.list_offline_requests(session=session, limit=limit)


async def _conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    found = await repository.get_conversation(session=session, conversation_id=conversation_id)
    if found is None:
        raise handoffs.UnknownConversation(conversation_id)
    return found
