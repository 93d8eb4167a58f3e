"""Handing customers to people: queue, claim, agent messages, hand back to the bot, close.

Every change is stored first and then announced: to the customer's widget (a system line in
the transcript and a `status` event) and to every agent console (a fresh queue snapshot).
Handing back resumes the paused Rasa conversation through Rasa's HTTP API before anything is
changed here, so the bot never stays paused behind a conversation that looks handed back.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge import i18n
from bridge.db import handoffs, repository
from bridge.db.models import Conversation
from bridge.schemas import MessageOut
from bridge.services.after_agent_survey import AfterAgentSurvey
from bridge.services.business_hours import BusinessHours
from bridge.services.chat import MessageRejected
from bridge.services.chat_text import clean_text
from bridge.services.handoff_views import Agent, agents, one_view, views
from bridge.services.ports import AgentPresence, EventBus
from bridge.services.queue_positions import estimated_wait_s, position_events
from bridge.services.rasa_client import BotReply, RasaClient, RasaUnavailable
from bridge.services.transfer_views import announce as announce_transfer
from bridge.services.transfer_views import withdraw as withdraw_offer

log = logging.getLogger(__name__)

# Agent consoles subscribe to this hub key for queue snapshots and new-handoff notices.
QUEUE_KEY = "agents:queue"


@dataclass(frozen=True)
class Queued:
    handoff_id: int
    status: str
    position: int | None
    estimated_wait_s: int | None


@dataclass(frozen=True)
class Unavailable:
    """Nobody can take the chat now: `no_agents` online, or `outside_hours` (with the hours)."""

    reason: Literal["no_agents", "outside_hours"]
    hours: str


class BotUnavailable(Exception):
    """Rasa could not be resumed: the conversation stays with the agent."""


class HandoffService:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        hub: EventBus,
        rasa: RasaClient,
        presence: AgentPresence,
        hours: BusinessHours,
        max_message_chars: int,
        minutes_per_customer: float,
        survey: AfterAgentSurvey,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._hub = hub
        self._rasa = rasa
        self._presence = presence
        self._hours = hours
        self._max_chars = max_message_chars
        self._minutes = minutes_per_customer
        self._survey = survey
        self._now = now

    # -- The customer's side --------------------------------------------------------------

    async def request(
        self, *, conversation_id: str, reason: str, context: dict[str, Any]
    ) -> Queued | Unavailable:
        """Queue the conversation, or say why nobody can take it now (nothing is stored then).

        Raises `handoffs.UnknownConversation` and `handoffs.ConversationClosed`.
        """
        language = context.get("language") or "en"
        if not self._hours.is_open(self._now()):
            return Unavailable("outside_hours", self._hours.describe(language))
        if not await self._presence.online_agents():
            return Unavailable("no_agents", "")
        async with self._sessions.begin() as session:
            already = await handoffs.active_id(session=session, conversation_id=conversation_id)
            handoff = await handoffs.open_handoff(
                session=session, conversation_id=conversation_id, reason=reason, context=context
            )
            place = (
                await handoffs.position(session=session, handoff_id=handoff.id)
                if handoff.status == "waiting"
                else None
            )
            fresh = already is None  # a retried request announces nothing again
            view = await one_view(session, handoff, position=place, claimed_by=None)
        if fresh:
            self._hub.publish(conversation_id, _status(conversation_id, "waiting_for_agent"))
            self._hub.publish(QUEUE_KEY, {"type": "handoff_new", "handoff": view})
            await self.publish_queue()
        return Queued(
            handoff_id=handoff.id,
            status=handoff.status,
            position=place,
            estimated_wait_s=None if place is None else estimated_wait_s(place, self._minutes),
        )

    # -- The agents' side -----------------------------------------------------------------

    async def queue(self) -> list[dict[str, Any]]:
        """Active handoffs: the waiting ones in queue order, then the claimed ones."""
        async with self._sessions() as session:
            return await views(session, await handoffs.active(session=session))

    async def publish_queue(self) -> None:
        """The agents' snapshot, and each waiting customer's place (their widget shows it)."""
        shown = await self.queue()
        if self._hub.may_have_subscribers(QUEUE_KEY):
            self._hub.publish(QUEUE_KEY, {"type": "queue", "handoffs": shown})
        for conversation_id, event in position_events(shown, self._minutes):
            if self._hub.may_have_subscribers(conversation_id):
                self._hub.publish(conversation_id, event)

    async def view(self, handoff_id: int) -> dict[str, Any]:
        async with self._sessions() as session:
            row = await handoffs.get_handoff(session=session, handoff_id=handoff_id)
            if row is None:
                raise handoffs.UnknownHandoff(handoff_id)
            holders = await agents(session, {row.claimed_by} if row.claimed_by else set())
            agent = holders.get(row.claimed_by) if row.claimed_by else None
            return await one_view(session, row, position=None, claimed_by=agent)

    async def claim(self, *, handoff_id: int, agent: Agent) -> dict[str, Any]:
        """Raises `handoffs.HandoffTaken`, `HandoffNotActive`, `UnknownHandoff`."""
        async with self._sessions.begin() as session:
            row = await handoffs.claim(session=session, handoff_id=handoff_id, agent_id=agent.id)
            conversation = await _conversation(session, row.conversation_id)
            note = await self._system_line(
                session, conversation, "agent_joined", author=agent.display_name
            )
            view = await one_view(session, row, position=None, claimed_by=agent)
        self._announce(row.conversation_id, note, "with_agent")
        await self.publish_queue()
        return view

    async def taken_by(self, handoff_id: int) -> str | None:
        """The display name of the agent who holds the handoff, to tell a losing claimant."""
        async with self._sessions() as session:
            row = await handoffs.get_handoff(session=session, handoff_id=handoff_id)
            if row is None or row.claimed_by is None:
                return None
            holders = await agents(session, {row.claimed_by})
        found = holders.get(row.claimed_by)
        return found.display_name if found else None

    async def hand_back(self, *, handoff_id: int, agent: Agent) -> dict[str, Any]:
        """Resume the bot, then end the handoff; the bot's greeting reaches the customer.

        Raises `BotUnavailable` (nothing changed), and the repository's refusals.
        """
        async with self._sessions() as session:
            row = await handoffs.get_handoff(session=session, handoff_id=handoff_id)
            if row is None:
                raise handoffs.UnknownHandoff(handoff_id)
            language = (await _conversation(session, row.conversation_id)).language
        if row.status != "claimed":
            raise handoffs.HandoffNotActive(handoff_id, row.status)
        if row.claimed_by != agent.id:
            raise handoffs.NotYourHandoff(handoff_id)
        try:
            await self._rasa.resume(conversation_id=row.conversation_id, language=language)
            greeting = await self._survey.start(row.conversation_id)
            if greeting is None:  # not due: the bot says it is back
                greeting = await self._rasa.trigger(
                    conversation_id=row.conversation_id, intent="greet"
                )
        except RasaUnavailable as exc:
            raise BotUnavailable(str(exc)) from exc
        async with self._sessions.begin() as session:
            row = await handoffs.hand_back(
                session=session, handoff_id=handoff_id, agent_id=agent.id
            )
            withdrawn = await withdraw_offer(session, row.id, self._now())
            conversation = await _conversation(session, row.conversation_id)
            lines = [
                await self._system_line(
                    session, conversation, "handed_back", author=agent.display_name
                )
            ]
            for reply in greeting:
                lines.append(await self._bot_line(session, row.conversation_id, reply))
            view = await one_view(session, row, position=None, claimed_by=agent)
        self._announce(row.conversation_id, lines[0], "bot")
        announce_transfer(self._hub, withdrawn)
        for line in lines[1:]:
            self._hub.publish(row.conversation_id, MessageOut.from_row(line).event())
        await self.publish_queue()
        return view

    async def close(self, *, handoff_id: int, agent: Agent) -> dict[str, Any]:
        """End the handoff and the conversation. When the agent had talked with the customer,
        the NPS survey may follow: the conversation then goes back to the bot to run it."""
        async with self._sessions.begin() as session:
            row = await handoffs.close(session=session, handoff_id=handoff_id, agent_id=agent.id)
            withdrawn = await withdraw_offer(session, row.id, self._now())
            conversation = await _conversation(session, row.conversation_id)
            note = await self._system_line(
                session, conversation, "conversation_closed", author=agent.display_name
            )
            view = await one_view(session, row, position=None, claimed_by=agent)
        # Published before the survey's turn: lines must reach clients in the order of their
        # numbers, which the forwarders rely on to drop repeats.
        self._hub.publish(row.conversation_id, MessageOut.from_row(note).event())
        announce_transfer(self._hub, withdrawn)
        status, lines = "closed", []
        survey = (
            await self._survey.after_close(row.conversation_id, conversation.language)
            if row.claimed_at is not None
            else None
        )
        if survey:
            async with self._sessions.begin() as session:
                if await handoffs.reopen_for_bot(session=session, conversation_id=conversation.id):
                    status = "bot"
                    lines = [await self._bot_line(session, conversation.id, r) for r in survey]
        self._hub.publish(row.conversation_id, _status(row.conversation_id, status))
        for line in lines:
            self._hub.publish(row.conversation_id, MessageOut.from_row(line).event())
        await self.publish_queue()
        return view

    async def requeue_agent(self, agent: Agent) -> int:
        """Put the agent's claimed chats back in the queue (their console is gone)."""
        async with self._sessions() as session:
            ids = await handoffs.claimed_by(session=session, agent_id=agent.id)
        moved = 0
        for handoff_id in ids:
            try:
                async with self._sessions.begin() as session:
                    row = await handoffs.requeue(
                        session=session, handoff_id=handoff_id, agent_id=agent.id
                    )
                    withdrawn = await withdraw_offer(session, row.id, self._now())
                    conversation = await _conversation(session, row.conversation_id)
                    note = await self._system_line(
                        session, conversation, "agent_left_queue", author=agent.display_name
                    )
            except handoffs.HandoffError:
                continue  # handed back or closed meanwhile
            self._announce(row.conversation_id, note, "waiting_for_agent")
            announce_transfer(self._hub, withdrawn)
            moved += 1
        if moved:
            await self.publish_queue()
        return moved

    async def agent_message(
        self, *, conversation_id: str, agent: Agent, text: str, client_id: str | None
    ) -> None:
        """Store and deliver an agent's message; raises `handoffs.NotYourHandoff` unless this
        agent holds the conversation, `MessageRejected` for empty or too long text."""
        cleaned = clean_text(text)
        if not cleaned:
            raise MessageRejected("empty_message")
        if len(cleaned) > self._max_chars:
            raise MessageRejected("message_too_long", limit=self._max_chars)
        async with self._sessions.begin() as session:
            if await handoffs.holder(session=session, conversation_id=conversation_id) != agent.id:
                raise handoffs.NotYourHandoff(0)
            if client_id:
                again = await repository.find_by_client_id(
                    session=session, conversation_id=conversation_id, client_id=client_id
                )
                if again is not None:
                    return  # a console re-sending after a reconnect: stored once already
            row = await repository.append_message(
                session=session,
                conversation_id=conversation_id,
                role="agent",
                text=cleaned,
                author=agent.display_name,
                client_id=client_id,
            )
        self._hub.publish(conversation_id, MessageOut.from_row(row).event())

    # -- Helpers ----------------------------------------------------------------------------

    async def _system_line(
        self, session: AsyncSession, conversation: Conversation, key: str, *, author: str
    ) -> Any:
        return await repository.append_message(
            session=session,
            conversation_id=conversation.id,
            role="system",
            text=i18n.text(key, conversation.language, name=author),
            author=author,
        )

    @staticmethod
    async def _bot_line(session: AsyncSession, conversation_id: str, reply: BotReply) -> Any:
        return await repository.append_message(
            session=session,
            conversation_id=conversation_id,
            role="bot",
            text=reply.text,
            buttons=reply.buttons,
        )

    def _announce(self, conversation_id: str, line: Any, status: str) -> None:
        self._hub.publish(conversation_id, MessageOut.from_row(line).event())
        self._hub.publish(conversation_id, _status(conversation_id, status))


def _status(conversation_id: str, status: str) -> dict[str, Any]:
    return {"type": "status", "conversation_id": conversation_id, "status": status}


async def _conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    conversation = await repository.get_conversation(
        session=session, conversation_id=conversation_id
    )
    if conversation is None:  # the handoff's foreign key makes this impossible
        raise handoffs.UnknownConversation(conversation_id)
    return conversation
