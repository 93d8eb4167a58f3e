"""The agent console's websocket: live queue, the chats an agent watches, messages and typing.

Signed in by the staff session cookie; since browsers send cookies on cross-site websocket
handshakes too, the Origin must be the bridge's own (PUBLIC_URL or the Host it was reached
at). An agent whose last console socket stays closed for AGENT_GRACE_S gets their chats put
back in the queue: a crashed laptop never strands a customer.

Frames are bounded and parsed as on the customer's socket (api/ws_frames.py); a replay cursor
must be a JSON integer that fits the database; typing events past TYPING_EVENTS_PER_S are
dropped.
"""

import asyncio
import contextlib
import logging
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bridge import i18n
from bridge.api.deps import services as services_of
from bridge.api.staff_deps import CHAT_ROLES, SESSION_COOKIE
from bridge.api.ws_forward import forward
from bridge.api.ws_frames import (
    MAX_CURSOR,
    FrameTooLarge,
    UnreadableFrame,
    frame_limit,
    read_frame,
)
from bridge.db import handoffs
from bridge.schemas import ClientId
from bridge.services.chat import MessageRejected
from bridge.services.handoff import QUEUE_KEY
from bridge.services.handoff_views import Agent
from bridge.services.ports import Subscription
from bridge.services.staff_sessions import InvalidSession
from bridge.services.token_bucket import TokenBucket
from bridge.services.transfer_views import agent_key

log = logging.getLogger(__name__)
router = APIRouter()
ConversationId = str


