"""A handoff end to end over real HTTP and websockets, with the real Rasa model and action
server: the customer asks for a person, the bot goes quiet, an agent claims the chat and
they talk, the agent hands back, and the bot answers from the knowledge base again. Then the
bridge restarts in the middle of a live chat and nothing is lost or repeated."""

import httpx
import pytest

from tests.live_chat import console, customer, start
from tests.processes import LiveBridge, RasaStack

pytestmark = pytest.mark.stack


# The NPS survey that may follow an agent has its own tests (test_nps_flow.py): here the bot greets.
@pytest.mark.bridge_settings(nps_after_agent=False)
async def test_ask_for_a_person_talk_and_hand_back_to_the_bot(
    live_bridge: LiveBridge, agent: httpx.AsyncClient, stack: RasaStack
) -> None:
    conversation_id, token = await start(live_bridge)
    async with customer(live_bridge, conversation_id, token) as widget:
        await widget.send(type="message", text="I want to talk to a real person")
        # The bridge queues it while the bot's turn runs: the status comes before the reply.
        await widget.next("status", status="waiting_for_agent")
        queued = await widget.next("message", role="bot")
        assert "number 1 in the queue" in queued["text"]

        # Paused: a message now is stored and echoed, and the bot says nothing.
        await widget.send(type="message", text="hello? anyone?")
        assert (await widget.next("message", role="customer"))["text"] == "hello? anyone?"
        assert await widget.quiet_for(3.0, "message", "buttons", "error") == []
        paused = stack.tracker(conversation_id)
        assert paused["paused"] is True

        async with console(live_bridge, agent.cookies) as desk:
            snapshot = await desk.next("queue")
            [waiting] = snapshot["handoffs"]
            assert waiting["reason"] == "customer_request"
            claimed = await agent.post(f"/api/staff/handoffs/{waiting['handoff_id']}/claim")
            assert claimed.status_code == 200, claimed.text
            await widget.next("status", status="with_agent")

            await desk.send(type="subscribe", conversation_id=conversation_id, after=0)
            assert (await desk.next("message", text="hello? anyone?"))["role"] == "customer"
            await desk.send(type="message", conversation_id=conversation_id, text="Hi, Anna here!")
            reply = await widget.next("message", role="agent")
            assert (reply["text"], reply["author"]) == ("Hi, Anna here!", "Anna")
            await widget.send(type="message", text="my parcel is late")
            assert (await desk.next("message", role="customer"))["text"] == "my parcel is late"

            back = await agent.post(f"/api/staff/handoffs/{waiting['handoff_id']}/hand-back")
            assert back.status_code == 200, back.text
            await widget.next("status", status="bot")
            greeting = await widget.next("message", role="bot")
            assert "Northwind Shop" in greeting["text"]

        # The bot is back and answers from the knowledge base.
        await widget.send(type="message", text="how can I reset my password?")
        answer = await widget.next("buttons", role="bot")  # with Helpful / Not helpful
        assert "/kb/password-reset" in answer["text"]
    events = [e["event"] for e in stack.tracker(conversation_id)["events"]]
    assert "pause" in events and "resume" in events


async def test_hand_back_when_rasa_is_down_keeps_the_chat_with_the_agent(
    live_bridge: LiveBridge, agent: httpx.AsyncClient, stack: RasaStack
) -> None:
    conversation_id, token = await start(live_bridge)
    async with customer(live_bridge, conversation_id, token) as widget:
        await widget.send(type="message", text="connect me to an agent")
        await widget.next("status", status="waiting_for_agent")
    queue = (await agent.get("/api/staff/queue")).json()["handoffs"]
    handoff_id = queue[0]["handoff_id"]
    assert (await agent.post(f"/api/staff/handoffs/{handoff_id}/claim")).status_code == 200
    stack.rasa.stop()
    try:
        refused = await agent.post(f"/api/staff/handoffs/{handoff_id}/hand-back")
        assert refused.status_code == 503 and refused.json()["code"] == "bot_unavailable"
        view = (await agent.get(f"/api/staff/conversations/{conversation_id}")).json()
        assert view["status"] == "with_agent" and view["handoff"]["status"] == "claimed"
    finally:
        stack.start_rasa()
    assert (await agent.post(f"/api/staff/handoffs/{handoff_id}/hand-back")).status_code == 200


async def test_a_bridge_restart_mid_chat_loses_and_repeats_nothing(
    live_bridge: LiveBridge, agent: httpx.AsyncClient
) -> None:
    conversation_id, token = await start(live_bridge)
    async with customer(live_bridge, conversation_id, token) as widget:
        await widget.send(type="message", text="I need a human")
        await widget.next("status", status="waiting_for_agent")
    handoff_id = (await agent.get("/api/staff/queue")).json()["handoffs"][0]["handoff_id"]
    assert (await agent.post(f"/api/staff/handoffs/{handoff_id}/claim")).status_code == 200

    async def exchange(n: int) -> tuple[int, int]:
        """Two messages each way; returns the last seq each side saw."""
        async with (
            customer(live_bridge, conversation_id, token, after=seen_customer) as widget,
            console(live_bridge, agent.cookies) as desk,
        ):
            await desk.send(type="subscribe", conversation_id=conversation_id, after=seen_agent)
            for i in range(2):
                await widget.send(type="message", text=f"customer {n}.{i}", client_id=f"c{n}{i}")
                await desk.next("message", text=f"customer {n}.{i}")
                await desk.send(
                    type="message",
                    conversation_id=conversation_id,
                    text=f"agent {n}.{i}",
                    client_id=f"a{n}{i}",
                )
                last = await widget.next("message", text=f"agent {n}.{i}")
            return last["seq"], last["seq"]

    seen_customer = seen_agent = 0
    seen_customer, seen_agent = await exchange(1)
    live_bridge.stop()
    live_bridge.start()
    assert (await agent.get("/api/staff/me")).status_code == 200  # the session survives
    seen_customer, seen_agent = await exchange(2)

    async with httpx.AsyncClient(base_url=live_bridge.url) as http:
        stored = (
            await http.get(
                f"/api/conversations/{conversation_id}/messages",
                headers={"Authorization": f"Bearer {token}"},
            )
        ).json()
    assert stored["status"] == "with_agent"
    texts = [m["text"] for m in stored["messages"] if m["role"] in ("customer", "agent")]
    assert texts[1:] == [
        "customer 1.0", "agent 1.0", "customer 1.1", "agent 1.1",
        "customer 2.0", "agent 2.0", "customer 2.1", "agent 2.1",
    ]  # fmt: skip
    seqs = [m["seq"] for m in stored["messages"]]
    assert seqs == list(range(1, len(seqs) + 1))
