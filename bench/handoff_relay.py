"""Live chats between customers and agents through one bridge process, and idle sockets.

Starts a bridge (uvicorn, SQLite; no Rasa: a chat with an agent never reaches the bot),
signs in 20 agents, queues 200 customers and has each agent claim 10 of them, then plays
every chat at once: each side sends its next message when it has seen the other's (closed
loop), 10 messages each way per chat, first at a person's pace (each side pauses about
`--think` seconds before answering), then flat out. A relay is timed from one side's send
to the other side's receipt; every message carries an id, so lost ones are counted. Then it
opens 1,000 idle customer websockets and reads the bridge process's memory before and after.

    .venv/bin/python -m bench.handoff_relay [--chats 200] [--agents 20] [--rounds 10] [--think 2]
"""

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.report import percentile, write_section
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.migrate import upgrade
from bridge.db.users import create_user
from bridge.services.passwords import hash_password
from tests.processes import ROOT, Process, answers, free_port, service_env, wait_until

SERVICE_TOKEN = "bench-service-token-that-is-long-enough-000"
PASSWORD = "bench password 123"
IDLE_SOCKETS = 1000
RECEIPT_TIMEOUT_S = 30.0


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    sent: int = 0
    received: int = 0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def add_agents(database_url: str, count: int) -> list[str]:
    engine = create_engine(database_url)
    hashed = hash_password(PASSWORD)
    emails = [f"agent{n}@bench.example" for n in range(count)]
    try:
        async with create_sessionmaker(engine).begin() as session:
            for email in emails:
                await create_user(
                    session=session, email=email, display_name=email, role="agent",
                    password_hash=hashed,
                )  # fmt: skip
    finally:
        await engine.dispose()
    return emails


async def sign_in(url: str, email: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=url, timeout=30)
    await http.get("/login")
    response = await http.post(
        "/api/staff/login",
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRF-Token": http.cookies["sb_csrf"]},
    )
    response.raise_for_status()
    http.headers["X-CSRF-Token"] = http.cookies["sb_csrf"]
    return http


async def recv(ws: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
    return event


class Chat:
    """One customer and the agent's console feed of that conversation."""

    def __init__(self, conversation_id: str, token: str) -> None:
        self.id = conversation_id
        self.token = token
        self.agent_inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()


async def console_reader(ws: Any, chats: dict[str, Chat]) -> None:
    """Dispatches the agent socket's events to the chats they belong to."""
    while True:
        event = json.loads(await ws.recv())
        chat = chats.get(event.get("conversation_id", ""))
        if chat is not None and event["type"] == "message" and event["role"] == "customer":
            chat.agent_inbox.put_nowait(event)


async def relay(send: Awaitable[None], arrived: Awaitable[None], tally: Tally) -> None:
    """One message: timed from the send to the other side's receipt; lost after 30 s."""
    sent = time.perf_counter()
    await send
    tally.sent += 1
    try:
        await asyncio.wait_for(arrived, RECEIPT_TIMEOUT_S)
    except TimeoutError:
        return  # lost: sent but never received
    tally.latencies_ms.append((time.perf_counter() - sent) * 1000)
    tally.received += 1


async def play(
    chat: Chat,
    customer: Any,
    console: Any,
    rounds: int,
    think_s: float,
    tally: Tally,
    start: asyncio.Event,
) -> None:
    """Customer asks, agent answers, `rounds` times; each waits `think_s` (±50 %) first.
    Client ids carry the phase, since a repeated id is a re-send and stored only once."""
    pace = random.Random(chat.id)
    tag = f"t{think_s:g}-"
    await start.wait()
    for n in range(rounds):

        async def agent_got(client_id: str = f"{tag}c{n}") -> None:
            while (await chat.agent_inbox.get())["client_id"] != client_id:
                pass

        async def customer_got(client_id: str = f"{tag}a{n}") -> None:
            while True:
                event = await recv(customer)
                if event["type"] == "message" and event.get("client_id") == client_id:
                    return

        question = {"type": "message", "text": f"q{n}", "client_id": f"{tag}c{n}"}
        answer = {
            "type": "message",
            "conversation_id": chat.id,
            "text": f"a{n}",
            "client_id": f"{tag}a{n}",
        }
        await asyncio.sleep(think_s * pace.uniform(0.5, 1.5))
        await relay(customer.send(json.dumps(question)), agent_got(), tally)
        await asyncio.sleep(think_s * pace.uniform(0.5, 1.5))
        await relay(console.send(json.dumps(answer)), customer_got(), tally)


async def live_chats(
    url: str, database_url: str, chats_n: int, agents_n: int, rounds: int, think_s: float
) -> dict[float, tuple[Tally, float]]:
    """For each pace (`think_s`, then flat out): the tally and the seconds it took."""
    ws_url = url.replace("http", "ws", 1)
    emails = await add_agents(database_url, agents_n)
    agents = [await sign_in(url, email) for email in emails]
    for http in agents:
        (await http.get("/api/staff/me")).raise_for_status()  # online
    public = httpx.AsyncClient(base_url=url, timeout=30)
    chats: list[Chat] = []
    for _ in range(chats_n):
        created = (await public.post("/api/conversations", json={"language": "en"})).json()
        chat = Chat(created["conversation_id"], created["token"])
        body = {"conversation_id": chat.id, "reason": "customer_request", "context": {}}
        response = await public.post(
            "/api/handoffs", json=body, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}
        )
        response.raise_for_status()
        owner = agents[len(chats) % agents_n]
        (
            await owner.post(f"/api/staff/handoffs/{response.json()['handoff_id']}/claim")
        ).raise_for_status()
        chats.append(chat)
    by_agent: dict[int, dict[str, Chat]] = {}
    for n, chat in enumerate(chats):
        by_agent.setdefault(n % agents_n, {})[chat.id] = chat
    consoles = []
    for n, http in enumerate(agents):
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        ws = await websockets.connect(
            f"{ws_url}/ws/agent", additional_headers={"Cookie": cookie}, origin=url
        )
        for chat in by_agent[n].values():
            await ws.send(json.dumps({"type": "subscribe", "conversation_id": chat.id, "after": 0}))
        consoles.append(ws)
    readers = [
        asyncio.create_task(console_reader(ws, by_agent[n])) for n, ws in enumerate(consoles)
    ]
    customers = [
        await websockets.connect(f"{ws_url}/ws/chat/{chat.id}?token={chat.token}") for chat in chats
    ]
    await asyncio.sleep(1.0)  # every feed subscribed and replayed
    results: dict[float, tuple[Tally, float]] = {}
    for pace in (think_s, 0.0):
        tally = Tally()
        start = asyncio.Event()
        games = [
            asyncio.create_task(
                play(chat, customers[n], consoles[n % agents_n], rounds, pace, tally, start)
            )
            for n, chat in enumerate(chats)
        ]
        began = time.perf_counter()
        start.set()
        await asyncio.gather(*games)
        results[pace] = (tally, time.perf_counter() - began)
    for task in readers:
        task.cancel()
    for ws in [*customers, *consoles]:
        await ws.close()
    for http in [*agents, public]:
        await http.aclose()
    return results


