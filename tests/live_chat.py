"""Both ends of a live chat over real websockets, the way the widget and the console talk to
the bridge, read with timeouts: a test fails, it never hangs."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import NpsSurvey
from tests import aio
from tests.processes import LiveBridge
from tests.staff import PASSWORD, add_user

TIMEOUT_S = 20.0


class Peer:
    """One websocket end, read with timeouts: a test fails, it never hangs."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    async def send(self, **event: Any) -> None:
        await self.socket.send(json.dumps(event))

    async def next(self, kind: str, **match: object) -> dict[str, Any]:
        skipped: list[dict[str, Any]] = []
        try:
            async with asyncio.timeout(TIMEOUT_S):
                while True:
                    event: dict[str, Any] = json.loads(await self.socket.recv())
                    if event["type"] == kind and all(event.get(k) == v for k, v in match.items()):
                        return event
                    skipped.append(event)
        except TimeoutError:
            raise AssertionError(f"no {kind} {match}; got {skipped}") from None

    async def next_of(self, *kinds: str) -> dict[str, Any]:
        """The next event of any of `kinds`."""
        try:
            async with asyncio.timeout(TIMEOUT_S):
                while True:
                    event: dict[str, Any] = json.loads(await self.socket.recv())
                    if event["type"] in kinds:
                        return event
        except TimeoutError:
            raise AssertionError(f"no event of {kinds} within {TIMEOUT_S} s") from None

    async def quiet_for(self, seconds: float, *kinds: str) -> list[dict[str, Any]]:
        """Every event of `kinds` that arrives within `seconds` (the bot must stay silent)."""
        seen: list[dict[str, Any]] = []
        try:
            async with asyncio.timeout(seconds):
                while True:
                    event = json.loads(await self.socket.recv())
                    if event["type"] in kinds:
                        seen.append(event)
        except TimeoutError:
            return seen


@asynccontextmanager
async def customer(bridge: LiveBridge, conversation_id: str, token: str, after: int = 0) -> Any:
    ws_url = bridge.url.replace("http", "ws", 1)
    async with connect(f"{ws_url}/ws/chat/{conversation_id}?token={token}&after={after}") as ws:
        yield Peer(ws)


@asynccontextmanager
async def console(bridge: LiveBridge, cookies: httpx.Cookies) -> Any:
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    ws_url = bridge.url.replace("http", "ws", 1)
    async with connect(
        f"{ws_url}/ws/agent", additional_headers={"Cookie": cookie}, origin=bridge.url
    ) as ws:
        yield Peer(ws)


@asynccontextmanager
async def signed_in_agent(
    live_bridge: LiveBridge, email: str = "anna@example.com", *, role: str = "agent"
) -> AsyncIterator[httpx.AsyncClient]:
    """An agent (Anna unless told; or another role), signed in to the live bridge the way the
    login page does."""
    add_user(live_bridge.settings.database_url, email, role=role)
    async with httpx.AsyncClient(base_url=live_bridge.url) as http:
        await http.get("/login")
        response = await http.post(
            "/api/staff/login",
            json={"email": email, "password": PASSWORD},
            headers={"X-CSRF-Token": http.cookies["sb_csrf"]},
        )
        assert response.status_code == 200, response.text
        http.headers["X-CSRF-Token"] = http.cookies["sb_csrf"]
        assert (await http.get("/api/staff/me")).status_code == 200  # online
        yield http


async def ask_for_a_person(desk: Peer, widget: Peer) -> int:
    """The customer asks for a person while agents are online: queued (number 1), and the
    queue snapshot on an agent's console shows it; its handoff id."""
    await widget.send(type="message", text="I want to talk to a real person")
    await widget.next("status", status="waiting_for_agent")
    queued = await widget.next("message", role="bot")
    assert "number 1 in the queue" in queued["text"]  # not "no agents online"
    snapshot = await desk.next("queue")
    while not snapshot["handoffs"]:
        snapshot = await desk.next("queue")
    [waiting] = snapshot["handoffs"]
    return int(waiting["handoff_id"])


async def claim_race(
    agents: tuple[httpx.AsyncClient, httpx.AsyncClient], handoff: int, widget: Peer
) -> httpx.AsyncClient:
    """Both agents claim `handoff` at once: exactly one wins (returned), the other gets 409,
    and the customer's widget hears that an agent has the chat."""
    claims = await asyncio.gather(
        *(agent.post(f"/api/staff/handoffs/{handoff}/claim") for agent in agents)
    )
    assert sorted(c.status_code for c in claims) == [200, 409], [c.text for c in claims]
    await widget.next("status", status="with_agent")
    return agents[0] if claims[0].status_code == 200 else agents[1]


async def talk_both_ways(chat: Peer, widget: Peer, conversation_id: str) -> None:
    """The agent's console subscribes to the chat: presence, typing and a message from the
    agent reach the widget, and the customer's answer reaches the console."""
    await chat.send(type="subscribe", conversation_id=conversation_id, after=0)
    await chat.next("customer_presence", present=True)
    await chat.send(type="typing", conversation_id=conversation_id, on=True)
    assert (await widget.next("typing", role="agent"))["on"] is True
    await chat.send(type="message", conversation_id=conversation_id, text="Hi there!")
    assert (await widget.next("message", role="agent"))["text"] == "Hi there!"
    await widget.send(type="message", text="my parcel is late")
    heard = await chat.next("message", role="customer", text="my parcel is late")
    assert heard["conversation_id"] == conversation_id


async def start(
    bridge: LiveBridge, language: str = "en", visitor_id: str | None = None
) -> tuple[str, str]:
    """A new conversation, as the widget starts it; its id and token."""
    body: dict[str, Any] = {"language": language, "visitor_id": visitor_id}
    async with httpx.AsyncClient(base_url=bridge.url) as http:
        created = (await http.post("/api/conversations", json=body)).json()
    return created["conversation_id"], created["token"]


async def ask(bridge: LiveBridge, text: str, language: str = "en") -> str:
    """The bot's first reply to `text` in a new conversation: a plain message or an answer
    with its Helpful / Not helpful buttons."""
    conversation_id, token = await start(bridge, language=language)
    async with customer(bridge, conversation_id, token) as widget:
        await widget.send(type="message", text=text, client_id=str(uuid.uuid4()))
        while (event := await widget.next_of("message", "buttons"))["role"] != "bot":
            pass
    return str(event["text"])


def stored_surveys(database_url: str) -> list[NpsSurvey]:
    """The NPS surveys the bridge stored, oldest first (callable from sync and async tests)."""

    async def read() -> list[NpsSurvey]:
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                return list(await session.scalars(select(NpsSurvey).order_by(NpsSurvey.id)))
        finally:
            await engine.dispose()

    return aio.run(read())
