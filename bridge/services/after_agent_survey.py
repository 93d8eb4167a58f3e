"""The NPS survey that may follow a chat with an agent (`NPS_AFTER_AGENT`): asked only when
it is on, the customer still has the chat open, and the visitor was not asked recently (the
bot's `action_nps_start` asks the bridge, which refuses within the cooldown)."""

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import nps
from bridge.services.rasa_client import BotReply, RasaClient, RasaUnavailable

log = logging.getLogger(__name__)


class AfterAgentSurvey:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        rasa: RasaClient,
        enabled: bool,
        customer_present: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        self._sessions = sessions
        self._rasa = rasa
        self._enabled = enabled
        self._customer_present = customer_present

    async def wanted(self, conversation_id: str) -> bool:
        if not self._enabled:
            return False
        return self._customer_present is None or await self._customer_present(conversation_id)

    async def start(self, conversation_id: str) -> list[BotReply] | None:
        """Let the bot ask for NPS; its replies when the survey started, None when it is off,
        the customer has gone, or the visitor was asked recently. Rasa must be resumed
        already; raises `RasaUnavailable`."""
        if not await self.wanted(conversation_id):
            return None
        before = await self._latest(conversation_id)
        replies = await self._rasa.trigger(
            conversation_id=conversation_id,
            intent="give_feedback",
            entities={"nps_trigger": "after_agent"},
        )
        after = await self._latest(conversation_id)
        return replies if after is not None and after != before else None

    async def after_close(self, conversation_id: str, language: str) -> list[BotReply] | None:
        """After an agent closed the chat: resume the bot for the survey when it is wanted
        (else Rasa stays paused, untouched). A Rasa failure only costs the survey."""
        if not await self.wanted(conversation_id):
            return None
        try:
            await self._rasa.resume(conversation_id=conversation_id, language=language)
            return await self.start(conversation_id)
        except RasaUnavailable as exc:
            log.warning("no NPS survey after closing %s: %s", conversation_id, exc)
            return None

    async def _latest(self, conversation_id: str) -> int | None:
        async with self._sessions() as session:
            return await nps.latest_survey_id(session=session, conversation_id=conversation_id)
