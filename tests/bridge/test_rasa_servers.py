"""Several Rasa servers (`RASA_URLS`) against the real stack: a conversation whose server
refuses connections is served by another, turns go around a server that stopped answering or
refused lately, and /readyz tells busy and down servers apart."""

import asyncio
import socket
import threading
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bridge.app import create_app
from bridge.db.migrate import upgrade
from bridge.services.rasa_client import BotReply, RasaClient, RasaUnavailable
from knowledge_base.settings import KBSettings
from tests import aio
from tests.chat import bot_reply, connect, say, start_conversation
from tests.conftest import make_settings
from tests.processes import RASA_TOKEN, RasaStack, free_port

pytestmark = pytest.mark.stack


@pytest.fixture
def hung_server() -> Iterator[str]:
    """A server that accepts connections and never answers: a saturated Rasa."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def _client(tmp_path: Path, stack: RasaStack, kb: KBSettings, rasa_urls: str) -> TestClient:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    return TestClient(create_app(make_settings(url, stack, rasa_urls=rasa_urls), kb))


def test_a_conversation_whose_rasa_refuses_is_served_by_another(
    tmp_path: Path, stack: RasaStack, kb_settings: KBSettings
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: refused, as while restarting
    with _client(tmp_path, stack, kb_settings, f"{dead},{stack.rasa_url}") as client:
        served_by_the_other = 0
        while served_by_the_other < 3:
            conversation_id, token = start_conversation(client, "hu")
            if zlib.crc32(conversation_id.encode()) % 2 != 0:
                continue  # its own server is the live one: not what this test is about
            with connect(client, conversation_id, token) as ws:
                say(ws, "jó napot")
                reply = bot_reply(ws)
            assert reply["type"] == "message", reply
            assert "Northwind Webáruház" in reply["text"]  # the language slot went along too
            served_by_the_other += 1
        report = client.get("/readyz")
        assert report.status_code == 200
        assert report.json()["status"] == "degraded"
        assert report.json()["rasa_servers"] == ["down", "ready"]


def _preferring_the_first_of_two(count: int) -> list[str]:
    """Conversation ids whose own server (by hash) is the first of two."""
    ids: list[str] = []
    while len(ids) < count:
        candidate = f"spread-{uuid.uuid4()}"
        if zlib.crc32(candidate.encode()) % 2 == 0:
            ids.append(candidate)
    return ids


def test_turns_go_around_a_server_that_stopped_answering(
    stack: RasaStack, hung_server: str
) -> None:
    stuck_id, *others = _preferring_the_first_of_two(4)

    async def scenario() -> tuple[list[list[BotReply]], BaseException | None]:
        rasa = RasaClient(base_urls=[hung_server, stack.rasa_url], token=RASA_TOKEN, timeout_s=4)
        try:
            stuck = asyncio.create_task(
                rasa.send(conversation_id=stuck_id, text="hello", metadata={})
            )
            await asyncio.sleep(0.3)  # its turn now waits on the hung server
            # By hash alone these would go to the hung server too, and time out.
            answered = [
                await rasa.send(conversation_id=other, text="hello", metadata={})
                for other in others
            ]
            failure = (await asyncio.gather(stuck, return_exceptions=True))[0]
            return answered, failure if isinstance(failure, BaseException) else None
        finally:
            await rasa.aclose()

    answered, failure = aio.run(scenario())
    assert all(replies and replies[0].text for replies in answered), answered
    assert isinstance(failure, RasaUnavailable)  # the hung server's own turn: the apology


def test_a_server_that_refused_is_tried_last_for_a_while(stack: RasaStack) -> None:
    first_id, second_id = _preferring_the_first_of_two(2)
    restarting = socket.socket()
    restarting.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
    url = f"http://127.0.0.1:{restarting.getsockname()[1]}"

    async def scenario() -> tuple[list[BotReply], list[BotReply]]:
        rasa = RasaClient(base_urls=[url, stack.rasa_url], token=RASA_TOKEN, timeout_s=3)
        try:
            first = await rasa.send(conversation_id=first_id, text="hello", metadata={})
            # Now it accepts and never answers: trying it again would cost the turn.
            restarting.listen(8)
            second = await rasa.send(conversation_id=second_id, text="hello", metadata={})
            return first, second
        finally:
            await rasa.aclose()

    try:
        first, second = aio.run(scenario())
    finally:
        restarting.close()
    assert first and first[0].text  # refused, then served by the other
    assert second and second[0].text  # not sent to the server that refused a moment ago


def test_readyz_says_degraded_while_a_rasa_server_is_busy(
    tmp_path: Path, stack: RasaStack, kb_settings: KBSettings, hung_server: str
) -> None:
    with _client(tmp_path, stack, kb_settings, f"{stack.rasa_url},{hung_server}") as client:
        report = client.get("/readyz")
    assert report.status_code == 200
    assert report.json()["status"] == "degraded"
    assert report.json()["rasa_servers"] == ["ready", "busy"]
    assert report.json()["checks"]["rasa"] is True


def test_readyz_is_not_ready_when_no_rasa_server_answers(
    tmp_path: Path, stack: RasaStack, kb_settings: KBSettings
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with _client(tmp_path, stack, kb_settings, dead) as client:
        report = client.get("/readyz")
    assert report.status_code == 503
    assert report.json()["status"] == "not_ready"
    assert report.json()["rasa_servers"] == ["down"]


def test_rasa_urls_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        make_settings("sqlite+aiosqlite:///x.db", None, rasa_urls="http://ok:1,ftp://bad")
