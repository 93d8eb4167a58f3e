"""The customer websocket against the real Rasa stack, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from bridge.app import create_app
from bridge.services.tokens import CustomerTokens
from bridge.settings import Settings
from tests.chat import bot_reply, connect, next_event, say, start_conversation
from tests.conftest import TEST_SECRET


def transcript(client: TestClient, conversation_id: str, token: str) -> list[dict[str, Any]]:
    response = client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.json()["messages"]  # type: ignore[no-any-return]


def test_english_conversation(client: TestClient) -> None:
    conversation_id, token = start_conversation(client, "en")
    with connect(client, conversation_id, token) as ws:
        say(ws, "hi there", client_id="m1")
        echo = next_event(ws, "message")
        assert echo["role"] == "customer" and echo["seq"] == 1 and echo["client_id"] == "m1"
        reply = bot_reply(ws)
        assert reply["seq"] == 2
        assert "Northwind Shop" in reply["text"]
        say(ws, "are you a real person?")
        reply = bot_reply(ws)
        assert "virtual assistant" in reply["text"].lower() or "bot" in reply["text"].lower()


def test_hungarian_conversation(client: TestClient) -> None:
    conversation_id, token = start_conversation(client, "hu")
    with connect(client, conversation_id, token) as ws:
        say(ws, "jó napot")
        reply = bot_reply(ws)
        assert "Northwind Webáruház" in reply["text"]
        say(ws, "mit tudsz csinálni?")
        reply = bot_reply(ws)
        assert reply["type"] == "buttons"
        assert reply["buttons"][0]["payload"] == "/request_human"


def test_quick_reply_payload_is_relayed_and_its_title_stored(client: TestClient) -> None:
    conversation_id, token = start_conversation(client, "en")
    with connect(client, conversation_id, token) as ws:
        say(ws, "Talk to a person", payload="/request_human")
        reply = bot_reply(ws)
        # The action server cannot reach this in-process bridge (TestClient has no port), so
        # the handoff action apologises with the support email: proof the payload got there.
        assert "can't reach our team" in reply["text"]
        assert "support@northwind.example" in reply["text"]
    stored = transcript(client, conversation_id, token)
    assert stored[0]["text"] == "Talk to a person"


def test_page_language_can_change_mid_conversation(client: TestClient) -> None:
    conversation_id, token = start_conversation(client, "en")
    with connect(client, conversation_id, token) as ws:
        say(ws, "hello", language="hu")
        assert "Northwind Webáruház" in bot_reply(ws)["text"]


def test_reconnect_replays_what_was_missed(client: TestClient) -> None:
    conversation_id, token = start_conversation(client)
    with connect(client, conversation_id, token) as ws:
        say(ws, "hello")
        bot_reply(ws)
    stored = transcript(client, conversation_id, token)
    assert len(stored) >= 2
    with connect(client, conversation_id, token, after=1) as ws:
        replayed = [next_event(ws, "message", "buttons") for _ in stored[1:]]
        assert [e["seq"] for e in replayed] == [m["seq"] for m in stored[1:]]
        ws.send_json({"type": "ping"})
        assert next_event(ws, "pong", "message", "buttons") == {"type": "pong"}


def test_resent_client_id_is_stored_once(client: TestClient) -> None:
    conversation_id, token = start_conversation(client)
    with connect(client, conversation_id, token) as ws:
        say(ws, "hello", client_id="same-id")
        bot_reply(ws)
        say(ws, "hello", client_id="same-id")
        ws.send_json({"type": "ping"})
        assert next_event(ws, "pong", "message", "buttons") == {"type": "pong"}
    customer = [m for m in transcript(client, conversation_id, token) if m["role"] == "customer"]
    assert len(customer) == 1


BAD_FRAMES = [
    ({"type": "message", "text": ""}, "empty_message"),
    ({"type": "message", "text": " \n\t "}, "empty_message"),
    ({"type": "message", "text": "\u0000\u0007"}, "empty_message"),
    ({"type": "message", "text": "x" * 2001}, "message_too_long"),
    ({"type": "message"}, "invalid_event"),
    ({"type": "message", "text": 42}, "invalid_event"),
    ({"type": "message", "text": "hi", "payload": "not a payload"}, "invalid_event"),
    ({"type": "message", "text": "hi", "client_id": "bad id!"}, "invalid_event"),
    ({"type": "message", "text": "hi", "language": "de"}, "invalid_event"),
    ({"type": "teleport"}, "invalid_event"),
    ([1, 2, 3], "invalid_event"),
]


@pytest.mark.parametrize(("frame", "code"), BAD_FRAMES)
def test_bad_frames_get_a_typed_error_and_nothing_is_stored(
    client: TestClient, frame: object, code: str
) -> None:
    conversation_id, token = start_conversation(client)
    with connect(client, conversation_id, token) as ws:
        ws.send_json(frame)
        error = next_event(ws, "error", "message", "buttons")
        assert error["type"] == "error" and error["code"] == code
        assert error["message"]
        ws.send_json({"type": "ping"})  # the connection is still usable
        assert next_event(ws, "pong") == {"type": "pong"}
    assert transcript(client, conversation_id, token) == []


def test_malformed_json_and_binary_frames(client: TestClient) -> None:
    conversation_id, token = start_conversation(client, "hu")
    with connect(client, conversation_id, token) as ws:
        ws.send_text("{this is not json")
        error = next_event(ws, "error")
        assert error["code"] == "invalid_json"
        assert "olvashatatlan" in error["message"]  # in the conversation's language
        ws.send_bytes(b"\x00\x01")
        assert next_event(ws, "error")["code"] == "invalid_event"
        say(ws, "szia")
        assert bot_reply(ws)["role"] == "bot"


def test_message_length_limit_is_a_setting(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"max_message_chars": 10}))) as client:
        conversation_id, token = start_conversation(client)
        with connect(client, conversation_id, token) as ws:
            say(ws, "x" * 11)
            error = next_event(ws, "error")
            assert error["code"] == "message_too_long" and "10" in error["message"]
            say(ws, "x" * 10)
            assert next_event(ws, "message")["text"] == "x" * 10


def test_message_flood_is_rate_limited(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_messages": 3, "rate_limit_window_s": 60})
    with TestClient(create_app(limited)) as client:
        conversation_id, token = start_conversation(client)
        with connect(client, conversation_id, token) as ws:
            for n in range(5):
                say(ws, f"hello {n}")
            errors = []
            while len(errors) < 2:
                event = next_event(ws, "error")
                errors.append(event)
            assert {e["code"] for e in errors} == {"rate_limited"}
            ws.send_json({"type": "ping"})
            assert next_event(ws, "pong") == {"type": "pong"}
        stored = transcript(client, conversation_id, token)
        assert [m["text"] for m in stored if m["role"] == "customer"] == [
            "hello 0",
            "hello 1",
            "hello 2",
        ]


def test_re_sends_after_a_reconnect_do_not_use_up_the_limit(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_messages": 3, "rate_limit_window_s": 60})
    with TestClient(create_app(limited)) as client:
        conversation_id, token = start_conversation(client)
        with connect(client, conversation_id, token) as ws:
            for _ in range(3):  # the outbox re-sent on each of three reconnects
                say(ws, "where is my order?", client_id="same")
            say(ws, "hello?", client_id="other")
            ws.send_json({"type": "ping"})
            assert next_event(ws, "error", "pong") == {"type": "pong"}  # nothing refused
        stored = transcript(client, conversation_id, token)
        assert [m["text"] for m in stored if m["role"] == "customer"] == [
            "where is my order?",
            "hello?",
        ]


def test_markup_is_stored_as_plain_text(client: TestClient) -> None:
    conversation_id, token = start_conversation(client)
    text = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    with connect(client, conversation_id, token) as ws:
        say(ws, text)
        assert next_event(ws, "message")["text"] == text


def _closed_with(client: TestClient, path: str) -> tuple[dict[str, Any], int]:
    with client.websocket_connect(path) as ws:
        error = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    return error, closed.value.code


def test_socket_refuses_bad_tokens_and_other_conversations(client: TestClient) -> None:
    conversation_id, _token = start_conversation(client)
    _other_id, other_token = start_conversation(client)
    tokens = CustomerTokens(secret=TEST_SECRET, ttl_s=60)
    expired = tokens.issue(conversation_id, now=datetime.now(UTC) - timedelta(hours=2)).token
    ghost = "00000000-0000-4000-8000-000000000000"
    cases = [
        (f"/ws/chat/{conversation_id}", "invalid_token", 4401),
        (f"/ws/chat/{conversation_id}?token=garbage", "invalid_token", 4401),
        (f"/ws/chat/{conversation_id}?token={expired}", "invalid_token", 4401),
        (f"/ws/chat/{conversation_id}?token={other_token}", "forbidden", 4403),
        (f"/ws/chat/{ghost}?token={tokens.issue(ghost).token}", "not_found", 4404),
    ]
    for path, code, close_code in cases:
        error, closed = _closed_with(client, path)
        assert (error["type"], error["code"], closed) == ("error", code, close_code)


def test_socket_refuses_a_malformed_cursor(client: TestClient) -> None:
    conversation_id, token = start_conversation(client)
    error, closed = _closed_with(client, f"/ws/chat/{conversation_id}?token={token}&after=abc")
    # Told why, then closed as a policy violation: the query did not validate.
    assert (error["type"], error["code"], closed) == ("error", "invalid_cursor", 1008)
