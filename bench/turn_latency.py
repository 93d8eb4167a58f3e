"""Turn latency through the bridge versus straight to Rasa's REST channel, in one run.

Starts the real Rasa server, action server and a bridge process (uvicorn, SQLite), then plays
200 turns with 1 conversation and 200 turns with 20 concurrent conversations (closed loop:
each conversation sends its next message when the reply to the previous one arrived), once
against Rasa's REST webhook and once through the bridge's websocket. Writes the table into
docs/benchmarks.md.

    .venv/bin/python -m bench.turn_latency [--turns 200] [--concurrency 20]
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import websockets

from bench.report import percentile, write_section
from bench.stack import running_stack
from tests.processes import RASA_AUTH

# Each of these gets exactly one bot reply, so a turn ends with the first bot message.
MESSAGES = ["hello", "what can you do?", "thanks", "are you a bot?"]
WARMUP_TURNS = 20


@dataclass(frozen=True)
class Result:
    latencies_ms: list[float]
    seconds: float

    @property
    def turns_per_s(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def p(self, q: int) -> float:
        return percentile(self.latencies_ms, q)


async def rasa_conversation(http: httpx.AsyncClient, turns: int, out: list[float]) -> None:
    sender = f"bench-{uuid.uuid4()}"
    for n in range(turns):
        body = {"sender": sender, "message": MESSAGES[n % 4], "metadata": {"language": "en"}}
        started = time.perf_counter()
        response = await http.post("/webhooks/rest/webhook", json=body, headers=RASA_AUTH)
        response.raise_for_status()
        assert response.json(), "Rasa gave no reply"
        out.append((time.perf_counter() - started) * 1000)


async def bridge_conversation(http: httpx.AsyncClient, ws_url: str, turns: int, out: list[float]):
    created = (await http.post("/api/conversations", json={"language": "en"})).json()
    url = f"{ws_url}/ws/chat/{created['conversation_id']}?token={created['token']}"
    async with websockets.connect(url) as ws:
        for n in range(turns):
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "text": MESSAGES[n % 4]}))
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
                if event["type"] == "error":
                    raise RuntimeError(f"bridge error: {event}")
                if event["type"] in ("message", "buttons") and event["role"] == "bot":
                    break
            out.append((time.perf_counter() - started) * 1000)


@dataclass(frozen=True)
class Scenario:
    label: str
    concurrency: int
    turns_per_conversation: int


async def play(kind: str, base_url: str, turns: int, scenario: Scenario) -> Result:
    """`turns` in all; each of `concurrency` workers plays conversations one after another."""
    latencies: list[float] = []
    share = turns // scenario.concurrency
    length = min(scenario.turns_per_conversation, share)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        ws_url = base_url.replace("http://", "ws://")

        async def worker() -> None:
            for _ in range(share // length):
                if kind == "rasa":
                    await rasa_conversation(http, length, latencies)
                else:
                    await bridge_conversation(http, ws_url, length, latencies)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(scenario.concurrency)))
        return Result(latencies, time.perf_counter() - started)


def row(label: str, result: Result) -> str:
    return (
        f"| {label} | {result.p(50):.1f} | {result.p(95):.1f} | {result.p(99):.1f} | "
        f"{statistics.mean(result.latencies_ms):.1f} | {result.turns_per_s:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    if args.turns <= 0 or args.concurrency <= 0 or args.turns % (args.concurrency * 10):
        parser.error("--turns must be a positive multiple of 10 x --concurrency")
    one = Scenario("1 conversation", 1, args.turns)
    many = Scenario(f"{args.concurrency} concurrent conversations", args.concurrency, args.turns)
    # Rasa replays a conversation's whole history on every turn, so a 200-turn conversation
    # gets slower as it goes; real chats are short. This row shows the same load in 10s.
    short = Scenario("10-turn conversations, one at a time", 1, 10)
    scenarios = [one, many, short]

    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as (stack, bridge_url, _):
        results: dict[tuple[str, str], Result] = {}
        for scenario in scenarios:
            for kind, url in (("rasa", stack.rasa_url), ("bridge", bridge_url)):
                asyncio.run(play(kind, url, WARMUP_TURNS, Scenario("warm-up", 1, 10)))
                result = asyncio.run(play(kind, url, args.turns, scenario))
                results[(kind, scenario.label)] = result
                print(row(f"{kind}, {scenario.label}", result), flush=True)

    lines = [
        "| path | p50 ms | p95 ms | p99 ms | mean ms | turns/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for scenario in scenarios:
        lines.append(row(f"Rasa REST, {scenario.label}", results[("rasa", scenario.label)]))
        lines.append(row(f"Bridge, {scenario.label}", results[("bridge", scenario.label)]))

    def ratio(scenario: Scenario) -> tuple[Result, Result]:
        return results[("rasa", scenario.label)], results[("bridge", scenario.label)]

    rasa_one, bridge_one = ratio(one)
    rasa_many, bridge_many = ratio(many)
    rasa_short, bridge_short = ratio(short)
    verdict = [
        f"- 1 conversation: the bridge adds {bridge_one.p(50) / rasa_one.p(50) - 1:+.1%} at "
        f"p50 (target ≤ +15 %) and {bridge_one.p(95) / rasa_one.p(95) - 1:+.1%} at p95; "
        f"bridge p95 {bridge_one.p(95):.0f} ms (target ≤ 250 ms).",
        f"- {args.concurrency} concurrent conversations: the bridge keeps "
        f"{bridge_many.turns_per_s / rasa_many.turns_per_s:.1%} of bare Rasa's throughput "
        "(target ≥ 90 %).",
        f"- 10-turn conversations: the bridge adds {bridge_short.p(50) / rasa_short.p(50) - 1:+.1%}"
        f" at p50; bridge p95 {bridge_short.p(95):.0f} ms.",
    ]
    body = (
        f"{args.turns} turns per scenario, each path warmed up with {WARMUP_TURNS} turns first; "
        "messages rotate over four small-talk intents with one reply each. A bridge turn is "
        "timed from sending on the websocket to the bot's message arriving (it is stored "
        "first); a Rasa turn is one REST webhook call. Rasa, the action server, the bridge "
        "(one uvicorn process, SQLite) and the load generator share the machine's two cores. "
        "Rasa re-reads and replays a conversation's whole history on every turn, so turn "
        "time grows with the conversation: in the 200-turn conversation the last turns are "
        "about three times slower than the first, which is what lifts p95 there; the last "
        "scenario shows the same 200 turns as 10-turn conversations.\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(verdict)
    )
    print(body)
    if not args.no_write:
        write_section("Turn latency: bridge vs bare Rasa", "make bench", body)


if __name__ == "__main__":
    sys.exit(main())
