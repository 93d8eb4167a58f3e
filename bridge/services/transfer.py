"""Passing a claimed chat on: to an online colleague, who must accept it, or back to the queue.

An offer is stored first and then announced: to the receiver's consoles (`transfer_offer`, on
their own hub key), and every decision to both agents' consoles (`transfer_accepted`,
`_declined`, `_cancelled`, `_expired`). When the receiver accepts, the customer gets a system
line in their language naming the new agent (the widget's header follows the line's author)
and every console a fresh queue snapshot. An offer nobody accepts within
TRANSFER_OFFER_TIMEOUT_S expires and the sender keeps the chat: every bridge process sweeps
for those, and the conditional UPDATE hands each expired offer to one sweeper only.

The sender's note is kept twice on purpose: on the transfer (the offer shows it) and as a
private note on the conversation (the receiver, and whoever has the chat later, reads it
beside the transcript).
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge import i18n
from bridge.db import agent_records, handoffs, repository, transfers
from bridge.db.models import HandoffTransfer, Message, User
from bridge.schemas import MessageOut
from bridge.services.chat_text import clean_text
from bridge.services.handoff import HandoffService
from bridge.services.handoff_views import Agent
from bridge.services.ports import AgentPresence, EventBus
from bridge.services.transfer_views import TransferView, announce, transfer_view

log = logging.getLogger(__name__)

# The roles that take chats (bridge.api.staff_deps.CHAT_ROLES; the API layer owns that one,
# tests/bridge/test_transfers.py checks the two agree).
CHAT_ROLES: Final = frozenset({"agent", "admin"})
MAX_NOTE_CHARS: Final = 2000


class UnknownAgent(LookupError):
    """No enabled agent or admin has this id."""

    def __init__(self, agent_id: int) -> None:
        super().__init__(f"no agent {agent_id}")
        self.agent_id = agent_id


class AgentOffline(Exception):
    """The colleague is away or offline: they would not see the offer."""

    def __init__(self, agent: Agent) -> None:
        super().__init__(f"{agent.display_name} is not online")
        self.agent = agent


@dataclass(frozen=True)
class Transferred:
    """A transfer and the handoff as the consoles show it afterwards."""

    transfer: TransferView
    handoff: dict[str, Any]


class TransferService:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        hub: EventBus,
        presence: AgentPresence,
        handoffs: HandoffService,
        offer_timeout_s: float,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if offer_timeout_s <= 0:
            raise ValueError("offer_timeout_s must be positive")
        self._sessions = sessions
        self._hub = hub
        self._presence = presence
        self._handoffs = handoffs
        self._timeout = timedelta(seconds=offer_timeout_s)
        self._now = now

    # -- Reading ------------------------------------------------------------------------------

    async def online_colleagues(self, agent: Agent) -> list[Agent]:
        """The other agents online now (not away), by name: whom a chat can be offered to."""
        ids = await self._presence.online_agents() - {agent.id}
        if not ids:
            return []
        async with self._sessions() as session:
            rows = await session.execute(
                select(User.id, User.display_name)
                .where(User.id.in_(ids), User.role.in_(CHAT_ROLES), User.disabled.is_(False))
                .order_by(User.display_name, User.id)
            )
            return [Agent(user_id, name) for user_id, name in rows]

    async def pending(self, agent: Agent) -> list[TransferView]:
        """The offers waiting for this agent, and theirs waiting for a colleague (a console
        that reconnects shows them again)."""
        async with self._sessions() as session:
            rows = await transfers.pending_for(session=session, agent_id=agent.id)
            return [await self._view(session, row) for row in rows]

    # -- The sender ---------------------------------------------------------------------------

    async def offer(
        self, *, handoff_id: int, sender: Agent, to_agent_id: int | None, note: str
    ) -> Transferred:
        """Offer the sender's chat to a colleague, or (`to_agent_id` None) put it back in the
        queue at once.

        Raises `transfers.TransferError` (`self_transfer`, `transfer_pending`),
        `UnknownAgent`, `AgentOffline` and the handoff's refusals; nothing is stored then.
        """
        cleaned = clean_text(note)[:MAX_NOTE_CHARS] or None
        if to_agent_id is None:
            return await self._to_queue(handoff_id, sender, cleaned)
        if to_agent_id == sender.id:
            raise transfers.TransferError("self_transfer", sender.id)
        receiver = await self._colleague(to_agent_id)
        if await self._presence.status(receiver.id) != "online":
            raise AgentOffline(receiver)
        async with self._sessions.begin() as session:
            row = await transfers.offer(
                session=session,
                handoff_id=handoff_id,
                from_agent_id=sender.id,
                to_agent_id=receiver.id,
                note=cleaned,
                now=self._now(),
            )
            await self._keep_note(session, row.conversation_id, sender, cleaned)
            view = await self._view(session, row)
        announce(self._hub, view)
        return Transferred(view, await self._handoffs.view(handoff_id))

    async def cancel(self, *, transfer_id: int, agent: Agent) -> TransferView:
        """The sender takes the offer back. Raises the repository's refusals."""
        async with self._sessions.begin() as session:
            row = await transfers.cancel(
                session=session, transfer_id=transfer_id, agent_id=agent.id, now=self._now()
            )
            view = await self._view(session, row)
        announce(self._hub, view)
        return view

    # -- The receiver -------------------------------------------------------------------------

    async def accept(self, *, transfer_id: int, agent: Agent) -> Transferred:
        """The receiver takes the chat. Raises `transfers.TransferError`: `unknown`,
        `not_for_you`, `decided` (also for an offer past its time), `void` (the chat left the
        sender meanwhile: the offer is withdrawn)."""
        now = self._now()
        try:
            async with self._sessions.begin() as session:
                row, handoff = await transfers.accept(
                    session=session,
                    transfer_id=transfer_id,
                    agent_id=agent.id,
                    offered_since=now - self._timeout,
                    now=now,
                )
                line = await self._system_line(
                    session, row.conversation_id, "transferred", author=agent.display_name
                )
                view = await self._view(session, row)
        except transfers.TransferError as exc:
            if exc.code == "decided" and exc.status == "expired":
                await self.expire_due()  # stored and announced now, not on the next sweep
            elif exc.code == "void":
                await self._withdraw_void(transfer_id)
            raise
        self._hub.publish(row.conversation_id, MessageOut.from_row(line).event())
        shown = await self._handoffs.view(handoff.id)
        announce(self._hub, view, handoff=shown)
        await self._handoffs.publish_queue()
        return Transferred(view, shown)

    async def decline(self, *, transfer_id: int, agent: Agent) -> TransferView:
        """The receiver says no; the sender keeps the chat. Raises the repository's refusals."""
        async with self._sessions.begin() as session:
            row = await transfers.decline(
                session=session, transfer_id=transfer_id, agent_id=agent.id, now=self._now()
            )
            view = await self._view(session, row)
        announce(self._hub, view)
        return view

    # -- Expiry -------------------------------------------------------------------------------

    async def expire_due(self) -> list[TransferView]:
        """Expire the offers older than the timeout; the senders keep their chats."""
        now = self._now()
        async with self._sessions.begin() as session:
            rows = await transfers.expire(
                session=session, offered_before=now - self._timeout, now=now
            )
            views = [await self._view(session, row) for row in rows]
        for view in views:
            announce(self._hub, view)
        return views

    async def run(self, interval_s: float | None = None) -> None:
        """Sweep for expired offers until cancelled (every bridge process runs one)."""
        every = interval_s or min(10.0, max(1.0, self._timeout.total_seconds() / 6))
        while True:
            await asyncio.sleep(every)
            try:
                await self.expire_due()
            except Exception:  # a database hiccup: the next sweep tries again
                log.exception("expiring transfer offers failed")

    # -- Helpers ------------------------------------------------------------------------------

    async def _to_queue(self, handoff_id: int, sender: Agent, note: str | None) -> Transferred:
        async with self._sessions.begin() as session:
            row, handoff = await transfers.to_queue(
                session=session,
                handoff_id=handoff_id,
                from_agent_id=sender.id,
                note=note,
                now=self._now(),
            )
            await self._keep_note(session, row.conversation_id, sender, note)
            line = await self._system_line(
                session, row.conversation_id, "transferred_to_queue", author=sender.display_name
            )
            view = await self._view(session, row)
        conversation_id = handoff.conversation_id
        self._hub.publish(conversation_id, MessageOut.from_row(line).event())
        self._hub.publish(
            conversation_id,
            {"type": "status", "conversation_id": conversation_id, "status": "waiting_for_agent"},
        )
        shown = await self._handoffs.view(handoff.id)
        announce(self._hub, view, handoff=shown)
        await self._handoffs.publish_queue()
        return Transferred(view, shown)

    async def _colleague(self, agent_id: int) -> Agent:
        async with self._sessions() as session:
            user = await session.get(User, agent_id)
        if user is None or user.disabled or user.role not in CHAT_ROLES:
            raise UnknownAgent(agent_id)
        return Agent(user.id, user.display_name)

    async def _withdraw_void(self, transfer_id: int) -> None:
        async with self._sessions.begin() as session:
            current = await transfers.get_transfer(session=session, transfer_id=transfer_id)
            if current is None:
                return
            row = await transfers.cancel_pending(
                session=session, handoff_id=current.handoff_id, now=self._now()
            )
            view = await self._view(session, row) if row is not None else None
        announce(self._hub, view)

    async def _view(self, session: AsyncSession, row: HandoffTransfer) -> TransferView:
        expires = row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC) + self._timeout
        return await transfer_view(session, row, expires_at=expires)

    @staticmethod
    async def _keep_note(
        session: AsyncSession, conversation_id: str, author: Agent, note: str | None
    ) -> None:
        if note:
            await agent_records.add_note(
                session=session,
                conversation_id=conversation_id,
                author_id=author.id,
                author_name=author.display_name,
                text=note,
            )

    @staticmethod
    async def _system_line(
        session: AsyncSession, conversation_id: str, key: str, *, author: str
    ) -> Message:
        conversation = await repository.get_conversation(
            session=session, conversation_id=conversation_id
        )
        if conversation is None:  # the transfer's foreign key makes this impossible
            raise handoffs.UnknownConversation(conversation_id)
        return await repository.append_message(
            session=session,
            conversation_id=conversation_id,
            role="system",
            text=i18n.text(key, conversation.language, name=author),
            author=author,
        )
