"""Helpers to talk to the bridge the way the widget does."""

from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession


def start_conversation(client: TestClient, language: str = "en") -> tuple[str, str]:
    response = client.post("/api/conversations", json={"language": language})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["conversation_id"], body["token"]


def connect(
    client: TestClient, conversation_id: str, token: str, after: int = 0
) -> WebSocketTestSession:
    return client.websocket_connect(f"/ws/chat/{conversation_id}?token={token}&after={after}")


def say(ws: WebSocketTestSession, text: str, **fields: Any) -> None:
    ws.send_json({"type": "message", "text": text, **fields})


def next_event(ws: WebSocketTestSession, *types: str) -> dict[str, Any]:
    """The next event of one of `types`, skipping typing indicators and others."""
    while True:
        event: dict[str, Any] = ws.receive_json()
        if event["type"] in types:
            return event


def bot_reply(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next bot transcript entry (or a bot_unavailable error), skipping the echo."""
    while True:
        event = next_event(ws, "message", "buttons", "error")
        if event["type"] == "error" or event["role"] == "bot":
            return event
