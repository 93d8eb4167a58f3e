"""A customer leaves a message when nobody can chat: stored for the agents (who answer by
email), noted in the transcript, and announced to every console."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge import i18n
from bridge.db import agent_records, repository
from bridge.db.models import Conversation, OfflineRequest
from bridge.schemas import MessageOut, OfflineRequestOut
from bridge.services.handoff import QUEUE_KEY
from bridge.services.ports import EventBus
from bridge.services.redaction import redact_text

# Enough for a correction or two; more from one chat is a script, not a customer.
MAX_PER_CONVERSATION = 3


class TooManyOfflineRequests(Exception):
    """The conversation has left MAX_PER_CONVERSATION messages already."""


class OfflineRequests:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        hub: EventBus,
        max_per_conversation: int = MAX_PER_CONVERSATION,
    ) -> None:
        self._sessions = sessions
        self._hub = hub
        self._max = max_per_conversation

    @property
    def max_per_conversation(self) -> int:
        return self._max

    async def leave(
        self, conversation: Conversation, *, email: str, message: str, language: str
    ) -> OfflineRequestOut:
        """Raises TooManyOfflineRequests (nothing stored). Card numbers, IBANs and passwords
        in the message are masked before it is stored (services/redaction.py)."""
        async with self._sessions.begin() as session:
            count = await agent_records.count_offline_requests(
                session=session, conversation_id=conversation.id
            )
            if count >= self._max:
                raise TooManyOfflineRequests()
            row: OfflineRequest = await agent_records.add_offline_request(
                session=session,
                conversation_id=conversation.id,
                email=email,
                message=redact_text(message),
                language=language,
            )
            line = await repository.append_message(
                session=session,
                conversation_id=conversation.id,
                role="system",
                text=i18n.text("message_left", language, email=email),
            )
            left = OfflineRequestOut.model_validate(row, from_attributes=True)
        self._hub.publish(conversation.id, MessageOut.from_row(line).event())
        notice = {"type": "offline_request", "request": left.model_dump(mode="json")}
        self._hub.publish(QUEUE_KEY, notice)
        return left
