"""Two bridge processes behind one shop, sharing PostgreSQL and Redis: a customer on one, the
agents on the other, and everything a single bridge does still works across them (presence,
queue snapshots, the claim race, live chat and typing both ways, the customer leaving, the
shared rate limit, hand back to the bot).

Each bridge is its own app with its own event loop and memory, as a process has; what they
share is only what a second host would share: the database, Redis and the Rasa stack.
"""

from collections.abc import Iterator

import pytest

from bridge.db.migrate import upgrade
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import make_settings, truncate_postgres
from tests.live_chat import (
    ask_for_a_person,
    claim_race,
    console,
    customer,
    signed_in_agent,
    start,
    talk_both_ways,
)
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
            handoff = await ask_for_a_person(desk, widget)  # queued on one, seen on the other

            # Anna on B and Ben on A claim at once: exactly one wins.
            winner = await claim_race((anna, ben), handoff, widget)
            winner_bridge = bridge_b if winner is anna else bridge_a

            async with console(winner_bridge, winner.cookies) as chat:
                await talk_both_ways(chat, widget, conversation_id)

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