class _Base(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Subscribe(_Base):
    type: Literal["subscribe"]
    conversation_id: str = Field(min_length=1, max_length=36)
    # Strict: 1e23 and "5" are no positions (a float cursor once left the feed dead).
    after: int = Field(0, ge=0, le=MAX_CURSOR, strict=True)


class Unsubscribe(_Base):
    type: Literal["unsubscribe"]
    conversation_id: str = Field(min_length=1, max_length=36)


class AgentMessage(_Base):
    type: Literal["message"]
    conversation_id: str = Field(min_length=1, max_length=36)
    text: str = Field(max_length=20_000)  # the real limit is checked with a clear error
    client_id: ClientId | None = None


class AgentTyping(_Base):
    type: Literal["typing"]
    conversation_id: str = Field(min_length=1, max_length=36)
    on: bool


class Ping(_Base):
    type: Literal["ping"]


_event: TypeAdapter[Any] = TypeAdapter(
    Annotated[
        Subscribe | Unsubscribe | AgentMessage | AgentTyping | Ping, Field(discriminator="type")
    ]
)


def _same_origin(websocket: WebSocket, public_url: str) -> bool:
    origin = websocket.headers.get("origin")
    if not origin:
        return False
    allowed = {public_url.rstrip("/")}
    host = websocket.headers.get("host")
    if host:
        allowed |= {f"http://{host}", f"https://{host}"}
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" in allowed


class _Console:
    """One connected console: its sends are serialised, its conversation feeds are tasks."""

    def __init__(self, websocket: WebSocket, agent: Agent) -> None:
        self.websocket = websocket
        self.agent = agent
        self.services = services_of(websocket)
        settings = self.services.settings
        self.max_message_chars = settings.max_message_chars
        self.max_frame_chars = frame_limit(settings.max_message_chars)
        self.typing = TokenBucket(rate_per_s=settings.typing_events_per_s)
        self._send_lock = asyncio.Lock()
        self.feeds: dict[ConversationId, tuple[Subscription, asyncio.Task[None]]] = {}

    async def send(self, event: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.websocket.send_json(event)

    async def error(self, code: str, conversation_id: str | None = None, **values: object) -> None:
        event: dict[str, Any] = {
            "type": "error",
            "code": code,
            "message": i18n.text(code, "en", **values),
        }
        if conversation_id:
            event["conversation_id"] = conversation_id
        await self.send(event)

    async def feed(self, subscription: Subscription, after: int, conversation_id: str) -> None:
        async def send(event: dict[str, Any]) -> None:
            await self.send({**event, "conversation_id": conversation_id})

        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await forward(send, self.services.chat, subscription, after)
            await self.websocket.close(1013)  # too slow: reconnect and replay

    async def subscribe(self, conversation_id: str, after: int) -> None:
        self.unsubscribe(conversation_id)
        # Subscribed before presence is read, so a change right after it is not missed.
        subscription = self.services.hub.subscribe(conversation_id)
        try:
            present = await self.services.console.customer_present(conversation_id)
        except handoffs.UnknownConversation:
            subscription.close()
            await self.error("not_found", conversation_id)
            return
        subscription.queue.put_nowait(
            {"type": "customer_presence", "conversation_id": conversation_id, "present": present}
        )
        task = asyncio.create_task(self.feed(subscription, after, conversation_id))
        self.feeds[conversation_id] = (subscription, task)

    def unsubscribe(self, conversation_id: str) -> None:
        feed = self.feeds.pop(conversation_id, None)
        if feed is not None:
            feed[0].close()
            feed[1].cancel()

    def close_all(self) -> None:
        for conversation_id in list(self.feeds):
            self.unsubscribe(conversation_id)


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    services = services_of(websocket)
    await websocket.accept()
    if not _same_origin(websocket, services.settings.public_url):
        await websocket.close(4403)
        return
    try:
        member = await services.staff_auth.authenticate(websocket.cookies.get(SESSION_COOKIE))
    except InvalidSession:
        await websocket.close(4401)
        return
    if member.role not in CHAT_ROLES:
        await websocket.close(4403)
        return
    agent = Agent(member.id, member.display_name)
    console = _Console(websocket, agent)
    queue_feed = services.hub.subscribe(QUEUE_KEY)
    # This agent's own news (transfer offers and their outcome), on whichever process sent it.
    inbox = services.hub.subscribe(agent_key(agent.id))
    await services.agent_sockets.opened(agent.id)
    await services.presence.touch(agent.id)
    relay = asyncio.create_task(_relay_queue(console, queue_feed))
    relay_inbox = asyncio.create_task(_relay_queue(console, inbox))
    try:
        hello = {"id": agent.id, "display_name": agent.display_name}
        await console.send({"type": "hello", "agent": hello})
        await console.send({"type": "queue", "handoffs": await services.handoffs.queue()})
        while True:
            frame = await websocket.receive()
            if frame["type"] == "websocket.disconnect":
                break
            await _handle(console, frame.get("text"))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        queue_feed.close()
        relay.cancel()
        inbox.close()
        relay_inbox.cancel()
        console.close_all()
        await services.agent_sockets.closed(agent, services.settings.agent_grace_s)


async def _relay_queue(console: _Console, feed: Subscription) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while (event := await feed.queue.get()) is not None:
            await console.send(event)
        await console.websocket.close(1013)


async def _handle(console: _Console, raw: str | None) -> None:
    services = console.services
    if raw is None:  # a binary frame
        await console.error("invalid_event")
        return
    try:
        event = _event.validate_python(read_frame(raw, limit=console.max_frame_chars))
    except FrameTooLarge:
        await console.error("message_too_long", limit=console.max_message_chars)
        return
    except (UnreadableFrame, ValidationError):
        # One code for both, as the console has always been told (a frame nested too deep,
        # or holding a 5000-digit number, is unreadable too instead of closing the socket).
        await console.error("invalid_event")
        return
    if isinstance(event, Ping):  # the socket's keep-alive says nothing about the agent
        await console.send({"type": "pong"})
        return
    await services.presence.touch(console.agent.id)
    if isinstance(event, Subscribe):
        await console.subscribe(event.conversation_id, event.after)
    elif isinstance(event, Unsubscribe):
        console.unsubscribe(event.conversation_id)
    elif (
        isinstance(event, AgentTyping)
        and event.conversation_id in console.feeds
        and console.typing.take()
    ):
        services.hub.publish(
            event.conversation_id,
            {
                "type": "typing",
                "role": "agent",
                "on": event.on,
                "conversation_id": event.conversation_id,
            },
        )
    elif isinstance(event, AgentMessage):
        try:
            await services.handoffs.agent_message(
                conversation_id=event.conversation_id,
                agent=console.agent,
                text=event.text,
                client_id=event.client_id,
            )
        except handoffs.NotYourHandoff:
            await console.error("not_yours", event.conversation_id)
        except MessageRejected as exc:
            await console.error(exc.code, event.conversation_id, **exc.values)
