"""The customer's websocket: messages in, transcript events, typing and errors out."""

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from bridge import i18n
from bridge.api.deps import ChatDep
from bridge.api.deps import services as services_of
from bridge.api.ws_forward import forward
from bridge.db.models import Conversation
from bridge.schemas import ClientEvent, ClientMessage, ClientPing, ClientTyping
from bridge.services.chat import AccessDenied, ChatService, MessageRejected
from bridge.services.ports import Subscription

router = APIRouter()
_client_event: TypeAdapter[Any] = TypeAdapter(ClientEvent)
CLOSE_CODES = {"invalid_token": 4401, "forbidden": 4403, "not_found": 4404}


def _error(code: str, language: str, **values: object) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": i18n.text(code, language, **values)}


@router.websocket("/ws/chat/{conversation_id}")
async def chat_socket(
    websocket: WebSocket,
    conversation_id: str,
    chat: ChatDep,
    token: str = "",
    after: int = 0,
) -> None:
    await websocket.accept()
    try:
        conversation = await chat.authorize(conversation_id, token)
    except AccessDenied as exc:
        await websocket.send_json(_error(exc.code, "en"))
        await websocket.close(CLOSE_CODES[exc.code])
        return
    services = services_of(websocket)
    subscription = services.hub.subscribe(conversation.id)
    # After the replay, before live events: a widget reconnecting during a handoff learns
    # at once whom it talks to.
    subscription.queue.put_nowait({"type": "status", "status": conversation.status})
    sender = asyncio.create_task(_send_events(websocket, chat, subscription, max(after, 0)))
    await services.customers.joined(conversation.id)
    try:
        await _receive_events(websocket, chat, conversation, subscription)
    except WebSocketDisconnect:
        pass
    finally:
        subscription.close()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        await services.customers.left(conversation.id)


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


async def _receive_events(
    websocket: WebSocket,
    chat: ChatService,
    conversation: Conversation,
    subscription: Subscription,
) -> None:
    while True:
        frame = await websocket.receive()
        if frame["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(frame.get("code", 1000))
        answer = await _handle_frame(frame.get("text"), chat, conversation)
        if answer is None:
            continue
        try:  # direct answers go through the same ordered queue as everything else
            subscription.queue.put_nowait(answer)
        except asyncio.QueueFull:
            # A client that floods faster than it reads its answers is cut off.
            await websocket.close(1008)
            return


async def _handle_frame(
    raw: str | None, chat: ChatService, conversation: Conversation
) -> dict[str, Any] | None:
    """Act on one client frame; returns what to answer this client directly, if anything."""
    language = conversation.language
    if raw is None:
        return _error("invalid_event", language)
    try:
        event = _client_event.validate_python(json.loads(raw))
    except json.JSONDecodeError:
        return _error("invalid_json", language)
    except ValidationError:
        return _error("invalid_event", language)
    if isinstance(event, ClientPing):
        return {"type": "pong"}
    if isinstance(event, ClientMessage):
        try:
            await chat.receive(conversation, event)
        except MessageRejected as exc:
            return _error(exc.code, language, **exc.values)
    if isinstance(event, ClientTyping):
        # Only agents watch the customer type; the bot does not care.
        chat.customer_typing(conversation.id, on=event.on)
    return None
