"""`make run-scaled` for real: nginx in front of two bridge processes, two Rasa processes with
the PostgreSQL tracker store and the Redis lock store, the action server, all under
supervisord. What a shop that outgrew one process relies on: answers in the customer's
language through nginx, turns of one conversation in order across Rasa processes, and a
killed process restarted while the others keep serving.
"""

import asyncio
import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from knowledge_base.settings import get_kb_settings
from tests import aio
from tests.conftest import make_settings, private_index
from tests.live_chat import (
    ask,
    ask_for_a_person,
    claim_race,
    console,
    customer,
    signed_in_agent,
    start,
    talk_both_ways,
)
from tests.postgres import admin_sql
from tests.processes import RASA_AUTH, RASA_TOKEN, answers, wait_until
from tests.redis_server import delete_prefix, fresh_prefix
from tests.scaled_stack import ScaledStack

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.redis]

HU_GREETING = ("Üdvözlöm!", "Jó, hogy benézett")
EN_GREETING = ("Hi! I'm", "Hello and welcome")


@pytest.fixture(scope="module")
def scaled(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, postgres_url: str
) -> Iterator[ScaledStack]:
    server = make_url(postgres_url)
    names = [f"supportbot_scaled_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    bridge_db, tracker_db = (
        server.set(database=name).render_as_string(hide_password=False) for name in names
    )
    prefix = fresh_prefix()
    # Its own copy of the index: an article published in a test reaches no other test.
    index = private_index(get_kb_settings(), tmp_path_factory.mktemp("kb-index"))
    settings = make_settings(
        bridge_db, None, redis_url=redis_url, redis_prefix=prefix, rate_limit_messages=100
    )
    stack = ScaledStack(
        tmp_path_factory.mktemp("scaled"),
        settings=settings,
        tracker_url=make_url(tracker_db).set(drivername="postgresql").render_as_string(False),
        redis_url=redis_url,
        # A message whose bridge died before Rasa answered is relayed again after 10 s.
        extra_env={
            "NPS_AFTER_AGENT": "false",
            "RELAY_RETRY_AFTER_S": "10",
            "KB_INDEX_DIR": str(index.index_dir),
        },
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        delete_prefix(redis_url, prefix)
        for name in names:
            aio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _say(front: Any, language: str, text: str) -> str:
    conversation_id, token = await start(front, language=language)
    async with customer(front, conversation_id, token) as widget:
        await widget.send(type="message", text=text, client_id=str(uuid.uuid4()))
        reply = await widget.next("message", role="bot")
    return str(reply["text"])


def test_answers_in_the_pages_language_from_the_first_message_through_nginx(
    scaled: ScaledStack,
) -> None:
    # The bridge sets Rasa's `language` slot itself; no action runs on the turn for it.
    hungarian = aio.run(_say(scaled.front, "hu", "szia"))
    english = aio.run(_say(scaled.front, "en", "hello"))
    assert hungarian.startswith(HU_GREETING), hungarian
    assert english.startswith(EN_GREETING), english


def _turns(rasa_url: str, sender: str) -> tuple[list[str], str]:
    """What the customer said, from Rasa's tracker, and the turns as letters: U a user message,
    A an action, L action_listen. A turn that ran into another shows as UU or UL."""
    tracker = httpx.get(
        f"{rasa_url}/conversations/{sender}/tracker", params={"token": RASA_TOKEN}, timeout=30
    ).json()
    said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    turns = "".join(
        "U" if e["event"] == "user" else "L" if e.get("name") == "action_listen" else "A"
        for e in tracker["events"]
        if e["event"] in ("user", "action")
    )
    return said, turns


def test_fifty_rapid_messages_of_one_conversation_are_answered_in_order(
    scaled: ScaledStack,
) -> None:
    """Fifty messages sent at once through nginx: each is stored, relayed in order (the turn
    order in Redis), answered once, and Rasa's tracker has them in the order they were sent,
    never two turns interleaved."""
    # Distinct texts without digits (a number reads as an NPS score).
    texts = [f"hello {a}{b}" for a in "abcdefghij" for b in "vwxyz"]

    async def chat() -> str:
        conversation_id, token = await start(scaled.front, language="en")
        async with customer(scaled.front, conversation_id, token) as widget:
            for text in texts:
                await widget.send(type="message", text=text, client_id=str(uuid.uuid4()))
            for _ in texts:  # each turn ends with the bot's typing indicator going off
                await widget.next("typing", role="bot", on=False)
        return conversation_id

    conversation_id = aio.run(chat())
    said, turns = _turns(scaled.rasa_urls[0], conversation_id)
    assert said == texts
    assert "UU" not in turns and "UL" not in turns, turns


def test_turns_sent_to_both_rasa_processes_at_once_run_one_at_a_time(
    scaled: ScaledStack,
) -> None:
    """Past the bridge: 50 messages of one conversation sent to both Rasa processes at once,
    alternating. The Redis lock store (rasa_addons/lock_store.py) runs them one at a time, so
    the shared tracker has every message once, each turn complete before the next; with
    Rasa's own `type: redis` lock store some were lost."""
    sender = f"lock-{uuid.uuid4().hex}"
    texts = [f"hello {a}{b}" for a in "abcdefghij" for b in "vwxyz"]

    async def send_all() -> list[int]:
        async with httpx.AsyncClient(timeout=120) as http:

            async def one(i: int) -> int:
                response = await http.post(
                    f"{scaled.rasa_urls[i % 2]}/webhooks/rest/webhook",
                    json={"sender": sender, "message": texts[i]},
                    headers=RASA_AUTH,
                )
                return response.status_code

            return await asyncio.gather(*(one(i) for i in range(len(texts))))

    assert aio.run(send_all()) == [200] * len(texts)
    said, turns = _turns(scaled.rasa_urls[1], sender)
    assert sorted(said) == sorted(texts)
    assert "UU" not in turns and "UL" not in turns, turns


def test_a_killed_rasa_process_is_restarted_while_the_other_keeps_answering(
    scaled: ScaledStack,
) -> None:
    program = f"rasa:rasa-{scaled.rasa_first_port}"
    old = scaled.pid(program)
    os.kill(old, signal.SIGKILL)
    # Conversations of the dead process go to the other one (it refuses connections).
    replies = [aio.run(_say(scaled.front, "en", "hello")) for _ in range(4)]
    assert all(reply.startswith(EN_GREETING) for reply in replies), replies
    scaled.restarted(program, old)
    dead_url = scaled.rasa_urls[0]
    began = time.monotonic()
    while time.monotonic() - began < 180:
        try:
            if httpx.get(f"{dead_url}/status", params={"token": RASA_TOKEN}, timeout=5).is_success:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    else:
        raise AssertionError("the restarted Rasa process never answered")
    deadline = time.monotonic() + 60
    while not scaled.ready() and time.monotonic() < deadline:
        time.sleep(1)
    assert scaled.ready()


def test_a_killed_action_server_is_restarted_and_answers_again(scaled: ScaledStack) -> None:
    question = "how can I reset my password?"
    assert "/kb/password-reset" in aio.run(ask(scaled.front, question))
    old = scaled.pid("actions")
    os.kill(old, signal.SIGKILL)
    # While it is down the customer still gets a reply (the bot's apology), never silence.
    assert aio.run(ask(scaled.front, question))
    back_after = scaled.restarted("actions", old)
    assert back_after < 30
    deadline = time.monotonic() + 60
    while "/kb/password-reset" not in (answer := aio.run(ask(scaled.front, question))):
        assert time.monotonic() < deadline, f"no knowledge-base answer again: {answer!r}"
        time.sleep(1)


def test_a_widget_whose_bridge_is_killed_reconnects_through_nginx_and_loses_nothing(
    scaled: ScaledStack,
) -> None:
    """Bridge processes are killed right after a message went out (both at once, then one),
    so the widget's socket dies mid-turn: it reconnects through nginx to whichever bridge is
    up, re-sends what was not answered (the same client id), and every message is answered,
    once, in order (a message stored before the crash is relayed by the outbox,
    RELAY_RETRY_AFTER_S later)."""
    conversation_id, token = aio.run(start(scaled.front, language="en"))
    ws_base = scaled.url.replace("http", "ws", 1) + f"/ws/chat/{conversation_id}?token={token}"
    texts = ["hello alpha", "hello bravo", "hello charlie", "hello delta"]
    drops, seen = 0, 0  # seen: the last message number received, as the widget keeps it

    async def chat(pending: list[str], kill: list[int]) -> None:
        """Like the widget: send, wait for the bot's turn, reconnect after a drop."""
        nonlocal drops, seen
        killed = False
        deadline = time.monotonic() + 120
        while pending:
            assert time.monotonic() < deadline, f"not answered: {pending}"
            try:
                async with connect(f"{ws_base}&after={seen}") as ws:
                    while pending:
                        # The same client id on a re-send: stored once.
                        client_id = str(uuid.uuid5(uuid.NAMESPACE_URL, pending[0]))
                        message = {"type": "message", "text": pending[0], "client_id": client_id}
                        await ws.send(json.dumps(message))
                        sent_after = seen
                        if not killed:
                            killed = True
                            for pid in kill:
                                os.kill(pid, signal.SIGKILL)
                        while True:
                            event = json.loads(await asyncio.wait_for(ws.recv(), 60))
                            assert event["type"] != "error", event
                            seen = max(seen, event.get("seq", 0))
                            if event.get("role") == "bot" and event.get("seq", 0) > sent_after:
                                break
                        pending.pop(0)
            except TimeoutError:
                raise AssertionError(f"no answer to {pending[0]!r} within 60 s") from None
            except (ConnectionClosed, InvalidStatus, ConnectionRefusedError):
                drops += 1  # the bridge died, or nginx has none up yet: retry, as the widget
                await asyncio.sleep(0.5)

    programs = [f"bridge:bridge-{scaled.bridge_first_port + i}" for i in range(2)]
    for texts_now, killed in ((texts[:2], programs), (texts[2:], programs[:1])):
        pids = [scaled.pid(program) for program in killed]
        aio.run(chat(list(texts_now), pids))
        for program, pid in zip(killed, pids, strict=True):
            scaled.restarted(program, pid)
    assert drops >= 1
    transcript = httpx.get(
        f"{scaled.url}/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert transcript.status_code == 200, transcript.text
    lines = transcript.json()["messages"]
    assert [m["text"] for m in lines if m["role"] == "customer"] == texts
    assert [m["seq"] for m in lines] == list(range(1, len(lines) + 1))
    # Each message got its turn: the greeting follows each, before the next message.
    summary = [(m["seq"], m["role"], m["text"][:12], m["created_at"]) for m in lines]
    assert [m["role"] for m in lines] == ["customer", "bot"] * len(texts), summary


async def test_agents_on_two_bridge_processes_race_for_a_customer_who_came_through_nginx(
    scaled: ScaledStack,
) -> None:
    """Queue, the claim race (two agents on two processes: exactly one wins), live chat and
    typing both ways through nginx, and hand back to the bot."""
    for url in scaled.bridge_urls:  # a bridge an earlier test killed may still be starting
        wait_until(lambda url=url: answers(f"{url}/healthz"), timeout=60, what=url)
    async with (
        signed_in_agent(scaled.bridge(0), "anna@example.com") as anna,
        signed_in_agent(scaled.bridge(1), "ben@example.com") as ben,
    ):
        conversation_id, token = await start(scaled.front)
        async with (
            console(scaled.front, anna.cookies) as desk,
            customer(scaled.front, conversation_id, token) as widget,
        ):
            await desk.next("queue")
            handoff = await ask_for_a_person(desk, widget)
            winner = await claim_race((anna, ben), handoff, widget)
            async with console(scaled.front, winner.cookies) as chat:
                await talk_both_ways(chat, widget, conversation_id)
                back = await winner.post(f"/api/staff/handoffs/{handoff}/hand-back")
                assert back.status_code == 200, back.text
                await widget.next("status", status="bot")


GIFT_WRAPPING = {
    "id": "scaled-gift-wrapping",
    "lang": "en",
    "title": "Gift wrapping",
    "tags": ["orders"],
    "questions": ["can you gift wrap my order?"],
    "body": "We gift wrap any order for 3 euros: tick gift wrapping at checkout and add a card "
    "message of up to 200 characters.",
}


async def _publish_and_wait(scaled: ScaledStack) -> float:
    """Publish through bridge 0; seconds until a customer on bridge 1 gets the article."""
    writer = scaled.bridge(0)
    async with signed_in_agent(writer, "writer@example.com", role="editor") as http:  # type: ignore[arg-type]
        created = await http.post("/api/studio/articles", json=GIFT_WRAPPING)
        assert created.status_code == 201, created.text
        published = await http.post(
            f"/api/studio/articles/{GIFT_WRAPPING['id']}/publish",
            json={"version": created.json()["version"], "article": GIFT_WRAPPING},
            timeout=60,  # this bridge indexes it before answering
        )
        assert published.status_code == 200, published.text
    started = time.monotonic()
    while time.monotonic() - started < 30:
        answer = await ask(scaled.bridge(1), "do you gift wrap orders?")  # type: ignore[arg-type]
        if "gift wrap any order" in answer:
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    raise AssertionError(f"not answered from the new article within 30 s: {answer!r}")


def test_an_article_published_on_one_bridge_is_answered_through_the_other(
    scaled: ScaledStack,
) -> None:
    # The action server, another process, switches to the index the first bridge built.
    assert aio.run(_publish_and_wait(scaled)) <= 10
