"""Attacks on the two websockets (issue 13, findings 3, 9 and 10), performed, with the bridge
still serving afterwards: huge frames, deeply nested JSON, cursors out of range, a flood of
sockets for one conversation, a flood of typing events.

No Rasa here: the relay's apology is enough to show a message got through."""

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from bridge.app import create_app
from knowledge_base.settings import KBSettings
from tests import aio
from tests.chat import connect, next_event, say, start_conversation
from tests.conftest import TEST_SERVICE_TOKEN, make_settings
from tests.processes import LiveBridge
from tests.staff import Signed, add_user, sign_in

SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
ORIGIN = {"Origin": "http://testserver"}
MAX_CURSOR = 2**63 - 1


@contextmanager
def bridge(database_url: str, kb_settings: KBSettings, **overrides: object) -> Iterator[TestClient]:
    settings = make_settings(database_url, None, **overrides)
    with TestClient(create_app(settings, kb_settings)) as client:
        yield client


@pytest.fixture
def client(database_url: str, kb_settings: KBSettings) -> Iterator[TestClient]:
    with bridge(database_url, kb_settings) as test_client:
        yield test_client


def still_serving(client: TestClient, ws: WebSocketTestSession) -> None:
    """The socket answers the next request, and so does the rest of the bridge."""
    ws.send_json({"type": "ping"})
    assert next_event(ws, "pong") == {"type": "pong"}
    assert client.get("/healthz").status_code == 200


