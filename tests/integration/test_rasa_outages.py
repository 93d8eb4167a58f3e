"""When Rasa is down, hangs or restarts: the customer hears so quickly and nothing is lost."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bridge.app import create_app
from bridge.db.migrate import upgrade
from bridge.settings import Settings
from tests.chat import bot_reply, connect, next_event, say, start_conversation
from tests.conftest import make_settings
from tests.processes import RasaStack


@pytest.fixture
def settings(tmp_path: Path, stack: RasaStack) -> Settings:
    """These tests are about Rasa, not the database: SQLite alone (PostgreSQL has its own)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    return make_settings(url, stack)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def stored_texts(client: TestClient, conversation_id: str, token: str) -> list[tuple[str, str]]:
    response = client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
    )
    return [(m["role"], m["text"]) for m in response.json()["messages"]]


def test_rasa_stopped_then_restarted_keeps_messages_and_dialogue_state(
    client: TestClient, stack: RasaStack
) -> None:
    conversation_id, token = start_conversation(client, "hu")
    with connect(client, conversation_id, token) as ws:
        say(ws, "szia")
        assert "Webáruház" in bot_reply(ws)["text"]
    events_before = [e for e in stack.tracker(conversation_id)["events"] if e["event"] == "user"]

    seen = len(stored_texts(client, conversation_id, token))
    stack.rasa.stop()
    try:
        with connect(client, conversation_id, token, after=seen) as ws:
            say(ws, "köszönöm")
            apology = bot_reply(ws)
            assert apology["type"] == "error" and apology["code"] == "bot_unavailable"
            assert "Elnézést" in apology["message"]  # in the customer's language
            ws.send_json({"type": "ping"})
            assert next_event(ws, "pong") == {"type": "pong"}
        assert stored_texts(client, conversation_id, token)[-1] == ("customer", "köszönöm")
    finally:
        stack.start_rasa()

    tracker = stack.tracker(conversation_id)  # from the SQL tracker store, after the restart
    assert [e for e in tracker["events"] if e["event"] == "user"][: len(events_before)] == (
        events_before
    )
    assert tracker["slots"]["language"] == "hu"
    with connect(client, conversation_id, token, after=seen + 1) as ws:
        say(ws, "köszönöm szépen")
        assert bot_reply(ws)["role"] == "bot"


def test_hung_rasa_gets_an_apology_within_the_timeout(settings: Settings, stack: RasaStack) -> None:
    quick = settings.model_copy(update={"rasa_timeout_s": 1.5})
    with TestClient(create_app(quick)) as client:
        conversation_id, token = start_conversation(client, "en")
        stack.rasa.pause()  # SIGSTOP: the socket accepts, nothing answers
        try:
            with connect(client, conversation_id, token) as ws:
                started = time.monotonic()
                say(ws, "hello")
                apology = bot_reply(ws)
                waited = time.monotonic() - started
                assert apology["code"] == "bot_unavailable"
                assert apology["message"].startswith("Sorry")
                assert waited < 5, waited
        finally:
            stack.rasa.resume()
        assert stored_texts(client, conversation_id, token) == [("customer", "hello")]


def test_a_message_rasa_was_too_busy_for_is_answered_once_it_is_back(
    settings: Settings, stack: RasaStack
) -> None:
    """Overload: the customer sees the bot typing at once, the apology after RASA_TIMEOUT_S,
    and the answer when Rasa answers again (the message stays in the outbox), once."""
    quick = settings.model_copy(update={"rasa_timeout_s": 1.5, "relay_retry_after_s": 3.0})
    with TestClient(create_app(quick)) as client:
        conversation_id, token = start_conversation(client, "en")
        stack.rasa.pause()
        try:
            with connect(client, conversation_id, token) as ws:
                say(ws, "hello")
                typing = next_event(ws, "typing")
                assert typing["role"] == "bot" and typing["on"] is True
                apology = bot_reply(ws)
                assert apology["code"] == "bot_unavailable"
                assert "as soon as possible" in apology["message"]
                stack.rasa.resume()
                reply = bot_reply(ws)  # relayed again RELAY_RETRY_AFTER_S after the first try
                assert reply["role"] == "bot" and "Northwind" in reply["text"]
                time.sleep(4.0)  # past another retry time: a second answer would be queued now
                ws.send_json({"type": "ping"})
                assert next_event(ws, "pong", "message", "buttons", "error")["type"] == "pong"
        finally:
            stack.rasa.resume()
        roles = [role for role, _text in stored_texts(client, conversation_id, token)]
    assert roles == ["customer", "bot"]
