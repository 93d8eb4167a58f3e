"""Customer chat: start a conversation, take a customer's message, relay it to Rasa.

Order of work for a message: bound its length (unread) → rate limit → clean and validate →
mask sensitive data (services/redaction.py) → store (gets its sequence number) → publish the
echo → relay the stored text to Rasa in the background, one turn at a time per conversation →
store every reply → publish it. Cheap refusals come before any work on the text, so a flood
of huge or many messages costs the event loop next to nothing. Nothing is published that is
not stored first, so a reconnecting client can always replay what it missed from the
database. While the conversation is handed off (its status is not `bot`), messages are
stored and published but not relayed.

A message to relay is stored in the outbox (db/outbox.py) in the same transaction, and leaves
it in the transaction that stores the bot's replies (or after the apology when Rasa fails).
If the process dies in between, any bridge process relays it once `relay_retry_after_s` has
passed: the sweeper runs at start-up and every quarter of that.
"""

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge import i18n
from bridge.db import customer_identity, outbox, repository
from bridge.db.models import Conversation, Message, utcnow
from bridge.schemas import ClientMessage, ConversationCreate, ConversationCreated, MessageOut
from bridge.services import bot_context
from bridge.services.chat_text import clean_text, typed_for_rasa
from bridge.services.identity import CustomerIdentity
from bridge.services.ports import EventBus, RateLimiter, TurnOrder
from bridge.services.rasa_client import RasaClient, RasaUnavailable
from bridge.services.redaction import Kind, redact, redact_text
from bridge.services.tokens import CustomerTokens, InvalidToken

log = logging.getLogger(__name__)


class AccessDenied(Exception):
    """A customer may not open this conversation; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # invalid_token | forbidden | not_found


class MessageRejected(Exception):
    """A customer's message was refused; nothing was stored or relayed."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class ChatLimits:
    max_message_chars: int
    relay_retry_after_s: float = 120.0
    relay_give_up_after_s: float = 3600.0

    @property
    def max_raw_chars(self) -> int:
        """Longer than this before cleaning, a message is refused unread: cleaning could not
        bring it down to the limit unless it were mostly control characters and padding."""
        return 4 * self.max_message_chars


@dataclass(frozen=True)
class Received:
    """An accepted customer message: `hidden` names what was masked in it (empty: nothing),
    so the socket can tell the customer."""

    hidden: frozenset[Kind] = frozenset()