def next_error(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next error, skipping the relay's apologies (no Rasa in these tests)."""
    while (error := next_event(ws, "error"))["code"] == "bot_unavailable":
        pass
    return error


def customer_texts(client: TestClient, conversation_id: str, token: str) -> list[str]:
    response = client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return [m["text"] for m in response.json()["messages"] if m["role"] == "customer"]


def closed_with(client: TestClient, path: str, **kwargs: Any) -> tuple[dict[str, Any], int]:
    """The error event a socket sends before it closes, and the close code."""
    with client.websocket_connect(path, **kwargs) as ws:
        error = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    return error, closed.value.code


# -- Finding 3: one huge frame must not stall the bridge -----------------------------------


@pytest.mark.parametrize("size", [16 * 1024 * 1024, 200 * 1024])
def test_a_huge_frame_is_refused_unread_and_the_socket_keeps_serving(
    client: TestClient, size: int
) -> None:
    conversation_id, token = start_conversation(client)
    frame = json.dumps({"type": "message", "text": "x" * size, "client_id": "big"})
    with connect(client, conversation_id, token) as ws:
        ws.send_text(frame)
        error = next_error(ws)
        assert error["code"] == "message_too_long" and "2000" in error["message"]
        still_serving(client, ws)
        say(ws, "hello after the attack")
        assert next_event(ws, "message")["text"] == "hello after the attack"
    assert customer_texts(client, conversation_id, token) == ["hello after the attack"]


def test_the_rate_limit_comes_before_the_text_is_read(
    database_url: str, kb_settings: KBSettings
) -> None:
    with bridge(database_url, kb_settings, rate_limit_messages=2, rate_limit_window_s=60) as app:
        conversation_id, token = start_conversation(app)
        with connect(app, conversation_id, token) as ws:
            for _ in range(3):  # refused messages do not use up the limit
                say(ws, " " * 3000)
                assert next_error(ws)["code"] == "empty_message"
            say(ws, "one")
            say(ws, "two")
            # Past the limit, a message is refused before its 7000 characters are cleaned.
            say(ws, " " * 7000 + "three")
            assert next_error(ws)["code"] == "rate_limited"
            still_serving(app, ws)
        assert customer_texts(app, conversation_id, token) == ["one", "two"]


def test_uvicorn_closes_a_frame_over_its_limit_and_serves_on(
    database_url: str, kb_settings: KBSettings
) -> None:
    """What deploy/ runs (`--ws-max-size 65536`): the frame is not even buffered."""
    live = LiveBridge(make_settings(database_url, None), kb_settings)
    live.start()
    try:
        created = httpx.post(f"{live.url}/api/conversations", json={"language": "en"})
        body = created.json()
        path = f"/ws/chat/{body['conversation_id']}?token={body['token']}&after=0"
        url = live.url.replace("http://", "ws://") + path

        async def attack() -> int | None:
            async with ws_connect(url, max_size=None) as socket:
                await socket.recv()  # the status event
                await socket.send(json.dumps({"type": "message", "text": "x" * 200_000}))
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        await socket.recv()
                return closed.value.rcvd.code if closed.value.rcvd else None

        async def ping() -> dict[str, Any]:
            async with ws_connect(url) as socket:
                await socket.send(json.dumps({"type": "ping"}))
                while True:
                    event: dict[str, Any] = json.loads(await socket.recv())
                    if event["type"] == "pong":
                        return event

        assert aio.run(attack()) == 1009  # message too big
        assert aio.run(ping()) == {"type": "pong"}
        assert httpx.get(f"{live.url}/healthz").status_code == 200
    finally:
        live.stop()


# -- Finding 9: frames that broke the parser, cursors that broke the feed ------------------

UNREADABLE = [
    ("[" * 100_000, "message_too_long"),  # the attack as reported: refused by its size
    ("[" * 5000, "invalid_json"),  # within the size bound, past the decoder's depth
    ('{"type": "ping", "x": ' + "[" * 3000 + "]" * 3000 + "}", "invalid_json"),
    ('{"type": "ping", "n": ' + "9" * 5000 + "}", "invalid_json"),  # past int's digit limit
]


@pytest.mark.parametrize(("frame", "code"), UNREADABLE)
def test_the_customer_socket_survives_unreadable_frames(
    client: TestClient, frame: str, code: str
) -> None:
    conversation_id, token = start_conversation(client, "hu")
    with connect(client, conversation_id, token) as ws:
        ws.send_text(frame)
        error = next_error(ws)
        assert error["code"] == code and error["message"]
        still_serving(client, ws)


@pytest.mark.parametrize("after", ["1e23", "-1", "abc", "1.5", "", "9223372036854775808", "٣"])
def test_the_customer_socket_refuses_a_cursor_out_of_range(client: TestClient, after: str) -> None:
    conversation_id, token = start_conversation(client)
    error, code = closed_with(client, f"/ws/chat/{conversation_id}?token={token}&after={after}")
    assert (error["type"], error["code"], code) == ("error", "invalid_cursor", 1008)
    assert error["message"]


@pytest.mark.parametrize("after", [0, 2**31, MAX_CURSOR])
def test_the_customer_socket_takes_any_cursor_in_range(client: TestClient, after: int) -> None:
    conversation_id, token = start_conversation(client)
    with connect(client, conversation_id, token) as ws:
        say(ws, "hello")
        assert next_event(ws, "message")["text"] == "hello"
        still_serving(client, ws)
    with connect(client, conversation_id, token, after=after) as ws:
        still_serving(client, ws)


def queued(client: TestClient) -> tuple[str, str, int]:
    conversation_id, token = start_conversation(client)
    context = {"last_question": "where is my parcel?", "language": "en", "articles": []}
    body = {"conversation_id": conversation_id, "reason": "customer_request", "context": context}
    response = client.post("/api/handoffs", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    return conversation_id, token, response.json()["handoff_id"]


def online_agent(client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "anna@example.com")
    signed = sign_in(client, "anna@example.com")
    client.get("/api/staff/me", headers=signed.headers())  # online now: handoffs are queued
    return signed


@pytest.fixture
def agent(client: TestClient, database_url: str) -> Signed:
    return online_agent(client, database_url)


def agent_socket(client: TestClient, signed: Signed) -> Any:
    headers = {"Cookie": signed.headers()["Cookie"], **ORIGIN}
    return client.websocket_connect("/ws/agent", headers=headers)


def console_next(ws: WebSocketTestSession, kind: str, **match: object) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = ws.receive_json()
        if event["type"] == kind and all(event.get(k) == v for k, v in match.items()):
            return event


@pytest.mark.parametrize(("frame", "code"), [*UNREADABLE, ("x" * (16 << 20), "message_too_long")])
def test_the_agent_socket_survives_unreadable_frames(
    client: TestClient, agent: Signed, frame: str, code: str
) -> None:
    with agent_socket(client, agent) as console:
        console_next(console, "queue")
        console.send_text(frame)
        # The console has always been told `invalid_event` for what it cannot read.
        expected = "invalid_event" if code == "invalid_json" else code
        assert console_next(console, "error")["code"] == expected
        console.send_json({"type": "ping"})
        assert console_next(console, "pong") == {"type": "pong"}


@pytest.mark.parametrize("after", ["1e23", "1.5", "-1", str(MAX_CURSOR + 1), '"5"'])
def test_the_agent_socket_refuses_a_cursor_out_of_range(
    client: TestClient, agent: Signed, after: str
) -> None:
    conversation_id, _token, _handoff = queued(client)
    with agent_socket(client, agent) as console:
        console_next(console, "queue")
        console.send_text(
            f'{{"type": "subscribe", "conversation_id": "{conversation_id}", "after": {after}}}'
        )
        assert console_next(console, "error")["code"] == "invalid_event"
        console.send_json({"type": "ping"})
        assert console_next(console, "pong") == {"type": "pong"}


def test_the_agent_socket_takes_the_largest_cursor(client: TestClient, agent: Signed) -> None:
    conversation_id, _token, _handoff = queued(client)
    with agent_socket(client, agent) as console:
        console_next(console, "queue")
        subscribe = {"type": "subscribe", "conversation_id": conversation_id, "after": MAX_CURSOR}
        console.send_json(subscribe)
        assert console_next(console, "customer_presence")["conversation_id"] == conversation_id
        console.send_json({"type": "ping"})
        assert console_next(console, "pong") == {"type": "pong"}


# -- Finding 10: sockets per conversation, typing floods -----------------------------------


def test_one_socket_past_the_cap_is_refused_and_the_open_ones_keep_going(
    database_url: str, kb_settings: KBSettings
) -> None:
    with bridge(database_url, kb_settings, max_sockets_per_conversation=3) as app:
        conversation_id, token = start_conversation(app, "hu")
        path = f"/ws/chat/{conversation_id}?token={token}&after=0"
        with ExitStack() as tabs:
            open_tabs = [tabs.enter_context(connect(app, conversation_id, token)) for _ in range(3)]
            for tab in open_tabs:  # a pong: the socket is counted (it is, before it reads)
                still_serving(app, tab)
            for _ in range(5):  # the attack: many more
                error, code = closed_with(app, path)
                assert (error["code"], code) == ("too_many_sockets", 4429)
                assert "3" in error["message"] and "ablakban" in error["message"]
            for tab in open_tabs:
                still_serving(app, tab)
            say(open_tabs[0], "still here")
            for tab in open_tabs:  # every tab sees the message
                assert next_event(tab, "message")["text"] == "still here"
        # Closed tabs no longer count.
        with connect(app, conversation_id, token) as tab:
            still_serving(app, tab)


@pytest.mark.redis
def test_the_cap_counts_the_sockets_of_every_bridge_process(
    database_url: str, kb_settings: KBSettings, redis_url: str, redis_prefix: str
) -> None:
    shared = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    with (
        bridge(database_url, kb_settings, max_sockets_per_conversation=2, **shared) as first,
        bridge(database_url, kb_settings, max_sockets_per_conversation=2, **shared) as second,
    ):
        conversation_id, token = start_conversation(first)
        path = f"/ws/chat/{conversation_id}?token={token}&after=0"
        with (
            connect(first, conversation_id, token) as a,
            connect(second, conversation_id, token) as b,
        ):
            still_serving(first, a)  # a pong: both sockets are counted
            still_serving(second, b)
            error, code = closed_with(first, path)
            assert (error["code"], code) == ("too_many_sockets", 4429)
            error, code = closed_with(second, path)
            assert (error["code"], code) == ("too_many_sockets", 4429)
            still_serving(first, a)


def test_a_typing_flood_from_the_customer_is_not_fanned_out(
    database_url: str, kb_settings: KBSettings
) -> None:
    with bridge(database_url, kb_settings, typing_events_per_s=1) as app:
        signed = online_agent(app, database_url)
        conversation_id, token, _handoff = queued(app)
        with agent_socket(app, signed) as console, connect(app, conversation_id, token) as ws:
            console_next(console, "queue")
            console.send_json({"type": "subscribe", "conversation_id": conversation_id})
            console_next(console, "customer_presence")
            for n in range(200):
                ws.send_json({"type": "typing", "on": n % 2 == 0})
            say(ws, "done typing")
            typing = 0
            while True:
                event = console.receive_json()
                if event["type"] == "typing" and event.get("role") == "customer":
                    typing += 1
                if event["type"] == "message" and event.get("text") == "done typing":
                    break
            # One at once, then one a second: a handful at most, never the 200 sent.
            assert 1 <= typing < 20


def test_a_typing_flood_from_an_agent_is_not_fanned_out(
    database_url: str, kb_settings: KBSettings
) -> None:
    with bridge(database_url, kb_settings, typing_events_per_s=1) as app:
        signed = online_agent(app, database_url)
        conversation_id, token, handoff_id = queued(app)
        claimed = app.post(f"/api/staff/handoffs/{handoff_id}/claim", headers=signed.headers())
        assert claimed.status_code == 200, claimed.text
        with agent_socket(app, signed) as console, connect(app, conversation_id, token) as ws:
            console_next(console, "queue")
            console.send_json({"type": "subscribe", "conversation_id": conversation_id})
            console_next(console, "customer_presence")
            for n in range(200):
                console.send_json(
                    {"type": "typing", "conversation_id": conversation_id, "on": n % 2 == 0}
                )
            console.send_json(
                {"type": "message", "conversation_id": conversation_id, "text": "done typing"}
            )
            typing = 0
            while True:
                event = ws.receive_json()
                if event["type"] == "typing" and event.get("role") == "agent":
                    typing += 1
                if event["type"] == "message" and event.get("text") == "done typing":
                    break
            assert 1 <= typing < 20
