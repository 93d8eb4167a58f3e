"""A transfer across bridge processes in the scaled mode: two bridges (real uvicorn, each with
its own event loop and memory) on one PostgreSQL database and one Redis, nothing else shared.

Anna holds a chat on bridge 1; her offer reaches Bela, whose console is on bridge 2, through
the Redis event bus; Bela accepts there, and Anna's console and the customer's widget, both on
bridge 1, hear it. Two offers of the chat made at once through the two bridges: one wins.
No Rasa: nothing here talks to the bot.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from bridge.db.migrate import upgrade
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import TEST_SERVICE_TOKEN, make_settings, truncate_postgres
from tests.live_chat import console, customer, signed_in_agent, start
from tests.processes import LiveBridge
from tests.redis_server import delete_prefix, fresh_prefix

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}


@pytest.fixture
def bridges(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> Iterator[tuple[LiveBridge, LiveBridge]]:
    upgrade(postgres_url)
    aio.run(truncate_postgres(postgres_url))
    prefix = fresh_prefix()
    settings = make_settings(postgres_url, None, redis_url=redis_url, redis_prefix=prefix)
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index", warm_up=False)
    first, second = LiveBridge(settings, kb), LiveBridge(settings, kb)
    first.start()
    try:
        second.start()
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()
        delete_prefix(redis_url, prefix)


@asynccontextmanager
async def same_agent_on(
    bridge: LiveBridge, agent: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    """The agent's browser session, talking to another bridge (a second tab behind nginx)."""
    async with httpx.AsyncClient(
        base_url=bridge.url, cookies=agent.cookies, headers=dict(agent.headers)
    ) as other:
        yield other


async def queued_and_claimed(bridge: LiveBridge, agent: httpx.AsyncClient) -> tuple[str, str, int]:
    conversation_id, token = await start(bridge)
    async with httpx.AsyncClient(base_url=bridge.url, headers=SERVICE) as action_server:
        queued = await action_server.post(
            "/api/handoffs",
            json={
                "conversation_id": conversation_id,
                "reason": "customer_request",
                "context": {"last_question": "where is my parcel?", "language": "en"},
            },
        )
    assert queued.status_code == 201, queued.text
    handoff_id = int(queued.json()["handoff_id"])
    claim = await agent.post(f"/api/staff/handoffs/{handoff_id}/claim")
    assert claim.status_code == 200, claim.text
    return conversation_id, token, handoff_id


async def test_a_transfer_from_one_bridge_is_accepted_on_the_other(
    bridges: tuple[LiveBridge, LiveBridge],
) -> None:
    one, two = bridges
    async with (
        signed_in_agent(one, "anna@example.com") as anna,
        signed_in_agent(two, "bela@example.com") as bela,
        signed_in_agent(two, "cili@example.com"),
        same_agent_on(two, anna) as anna_on_two,
    ):
        conversation_id, token, handoff_id = await queued_and_claimed(one, anna)
        colleagues = (await anna.get("/api/staff/agents/online")).json()["agents"]
        ids = {agent["display_name"]: agent["id"] for agent in colleagues}
        assert set(ids) == {"Bela", "Cili"}  # online on bridge 2, seen from bridge 1
        url = f"/api/staff/handoffs/{handoff_id}/transfer"
        async with (
            console(one, anna.cookies) as desk_a,
            console(two, bela.cookies) as desk_b,
            customer(one, conversation_id, token) as widget,
        ):
            await desk_a.next("queue")
            await desk_b.next("queue")

            # Anna's two tabs, one on each bridge, offer the chat at once: one offer wins.
            both = await asyncio.gather(
                anna.post(url, json={"to_agent_id": ids["Bela"], "note": "VIP customer"}),
                anna_on_two.post(url, json={"to_agent_id": ids["Cili"]}),
            )
            assert sorted(r.status_code for r in both) == [201, 409], [r.text for r in both]
            lost = next(r for r in both if r.status_code == 409)
            assert lost.json()["code"] == "transfer_pending"
            won = next(r for r in both if r.status_code == 201).json()["transfer"]
            if won["to_agent"]["id"] != ids["Bela"]:  # Cili's won: take it back, offer Bela
                back = await anna.post(f"/api/staff/transfers/{won['transfer_id']}/cancel")
                assert back.status_code == 200, back.text
                again = await anna.post(url, json={"to_agent_id": ids["Bela"], "note": "VIP"})
                assert again.status_code == 201, again.text
                won = again.json()["transfer"]

            offer = await desk_b.next("transfer_offer")  # on bridge 2, through Redis
            assert offer["transfer"]["transfer_id"] == won["transfer_id"]
            assert offer["transfer"]["from_agent"]["display_name"] == "Anna"

            accepted = await bela.post(f"/api/staff/transfers/{won['transfer_id']}/accept")
            assert accepted.status_code == 200, accepted.text
            assert accepted.json()["handoff"]["claimed_by"]["display_name"] == "Bela"

            told = await desk_a.next("transfer_accepted")  # back on bridge 1
            assert told["transfer"]["transfer_id"] == won["transfer_id"]
            line = await widget.next("message", role="system", author="Bela")
            assert line["text"] == "You are now chatting with Bela."

            # Bela writes from bridge 2; the customer reads it on bridge 1. Anna cannot.
            await desk_b.send(type="subscribe", conversation_id=conversation_id, after=0)
            await desk_b.next("customer_presence", present=True)
            await desk_b.send(type="message", conversation_id=conversation_id, text="Hi, Bela here")
            assert (await widget.next("message", role="agent"))["author"] == "Bela"
            await desk_a.send(type="message", conversation_id=conversation_id, text="still me?")
            assert (await desk_a.next("error"))["code"] == "not_yours"