class ChatService:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        rasa: RasaClient,
        hub: EventBus,
        limiter: RateLimiter,
        tokens: CustomerTokens,
        limits: ChatLimits,
        turns: TurnOrder,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._rasa = rasa
        self._hub = hub
        self._limiter = limiter
        self._tokens = tokens
        self._limits = limits
        self._turns = turns
        self._now = now
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def start(
        self, body: ConversationCreate, *, customer: CustomerIdentity | None = None
    ) -> ConversationCreated:
        """`customer`: the checked identity the widget sent along (bridge.services.identity)."""
        async with self._sessions.begin() as session:
            conversation = await repository.create_conversation(
                session=session,
                language=body.language,
                visitor_id=body.visitor_id,
                page_url=body.page_url,
            )
            if customer is not None:
                await customer_identity.bind(
                    session=session, conversation_id=conversation.id, customer=customer
                )
        issued = self._tokens.issue(conversation.id)
        return ConversationCreated(
            conversation_id=conversation.id, token=issued.token, expires_at=issued.expires_at
        )

    async def identify(self, conversation_id: str, customer: CustomerIdentity) -> None:
        """Identify a running conversation (the page signed the customer in after it began);
        raises `customer_identity.IdentityConflict` when it is another customer's."""
        async with self._sessions.begin() as session:
            await customer_identity.bind(
                session=session, conversation_id=conversation_id, customer=customer
            )

    async def authorize(self, conversation_id: str, token: str | None) -> Conversation:
        if not token:
            raise AccessDenied("invalid_token")
        try:
            token_conversation = self._tokens.conversation_id(token)
        except InvalidToken as exc:
            raise AccessDenied("invalid_token") from exc
        if token_conversation != conversation_id:
            raise AccessDenied("forbidden")
        async with self._sessions() as session:
            conversation = await repository.get_conversation(
                session=session, conversation_id=conversation_id
            )
        if conversation is None or conversation.erased_at is not None:
            # An erased conversation is gone for its customer too: the token outlives it.
            raise AccessDenied("not_found")
        return conversation

    async def transcript(
        self, conversation_id: str, *, after: int, limit: int = 500
    ) -> list[MessageOut]:
        async with self._sessions() as session:
            rows = await repository.list_messages(
                session=session, conversation_id=conversation_id, after=after, limit=limit
            )
        return [MessageOut.from_row(row) for row in rows]

    async def receive(self, conversation: Conversation, event: ClientMessage) -> Received:
        """Store a customer's message, masked, and queue its turn; raises MessageRejected."""
        limit = self._limits.max_message_chars
        if len(event.text) > self._limits.max_raw_chars:
            raise MessageRejected("message_too_long", limit=limit)
        wait = await self._limiter.retry_after(conversation.id)
        if wait:
            raise MessageRejected("rate_limited", seconds=math.ceil(wait))
        text = clean_text(event.text)
        if not text or len(text) > limit:
            await self._limiter.refund(conversation.id)  # refused: it must not count
            if not text:
                raise MessageRejected("empty_message")
            raise MessageRejected("message_too_long", limit=limit)
        # The limit is checked on what the customer typed (the widget counts the same); a
        # mask may be a little longer than a short password.
        redacted = redact(text)
        text = redacted.text
        payload = redact_text(event.payload) if event.payload else None
        try:
            async with self._sessions.begin() as session:
                if event.language and event.language != conversation.language:
                    await repository.set_language(
                        session=session, conversation_id=conversation.id, language=event.language
                    )
                row = await repository.append_message(
                    session=session,
                    conversation_id=conversation.id,
                    role="customer",
                    text=text,
                    payload=payload,
                    client_id=event.client_id,
                )
                # Not `conversation.status`: the socket loaded it at connect, and a handoff
                # started since then must stop the relay. Read after append_message's row lock.
                status = await repository.get_status(
                    session=session, conversation_id=conversation.id
                )
                if status == "bot":
                    held_until = self._lease()
                    await outbox.hold(session=session, message_id=row.id, until=held_until)
        except IntegrityError:
            # The same client id again: a re-send after a reconnect. Stored once already, and
            # counted once: a widget re-sending its outbox must not use up the customer's limit.
            await self._limiter.refund(conversation.id)
            return Received(redacted.kinds)
        if event.language:
            conversation.language = event.language
        self._hub.publish(conversation.id, MessageOut.from_row(row).event())
        if status != "bot":
            # Waiting for or with an agent: the agent side reads it, Rasa stays paused.
            return Received(redacted.kinds)
        # At once, not when the turn's place in the order comes: a customer whose message
        # waits behind others (a busy Rasa) sees the bot typing meanwhile.
        self._hub.publish(conversation.id, {"type": "typing", "role": "bot", "on": True})
        metadata = {"language": conversation.language, "page_url": conversation.page_url}
        self._spawn(
            self._relay(
                conversation.id,
                row.id,
                payload or typed_for_rasa(text),
                metadata,
                held_until,
                apologise=True,
            )
        )
        return Received(redacted.kinds)

    def customer_typing(self, conversation_id: str, *, on: bool) -> None:
        event = {"type": "typing", "role": "customer", "on": on, "conversation_id": conversation_id}
        self._hub.publish(conversation_id, event)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _relay(
        self,
        conversation_id: str,
        message_id: int,
        text: str,
        metadata: dict[str, Any],
        held_until: datetime,
        *,
        apologise: bool,
    ) -> None:
        """One turn: Rasa's replies are stored, then published; on failure, an apology. The
        bot's typing indicator goes off after the turn's last event, so a client knows the
        turn is complete when it does. When Rasa fails (down, or busy past RASA_TIMEOUT_S),
        the message stays in the outbox and is relayed again RELAY_RETRY_AFTER_S later, until
        answered or superseded by a newer answered one; only the first attempt
        (`apologise`) tells the customer.

        `held_until`: the outbox lease this relay set or claimed. Once the turn's place in the
        order comes, the lease is renewed only if it is still this relay's: a relay that
        waited past it (a long queue of turns) leaves the message to the sweep that claimed
        it, so a message is never answered twice."""
        async with self._turns.hold(conversation_id):
            async with self._sessions.begin() as session:
                mine = await outbox.renew(
                    session=session,
                    message_id=message_id,
                    held_until=held_until,
                    until=self._lease(),
                )
            if not mine:
                log.info("message %s of %s is relayed elsewhere", message_id, conversation_id)
                return
            self._hub.publish(conversation_id, {"type": "typing", "role": "bot", "on": True})
            try:
                rows = await self._replies(conversation_id, message_id, text, metadata)
                if rows is None:
                    if apologise:
                        apology = i18n.text("bot_unavailable", metadata["language"])
                        event = {"type": "error", "code": "bot_unavailable", "message": apology}
                        self._hub.publish(conversation_id, event)
                    return
                for row in rows:
                    self._hub.publish(conversation_id, MessageOut.from_row(row).event())
            finally:
                self._hub.publish(conversation_id, {"type": "typing", "role": "bot", "on": False})

    async def _replies(
        self, conversation_id: str, message_id: int, text: str, metadata: dict[str, Any]
    ) -> list[Message] | None:
        """Rasa's replies to one message, stored; None when there are none to send."""
        try:
            await bot_context.tell(
                self._sessions, self._rasa, conversation_id, language=metadata["language"]
            )
            replies = await self._rasa.send(
                conversation_id=conversation_id, text=text, metadata=metadata
            )
            async with self._sessions.begin() as session:
                texts = [(reply.text, reply.buttons) for reply in replies]
                if (
                    not texts
                    and await repository.get_status(
                        session=session, conversation_id=conversation_id
                    )
                    == "bot"
                ):
                    # A turn the bot left silent (a bug, or a policy with nothing to say):
                    # the customer must never be left without an answer.
                    log.warning("Rasa gave no reply in %s: sending the fallback", conversation_id)
                    texts = [(i18n.text("bot_silent", metadata["language"]), [])]
                await outbox.done_through(
                    session=session, conversation_id=conversation_id, message_id=message_id
                )
                return [
                    await repository.append_message(
                        session=session,
                        conversation_id=conversation_id,
                        role="bot",
                        text=reply_text,
                        buttons=buttons,
                    )
                    for reply_text, buttons in texts
                ]
        except RasaUnavailable as exc:
            log.warning("Rasa unavailable for %s: %s", conversation_id, exc)
        except SQLAlchemyError:
            # Replies that could not be stored are not sent: a reload would lose them.
            log.exception("could not store the replies for %s", conversation_id)
        return None

    def _lease(self) -> datetime:
        return self._now() + timedelta(seconds=self._limits.relay_retry_after_s)

    async def relay_overdue(self, limit: int = 100) -> int:
        """Relay, in order, the stored messages whose relay died with its process; how many."""
        now = self._now()
        held_until = self._lease()
        async with self._sessions.begin() as session:
            due = await outbox.claim_due(
                session=session,
                now=now,
                until=held_until,
                limit=limit,
                since=now - timedelta(seconds=self._limits.relay_give_up_after_s),
            )
            conversations = {
                c.id: c
                for c in [
                    await repository.get_conversation(session=session, conversation_id=cid)
                    for cid in {m.conversation_id for m in due}
                ]
                if c is not None
            }
            relay = [m for m in due if conversations[m.conversation_id].status == "bot"]
            for message in due:
                if message not in relay:  # handed to a person since: Rasa stays paused
                    await outbox.done(session=session, message_id=message.id)
        for message in relay:
            conversation = conversations[message.conversation_id]
            log.warning("relaying message %s of %s again", message.seq, conversation.id)
            metadata = {"language": conversation.language, "page_url": conversation.page_url}
            text = message.payload or typed_for_rasa(message.text)
            self._spawn(
                self._relay(
                    conversation.id, message.id, text, metadata, held_until, apologise=False
                )
            )
        return len(relay)

    def start_sweeper(self) -> None:
        """Relay overdue messages now and every quarter of `relay_retry_after_s`."""

        async def sweep() -> None:
            while True:
                try:
                    await self.relay_overdue()
                except Exception:  # the sweeper must outlive one bad sweep
                    log.exception("the relay outbox sweep failed")
                await asyncio.sleep(max(self._limits.relay_retry_after_s / 4, 0.5))

        self._sweeper = asyncio.create_task(sweep())

    async def stop_sweeper(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Let turns in flight finish (used at shutdown and by tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
