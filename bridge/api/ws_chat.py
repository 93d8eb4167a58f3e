"""The customer's websocket: messages in, transcript events, typing and errors out.

Hardened against a client that misbehaves on purpose: a frame is bounded before it is parsed
(api/ws_frames.py), a cursor must be a plain integer that fits the database, one conversation
may hold MAX_SOCKETS_PER_CONVERSATION sockets over every bridge process (one more is refused
with close code 4429 and the open ones keep going: closing the oldest instead would make its
tab reconnect and knock out the next, round and round), and typing events beyond
TYPING_EVENTS_PER_S are dropped, not fanned out to the agents.
"""

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from bridge import i18n
from bridge.api.deps import ChatDep
from bridge.api.deps import services as services_of
from bridge.api.ws_forward import forward
from bridge.api.ws_frames import (
    FrameTooLarge,
    UnreadableFrame,
    frame_limit,
    read_cursor,
    read_frame,
)
from bridge.db.models import Conversation
from bridge.schemas import ClientEvent, ClientMessage, ClientPing, ClientTyping
from bridge.services.chat import AccessDenied, ChatService, MessageRejected
from bridge.services.ports import Subscription
from bridge.services.token_bucket import TokenBucket

router = APIRouter()
_client_event: TypeAdapter[Any] = TypeAdapter(ClientEvent)
CLOSE_CODES = {"invalid_token": 4401, "forbidden": 4403, "not_found": 4404}
CLOSE_INVALID_QUERY = 1008  # policy violation, as for a query that does not validate
CLOSE_TOO_MANY_SOCKETS = 4429


def _error(code: str, language: str, **values: object) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": i18n.text(code, language, **values)}


@router.websocket("/ws/chat/{conversation_id}")
async def chat_socket(
    websocket: WebSocket,
    conversation_id: str,
    chat: ChatDep,
    token: str = "",
    after: str = "0",
) -> None:
    await websocket.accept()
    try:
        cursor = read_cursor(after)
    except ValueError:
        await websocket.send_json(_error("invalid_cursor", "en"))
        await websocket.close(CLOSE_INVALID_QUERY)
        return
    try:
        conversation = await chat.authorize(conversation_id, token)
    except AccessDenied as exc:
        await websocket.send_json(_error(exc.code, "en"))
        await websocket.close(CLOSE_CODES[exc.code])
        return
    services = services_of(websocket)
    settings = services.settings
    cap = settings.max_sockets_per_conversation
    if not await services.customers.joined(conversation.id, limit=cap):
        await websocket.send_json(_error("too_many_sockets", conversation.language, limit=cap))
        await websocket.close(CLOSE_TOO_MANY_SOCKETS)
        return
    subscription = services.hub.subscribe(conversation.id)
    sender: asyncio.Task[None] | None = None
    client = _Client(
        websocket,
        chat,
        conversation,
        subscription,
        max_message_chars=settings.max_message_chars,
        typing=TokenBucket(rate_per_s=settings.typing_events_per_s),
    )
    try:
        # After the replay, before live events: a widget reconnecting during a handoff learns
        # at once whom it talks to.
        subscription.queue.put_nowait({"type": "status", "status": conversation.status})
        if conversation.status == "waiting_for_agent":  # and where in the queue (a reload)
            place = await services.queue_hygiene.position_of(conversation.id)
            if place is not None:
                subscription.queue.put_nowait(place)
        sender = asyncio.create_task(_send_events(websocket, chat, subscription, cursor))
        await client.receive_events()
    except WebSocketDisconnect:
        pass
    finally:
        subscription.close()
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        # Shielded: a cancelled socket task (a server stopping, a test client closing) must
        # still count the close, or the customer stays "on the page" and holds a queue place.
        await asyncio.shield(services.customers.closing(conversation.id))


def _for_customer(event: dict[str, Any]) -> bool:
    """The customer's own typing and presence are for the agents only."""
    if event.get("type") == "customer_presence":
        return False
    return not (event.get("type") == "typing" and event.get("role") == "customer")


async def _send_events(
    websocket: WebSocket, chat: ChatService, subscription: Subscription, after: int
) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await forward(websocket.send_json, chat, subscription, after, keep=_for_customer)
        # Dropped for being too slow: closing makes the client reconnect and replay.
        await websocket.close(1013)


class _Client:
    """One customer socket's side of the conversation: reads its frames and acts on them."""

    def __init__(
        self,
        websocket: WebSocket,
        chat: ChatService,
        conversation: Conversation,
        subscription: Subscription,
        *,
        max_message_chars: int,
        typing: TokenBucket,
    ) -> None:
        self._websocket = websocket
        self._chat = chat
        self._conversation = conversation
        self._subscription = subscription
        self._max_message_chars = max_message_chars
        self._max_frame_chars = frame_limit(max_message_chars)
        self._typing = typing

    async def receive_events(self) -> None:
        while True:
            frame = await self._websocket.receive()
            if frame["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(frame.get("code", 1000))
            answer = await self._handle_frame(frame.get("text"))
            if answer is None:
                continue
            try:  # direct answers go through the same ordered queue as everything else
                self._subscription.queue.put_nowait(answer)
            except asyncio.QueueFull:
                # A client that floods faster than it reads its answers is cut off.
                await self._websocket.close(1008)
                return

    async def _handle_frame(self, raw: str | None) -> dict[str, Any] | None:
        """Act on one client frame; returns what to answer this client directly, if anything."""
        language = self._conversation.language
        if raw is None:
            return _error("invalid_event", language)
        try:
            event = _client_event.validate_python(read_frame(raw, limit=self._max_frame_chars))
        except FrameTooLarge:
            # Refused unread: the widget drops a message refused as too long from its outbox.
            return _error("message_too_long", language, limit=self._max_message_chars)
        except UnreadableFrame:
            return _error("invalid_json", language)
        except ValidationError:
            return _error("invalid_event", language)
        if isinstance(event, ClientPing):
            return {"type": "pong"}
        if isinstance(event, ClientMessage):
            try:
                received = await self._chat.receive(self._conversation, event)
            except MessageRejected as exc:
                return _error(exc.code, language, **exc.values)
            if received.hidden:
                # To this socket only: the agents see the mask, not a note about it.
                return _notice("sensitive_data_hidden", language)
        if isinstance(event, ClientTyping) and self._typing.take():
            # Only agents watch the customer type; the bot does not care. Past the bucket,
            # typing events are dropped silently: a flood must not reach every console.
            self._chat.customer_typing(self._conversation.id, on=event.on)
        return None


def _notice(code: str, language: str) -> dict[str, Any]:
    """Something the customer should know about what they sent; not an error."""
    return {"type": "notice", "code": code, "message": i18n.text(code, language)}
