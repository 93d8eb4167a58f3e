"""What customers get, measured through the real bot: `supportbot bench answers`.

Each question is asked in a new conversation over the widget's websocket (after its
`context` message, for follow-ups), so the NLU, the rules, the actions and the knowledge base
all take part. The bot's first turn is judged by what a customer sees in it: an answer quoting
one of the right articles (its "Helpful" button names the article), "Did you mean" choices that
include a right one, a wrong article (answered, or choices without a right one), or no article
at all (declined: "I don't know", an out-of-scope reply, a clarifying question). Questions
without right articles should be declined.
"""

import asyncio
import json
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import websockets

from knowledge_base.evaluation import Query

Outcome = Literal["right", "choices", "wrong", "declined"]
_PAYLOAD = re.compile(r"^/(?P<intent>answer_helpful|choose_article)(?P<entities>\{.*\})$", re.S)


@dataclass(frozen=True)
class Asked:
    query: Query
    outcome: Outcome
    offered: tuple[str, ...]  # the answered article, or the articles offered as choices
    first_reply_ms: float
    replies: tuple[str, ...]


@dataclass(frozen=True)
class LanguageSummary:
    language: str
    answerable: int
    right: float
    choices: float
    wrong: float
    declined: float
    out_of_scope: int
    out_of_scope_declined: float
    p50_ms: float
    p95_ms: float


def offered_articles(events: Sequence[dict[str, Any]]) -> tuple[str, tuple[str, ...]]:
    """("answer", (id,)), ("choices", ids) or ("none", ()) from a turn's bot events."""
    answered: list[str] = []
    choices: list[str] = []
    for event in events:
        for button in event.get("buttons") or []:
            match = _PAYLOAD.match(str(button.get("payload", "")))
            if not match:
                continue
            try:
                article = json.loads(match["entities"]).get("article_id")
            except (ValueError, AttributeError):
                continue
            if isinstance(article, str):
                (answered if match["intent"] == "answer_helpful" else choices).append(article)
    if answered:
        return "answer", (answered[0],)
    if choices:
        return "choices", tuple(choices)
    return "none", ()


def judge(query: Query, events: Sequence[dict[str, Any]]) -> tuple[Outcome, tuple[str, ...]]:
    kind, articles = offered_articles(events)
    if kind == "none":
        return "declined", articles
    if kind == "answer":
        return ("right" if articles[0] in query.gold_ids else "wrong"), articles
    return ("choices" if set(articles) & query.gold_ids else "wrong"), articles


async def _turn(socket: Any, text: str, timeout_s: float) -> tuple[list[dict[str, Any]], float]:
    """Send one message; the bot's events until its typing indicator goes off, and the
    milliseconds to its first message."""
    started = time.perf_counter()
    first = float("nan")
    await socket.send(json.dumps({"type": "message", "text": text, "client_id": str(uuid.uuid4())}))
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout_s):
        while True:
            event = json.loads(await socket.recv())
            kind = event.get("type")
            if kind in ("message", "buttons") and event.get("role") == "bot":
                if not events:
                    first = (time.perf_counter() - started) * 1000
                events.append(event)
            elif kind == "error":
                events.append(event)
                if first != first:  # nan: the apology is the first reply
                    first = (time.perf_counter() - started) * 1000
            elif kind == "typing" and event.get("role") == "bot" and not event.get("on"):
                return events, first


async def ask(
    http: httpx.AsyncClient, base_url: str, query: Query, *, timeout_s: float = 30.0
) -> Asked:
    created = await http.post(f"{base_url}/api/conversations", json={"language": query.lang})
    created.raise_for_status()
    body = created.json()
    socket_url = re.sub(r"^http", "ws", base_url)
    url = f"{socket_url}/ws/chat/{body['conversation_id']}?token={body['token']}&after=0"
    async with websockets.connect(url, max_size=2**20) as socket:
        if query.context:
            await _turn(socket, query.context, timeout_s)
        events, first_ms = await _turn(socket, query.text, timeout_s)
    outcome, offered = judge(query, events)
    texts = tuple(str(e.get("text") or e.get("message") or "") for e in events)
    return Asked(query, outcome, offered, first_ms, texts)


async def ask_all(
    base_url: str, queries: Sequence[Query], *, concurrency: int = 2, timeout_s: float = 30.0
) -> list[Asked]:
    """Every question in its own conversation, `concurrency` conversations at a time."""
    if concurrency <= 0:
        raise ValueError("concurrency must be positive")
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=timeout_s) as http:

        async def one(query: Query) -> Asked:
            async with gate:
                return await ask(http, base_url, query, timeout_s=timeout_s)

        return list(await asyncio.gather(*(one(query) for query in queries)))


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(results: Sequence[Asked]) -> list[LanguageSummary]:
    summaries = []
    for language in sorted({r.query.lang for r in results}):
        mine = [r for r in results if r.query.lang == language]
        answerable = [r for r in mine if r.query.gold_ids]
        outside = [r for r in mine if not r.query.gold_ids]
        n = max(len(answerable), 1)
        times = [r.first_reply_ms for r in mine if r.first_reply_ms == r.first_reply_ms]
        summaries.append(
            LanguageSummary(
                language=language,
                answerable=len(answerable),
                right=sum(r.outcome == "right" for r in answerable) / n,
                choices=sum(r.outcome == "choices" for r in answerable) / n,
                wrong=sum(r.outcome == "wrong" for r in answerable) / n,
                declined=sum(r.outcome == "declined" for r in answerable) / n,
                out_of_scope=len(outside),
                out_of_scope_declined=(
                    sum(r.outcome == "declined" for r in outside) / len(outside) if outside else 1.0
                ),
                p50_ms=_percentile(times, 0.5),
                p95_ms=_percentile(times, 0.95),
            )
        )
    return summaries


def table(summaries: Sequence[LanguageSummary]) -> str:
    lines = [
        "| language | answerable | right article | choices with the right one | wrong article "
        "| declined | out of scope | out of scope declined | first reply p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in summaries:
        lines.append(
            f"| {s.language} | {s.answerable} | {s.right:.1%} | {s.choices:.1%} | {s.wrong:.1%} "
            f"| {s.declined:.1%} | {s.out_of_scope} | {s.out_of_scope_declined:.1%} "
            f"| {s.p50_ms:.0f} | {s.p95_ms:.0f} |"
        )
    return "\n".join(lines)