async def idle_sockets(url: str, pid: int, count: int) -> tuple[float, float]:
    ws_url = url.replace("http", "ws", 1)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        created = [
            (await http.post("/api/conversations", json={"language": "en"})).json()
            for _ in range(count)
        ]
    await asyncio.sleep(1.0)
    before = rss_mib(pid)
    sockets = []
    for body in created:
        sockets.append(
            await websockets.connect(
                f"{ws_url}/ws/chat/{body['conversation_id']}?token={body['token']}"
            )
        )
    await asyncio.sleep(2.0)
    after = rss_mib(pid)
    for ws in sockets:
        await ws.close()
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between messages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite+aiosqlite:///{workdir / 'bridge.db'}"
        upgrade(database_url)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = service_env(
            DATABASE_URL=database_url,
            ENVIRONMENT="test",
            SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789",
            SERVICE_TOKEN=SERVICE_TOKEN,
            PUBLIC_URL=url,
            RATE_LIMIT_MESSAGES="100000",
            RASA_URL="http://127.0.0.1:9",
            ACTION_SERVER_URL="http://127.0.0.1:9",
            NEW_CONVERSATIONS_PER_IP="1000000",  # every bench customer has one address
        )
        bridge = Process(
            [str(ROOT / ".venv/bin/uvicorn"), "--factory", "bridge.app:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
             "--log-level", "warning", "--no-proxy-headers"],
            workdir / "bridge.log",
            env,
        )  # fmt: skip
        bridge.start()
        try:
            wait_until(lambda: answers(f"{url}/healthz"), timeout=60, what="bridge")
            assert bridge.popen is not None
            results = asyncio.run(
                live_chats(url, database_url, args.chats, args.agents, args.rounds, args.think)
            )
            before, after = asyncio.run(idle_sockets(url, bridge.popen.pid, IDLE_SOCKETS))
        except BaseException:
            print(bridge.tail())
            raise
        finally:
            bridge.stop()
    rows = []
    for pace, (tally, seconds) in results.items():
        label = f"think {pace:g} s (±50 %)" if pace else "flat out (no pause)"
        p50, p95, p99 = (percentile(tally.latencies_ms, q) for q in (50, 95, 99))
        rows.append(
            f"| {label} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {tally.received / seconds:.0f} | "
            f"{tally.sent - tally.received} of {tally.sent} |"
        )
    body = (
        f"{args.chats} live chats at once ({args.agents} agents, {args.chats // args.agents} "
        f"chats each), {args.rounds} messages each way per chat: the customer asks, the agent "
        f"answers, each after a pause, then the same again with no pause (the bridge's "
        f"ceiling). One bridge process (uvicorn, SQLite); the load generator shares the "
        f"machine's two cores. A relay is one side's send until the other side's receipt "
        f"(stored first); a message not received within {RECEIPT_TIMEOUT_S:g} s is lost.\n\n"
        f"| pace | relay p50 ms | p95 ms | p99 ms | messages/s | lost |\n"
        f"|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n\n"
        f"Target: relay p95 ≤ 30 ms, nothing lost. {IDLE_SOCKETS:,} idle customer websockets "
        f"held by the bridge process: {before:.0f} → {after:.0f} MiB resident "
        f"(+{(after - before) * 1024 / IDLE_SOCKETS:.0f} KiB per socket).\n"
    )
    print(body)
    write_section(
        "Live chats through the bridge",
        "make bench (.venv/bin/python -m bench.handoff_relay)",
        body,
    )


if __name__ == "__main__":
    main()
