"""Two bridge processes behind one shop, sharing PostgreSQL and Redis: a customer on one, the
agents on the other, and everything a single bridge does still works across them (presence,
queue snapshots, the claim race, live chat and typing both ways, the customer leaving, the
shared rate limit, hand back to the bot).

Each bridge is its own app with its own event loop and memory, as a process has; what they
share is only what a second host would share: the database, Redis and the Rasa stack.
"""

import asyncio
from collections.abc import Iterator

import pytest

from bridge.db.migrate import upgrade
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import make_settings, truncate_postgres
from tests.live_chat import console, customer, signed_in_agent, start
from tests.processes import LiveBridge, RasaStack
from tests.redis_server import delete_prefix, fresh_prefix

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def bridges(
    postgres_url: str, redis_url: str, stack: RasaStack, bridge_port: int, kb_settings: KBSettings
) -> Iterator[tuple[LiveBridge, LiveBridge]]:
    """Bridge A on the port the action server calls, bridge B on another, one Redis prefix."""
    upgrade(postgres_url)
    aio.run(truncate_postgres(postgres_url))
    prefix = fresh_prefix()
    settings = make_settings(
        postgres_url, stack, redis_url=redis_url, redis_prefix=prefix, nps_after_agent=False
    )
    first = LiveBridge(settings, kb_settings, port=bridge_port)
    second = LiveBridge(settings, kb_settings)
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


async def test_customer_on_one_bridge_agents_on_the_other(
    bridges: tuple[LiveBridge, LiveBridge],
) -> None:
    bridge_a, bridge_b = bridges
    async with (
        signed_in_agent(bridge_b, "anna@example.com") as anna,  # online, as seen from A too
        signed_in_agent(bridge_a, "ben@example.com") as ben,
    ):
        conversation_id, token = await start(bridge_a)
        async with (
            console(bridge_b, anna.cookies) as desk,
            customer(bridge_a, conversation_id, token) as widget,
        ):
            await desk.next("queue")  # the snapshot at connect: empty
            await widget.send(type="message", text="I want to talk to a real person")
            await widget.next("status", status="waiting_for_agent")
            queued = await widget.next("message", role="bot")
            assert "number 1 in the queue" in queued["text"]  # not "no agents online"

            # Queued on A, announced on B.
            snapshot = await desk.next("queue")
            while not snapshot["handoffs"]:
                snapshot = await desk.next("queue")
            [waiting] = snapshot["handoffs"]
            handoff = waiting["handoff_id"]

            # Anna on B and Ben on A claim at once: exactly one wins.
            claims = await asyncio.gather(
                anna.post(f"/api/staff/handoffs/{handoff}/claim"),
                ben.post(f"/api/staff/handoffs/{handoff}/claim"),
            )
            assert sorted(c.status_code for c in claims) == [200, 409], [c.text for c in claims]
            winner = anna if claims[0].status_code == 200 else ben
            winner_bridge = bridge_b if winner is anna else bridge_a
            await widget.next("status", status="with_agent")

            async with console(winner_bridge, winner.cookies) as chat:
                await chat.send(type="subscribe", conversation_id=conversation_id, after=0)
                await chat.next("customer_presence", present=True)
                await chat.send(type="typing", conversation_id=conversation_id, on=True)
                assert (await widget.next("typing", role="agent"))["on"] is True
                await chat.send(type="message", conversation_id=conversation_id, text="Hi there!")
                assert (await widget.next("message", role="agent"))["text"] == "Hi there!"
                await widget.send(type="message", text="my parcel is late")
                heard = await chat.next("message", role="customer", text="my parcel is late")
                assert heard["conversation_id"] == conversation_id

                # Anna's console on B hears the customer leave A and come back on B.
                await widget.socket.close()
                await chat.next("customer_presence", present=False)
                async with customer(bridge_b, conversation_id, token) as again:
                    await chat.next("customer_presence", present=True)
                    await again.send(type="message", text="still there?")
                    await chat.next("message", role="customer", text="still there?")

                    back = await winner.post(f"/api/staff/handoffs/{handoff}/hand-back")
                    assert back.status_code == 200, back.text
                    await again.next("status", status="bot")


async def test_the_message_limit_is_shared_by_the_bridges(
    bridges: tuple[LiveBridge, LiveBridge],
) -> None:
    bridge_a, bridge_b = bridges
    limit = bridge_a.settings.rate_limit_messages
    conversation_id, token = await start(bridge_a)
    async with (
        customer(bridge_a, conversation_id, token) as on_a,
        customer(bridge_b, conversation_id, token) as on_b,
    ):
        for n in range(limit):  # each stored (echoed) before the next: a known order
            tab = on_a if n % 2 else on_b
            await tab.send(type="message", text=f"thanks {n}")
            await tab.next("message", role="customer", text=f"thanks {n}")
        await on_a.send(type="message", text="one too many")
        refused = await on_a.next("error")
        assert refused["code"] == "rate_limited"
        await on_b.send(type="message", text="and from the other tab")
        assert (await on_b.next("error"))["code"] == "rate_limited"
