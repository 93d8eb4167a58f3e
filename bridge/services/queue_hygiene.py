"""Queue hygiene: customers who left the page stop blocking the live queue.

A waiting customer whose last widget socket closes is marked (`handoffs.customer_left_at`);
from then on they hold no place (positions and estimated waits count only customers on the
page) and the agents see them after the others, "left the page". If a socket opens again
within QUEUE_ABANDON_AFTER_S the mark goes and they are back at their old place; otherwise the
sweeper ends the handoff as `missed`: the conversation goes back to the bot (Rasa is resumed
first, as for a hand-back), so a customer who returns later finds a working chat and a line
saying why, and the agents find the chat under "Messages left" to follow it up.

The state is in the database, so it holds over every bridge process and across restarts:
every process sweeps (`miss` is one conditional UPDATE, so a sweep and a claim at the same
moment, or two processes' sweeps, have one winner). Socket events are the prompt path; each
sweep also compares the marks with who is connected (CustomerPresence counts over every
process), which repairs what no socket event said: a bridge that stopped or died with the
customer's socket open, a mark set while a second tab opened.

After a start this process gives widgets RECONNECT_GRACE_S to come back before it marks
anyone, and misses nobody for QUEUE_ABANDON_AFTER_S: how long a customer was gone while the
bridge was down is unknown, so the wait counts from the start at the latest.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge import i18n
from bridge.db import handoffs, repository
from bridge.db import queue_hygiene as sql
from bridge.db.models import utcnow
from bridge.schemas import MessageOut
from bridge.services.handoff import QUEUE_KEY
from bridge.services.ports import Event, EventBus
from bridge.services.queue_positions import position_event
from bridge.services.rasa_client import RasaUnavailable

log = logging.getLogger(__name__)

# The widget's longest wait between reconnection attempts is 15 s.
RECONNECT_GRACE_S = 20.0

Resume = Callable[[str, str], Awaitable[None]]  # (conversation id, language): Rasa listens again


@dataclass(frozen=True)
class SweepResult:
    marked: int  # customers found gone that no closing socket had reported
    cleared: int  # marks of customers found on the page again
    missed: int  # handoffs ended as missed


class QueueHygiene:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        hub: EventBus,
        customer_present: Callable[[str], Awaitable[bool]],
        resume: Resume,
        publish_queue: Callable[[], Awaitable[None]],
        abandon_after_s: float,
        minutes_per_customer: float,
        reconnect_grace_s: float = RECONNECT_GRACE_S,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        if not abandon_after_s > 0:
            raise ValueError("abandon_after_s must be positive")
        if reconnect_grace_s < 0:
            raise ValueError("reconnect_grace_s must not be negative")
        self._sessions = sessions
        self._hub = hub
        self._present = customer_present
        self._resume = resume
        self._publish_queue = publish_queue
        self._after = timedelta(seconds=abandon_after_s)
        self._grace = timedelta(seconds=reconnect_grace_s)
        self._minutes = minutes_per_customer
        self._now = now
        self._started_at = now()
        self._reconciled = False

    # -- Socket events (CustomerPresence calls this when the first opens, the last closes) ----

    async def presence_changed(self, conversation_id: str, present: bool) -> None:
        """Mark or unmark the conversation's waiting handoff, and tell everyone whose place
        moved. Never raises: the socket goes on, and the next sweep repairs a failed mark."""
        try:
            if await self._set_mark(conversation_id, present=present):
                await self._publish_queue()
        except (SQLAlchemyError, OSError):
            log.exception(
                "could not note that the customer of %s %s",
                conversation_id,
                "came back" if present else "left",
            )

    async def _set_mark(self, conversation_id: str, *, present: bool) -> bool:
        async with self._sessions() as session:
            handoff_id = await sql.waiting_handoff(session=session, conversation_id=conversation_id)
        if handoff_id is None:
            return False
        if present:
            async with self._sessions.begin() as session:
                return await sql.mark_back(session=session, handoff_id=handoff_id)
        async with self._sessions.begin() as session:
            if not await sql.mark_left(session=session, handoff_id=handoff_id, at=self._now()):
                return False
        # A tab that opened while this one closed counted before the mark was written: look
        # again, or the mark would stand while the customer is there.
        if await self._present(conversation_id):
            async with self._sessions.begin() as session:
                await sql.mark_back(session=session, handoff_id=handoff_id)
            return False
        return True

    async def position_of(self, conversation_id: str) -> Event | None:
        """The `queue_position` event for the conversation's customer, when they wait."""
        async with self._sessions() as session:
            handoff_id = await sql.waiting_handoff(session=session, conversation_id=conversation_id)
            if handoff_id is None:
                return None
            try:
                place = await handoffs.position(session=session, handoff_id=handoff_id)
            except handoffs.HandoffError:
                return None  # claimed or ended just now
        return position_event(conversation_id, place, self._minutes)

    # -- The sweeper ------------------------------------------------------------------------

    async def sweep(self) -> SweepResult:
        """Bring the marks in line with who is connected, then end as missed every handoff
        whose customer has been gone QUEUE_ABANDON_AFTER_S."""
        now = self._now()
        marked, cleared = await self._reconcile(now)
        missed = 0
        left_before = now - self._after
        if left_before >= self._started_at:  # see the module's docstring: restarts
            async with self._sessions() as session:
                due = await sql.due(session=session, left_before=left_before)
            for handoff in due:
                missed += await self._miss(handoff, left_before=left_before, now=now)
        if marked or cleared or missed:
            await self._publish_queue()
        return SweepResult(marked=marked, cleared=cleared, missed=missed)

    async def run(self, interval_s: float) -> None:
        """Sweep every `interval_s` until cancelled; a failed sweep is logged and retried."""
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.sweep()
            except (SQLAlchemyError, OSError):
                log.exception("sweeping the queue failed; trying again in %s s", interval_s)

    async def _reconcile(self, now: datetime) -> tuple[int, int]:
        async with self._sessions() as session:
            marks = await sql.waiting_marks(session=session)
        settled = now - self._started_at >= self._grace
        # The first marks after a start date from the start: gone since then at least.
        mark_at = now if self._reconciled else self._started_at
        marked = cleared = 0
        for mark in marks:
            present = await self._present(mark.conversation_id)
            if present and mark.customer_left_at is not None:
                async with self._sessions.begin() as session:
                    cleared += await sql.mark_back(session=session, handoff_id=mark.handoff_id)
            elif not present and mark.customer_left_at is None and settled:
                async with self._sessions.begin() as session:
                    done = await sql.mark_left(
                        session=session, handoff_id=mark.handoff_id, at=mark_at
                    )
                if done and await self._present(mark.conversation_id):  # came in meanwhile
                    async with self._sessions.begin() as session:
                        await sql.mark_back(session=session, handoff_id=mark.handoff_id)
                    done = False
                marked += done
        if settled:
            self._reconciled = True
        return marked, cleared

    async def _miss(self, handoff: sql.DueHandoff, *, left_before: datetime, now: datetime) -> int:
        """1 when this sweep ended the handoff as missed, 0 when it lost a race or Rasa is
        down (the handoff then stays as it is, and the next sweep tries again)."""
        try:
            # First, as a hand-back does: a conversation given back to the bot must find Rasa
            # listening. Should a claim win the race below, the resumed tracker is harmless:
            # nothing is relayed to Rasa while an agent has the chat.
            await self._resume(handoff.conversation_id, handoff.language)
        except RasaUnavailable as exc:
            log.warning("missed chat %s waits for Rasa: %s", handoff.handoff_id, exc)
            return 0
        async with self._sessions.begin() as session:
            row = await sql.miss(
                session=session, handoff_id=handoff.handoff_id, left_before=left_before, now=now
            )
            if row is None:
                return 0
            line = await repository.append_message(
                session=session,
                conversation_id=handoff.conversation_id,
                role="system",
                text=i18n.text("queue_missed", handoff.language),
            )
        conversation_id = handoff.conversation_id
        self._hub.publish(conversation_id, MessageOut.from_row(line).event())
        self._hub.publish(
            conversation_id, {"type": "status", "conversation_id": conversation_id, "status": "bot"}
        )
        self._hub.publish(QUEUE_KEY, {"type": "missed_chat", "handoff_id": row.id})
        return 1
