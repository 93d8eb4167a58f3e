"""The customer's websocket: messages in, transcript events, typing and errors out."""

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from bridge import i18n
from bridge.api.deps import SocketChatDep
from bridge.db.models import Conversation
from bridge.schemas import ClientEvent, ClientMessage, ClientPing
from bridge.services.chat import AccessDenied, ChatService, MessageRejected
from bridge.services.hub import Subscription

router = APIRouter()
_client_event: TypeAdapter[Any] = TypeAdapter(ClientEvent)
CLOSE_CODES = {"invalid_token": 4401, "forbidden": 4403, "not_found": 4404}
_REPLAY_PAGE = 500


def _error(code: str, language: str, **values: object) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": i18n.text(code, language, **values)}


@router.websocket("/ws/chat/{conversation_id}")
async def chat_socket(
    websocket: WebSocket,
    conversation_id: str,
    chat: SocketChatDep,
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
    subscription = websocket.app.state.services.hub.subscribe(conversation.id)
    sender = asyncio.create_task(_send_events(websocket, chat, subscription, max(after, 0)))
    try:
        await _receive_events(websocket, chat, conversation, subscription)
    except WebSocketDisconnect:
        pass
    finally:
        subscription.close()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender


async def _send_events(
    websocket: WebSocket, chat: ChatService, subscription: Subscription, after: int
) -> None:
    """Replay what the client missed, then forward live events, never a seq twice."""
    last_seq = after
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            page = await chat.transcript(subscription.key, after=last_seq, limit=_REPLAY_PAGE)
            for message in page:
                await websocket.send_json(message.event())
                last_seq = message.seq
            if len(page) < _REPLAY_PAGE:
                break
        while (event := await subscription.queue.get()) is not None:
            seq = event.get("seq")
            if isinstance(seq, int):
                if seq <= last_seq:
                    continue
                last_seq = seq
            await websocket.send_json(event)
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
    # ClientTyping: nobody watches the customer type until agents exist (handoff).
    return None
