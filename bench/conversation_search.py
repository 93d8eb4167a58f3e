"""The conversations view's search over a year of traffic, on SQLite and on PostgreSQL.

Seeds a fresh SQLite file and a fresh PostgreSQL database (`bench_conversations`, created and
dropped on the server of TEST_POSTGRES_URL) with the data set of bench.report_scale (its
builder, bench.report_seed: about 1,000,000 messages at scale 1). Then asks for the first page
(20 conversations) of typical searches, as the route does (ConversationHistory.search, one
session each, highlighted snippets included; JSON and HTTP not included): common and rare
words, Hungarian typed without accents, several words, words with filters, the list without
words, and a second page. Every search once untimed (a warm cache, as on a server that is in
use), then `--runs` times. Target: p95 of all timed searches at most 300 ms on each database.

    .venv/bin/python -m bench.conversation_search [--scale 1] [--runs 10] [--no-postgres]

A full-scale run on both databases writes its section of docs/benchmarks.md.
"""

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bench.databases import postgres_database, seeded, server_version, sqlite_database
from bench.report import percentile, write_section
from bench.report_seed import DAYS, YEAR_START, SeedCounts
from bridge.db.conversation_search import Filters
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import User
from bridge.services.conversation_search import ConversationHistory

BENCH_DATABASE = "bench_conversations"
TARGET_S = 0.3
PAGE = 20
YEAR_END = datetime.combine(YEAR_START, datetime.min.time(), UTC) + timedelta(days=DAYS)
LAST_MONTH = YEAR_END - timedelta(days=30)


@dataclass(frozen=True)
class Case:
    name: str
    query: str | None
    filters: Filters = field(default_factory=Filters)
    second_page: bool = False
    agent: bool = False


CASES = (
    Case("a word every English chat has (the bot's greeting)", "help"),
    Case("a word every Hungarian chat has, without accents", "segithetek"),
    Case("Hungarian word without accents", "szamla"),
    Case("Hungarian stem without accents", "visszakuld"),
    Case("two Hungarian words without accents", "bankkartyas fizetes"),
    Case("a rare Hungarian word", "garancia"),
    Case("English word", "card"),
    Case("two English words", "transfer money"),
    Case("a rare English word", "refund"),
    Case("no message has it", "xylophone"),
    Case("Hungarian word, Hungarian chats", "szamla", Filters(language="hu")),
    Case("English word, closed chats", "card", Filters(status="closed")),
    Case("English word, handed to an agent", "card", Filters(handed_off=True)),
    Case("English word, one agent's chats", "card", agent=True),
    Case(
        "Hungarian word, started in the last 30 days",
        "szamla",
        Filters(date_field="created", since=LAST_MONTH),
    ),
    Case("English word, detractors", "card", Filters(nps="detractor")),
    Case("English word, second page", "card", second_page=True),
    Case("no words: every conversation", None),
    Case("no words: Hungarian detractors", None, Filters(language="hu", nps="detractor")),
    Case("no words: waiting customers", None, Filters(status="waiting_for_agent")),
)


@dataclass
class Timings:
    runs: dict[str, list[float]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    @property
    def every(self) -> list[float]:
        return [s for seconds in self.runs.values() for s in seconds]


async def time_searches(database_url: str, runs: int, label: str) -> Timings:
    engine = create_engine(database_url)
    history = ConversationHistory(create_sessionmaker(engine))
    timings = Timings()
    try:
        async with create_sessionmaker(engine)() as session:
            agent_id = await session.scalar(select(User.id).order_by(User.id).limit(1))
        for case in CASES:
            filters = replace(case.filters, agent_id=agent_id) if case.agent else case.filters
            cursor = None
            if case.second_page:
                first = await history.search(filters, query=case.query, cursor=None, limit=PAGE)
                cursor = first.next_cursor
            seconds: list[float] = []
            for run in range(runs + 1):
                began = time.perf_counter()
                page = await history.search(filters, query=case.query, cursor=cursor, limit=PAGE)
                if run:  # the first run warms the cache
                    seconds.append(time.perf_counter() - began)
            timings.runs[case.name] = seconds
            timings.hits[case.name] = len(page.hits)
            print(
                f"  {label}: {case.name}: {len(page.hits)} hits, median "
                f"{statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms",
                flush=True,
            )
    finally:
        await engine.dispose()
    return timings


Outcome = tuple[SeedCounts, Timings]


def run_sqlite(scale: float, runs: int) -> Outcome:
    with sqlite_database() as url:
        counts = asyncio.run(seeded(url, scale, "SQLite"))
        return counts, asyncio.run(time_searches(url, runs, "SQLite"))


def run_postgres(scale: float, runs: int) -> Outcome:
    with postgres_database(BENCH_DATABASE) as url:
        counts = asyncio.run(seeded(url, scale, "PostgreSQL"))
        return counts, asyncio.run(time_searches(url, runs, "PostgreSQL"))


def _ms(seconds: float) -> str:
    flag = " ⚠" if seconds > TARGET_S else ""
    return f"{seconds * 1000:.0f}{flag}"


def table(results: dict[str, Timings]) -> str:
    databases = list(results)
    header = "| search | " + " | ".join(f"{db} hits | median ms | p95 ms" for db in databases)
    lines = [header + " |", "|---|" + "---:|---:|---:|" * len(databases)]
    for case in CASES:
        cells = []
        for db in databases:
            seconds = results[db].runs[case.name]
            cells.append(
                f"{results[db].hits[case.name]} | {statistics.median(seconds) * 1000:.0f} | "
                f"{_ms(percentile(seconds, 95))}"
            )
        words = f"`{case.query}`" if case.query else "–"
        lines.append(f"| {case.name}: {words} | " + " | ".join(cells) + " |")
    overall = [
        f"| | {_ms(percentile(results[db].every, 50))} | {_ms(percentile(results[db].every, 95))}"
        for db in databases
    ]
    lines.append("| **all searches** (hits, p50, p95) " + " ".join(overall) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full data set")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per search")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    if not 0 < args.scale <= 1 or args.runs < 2:
        parser.error("--scale in (0, 1], --runs at least 2")
    results: dict[str, Timings] = {}
    counts, results["SQLite"] = run_sqlite(args.scale, args.runs)
    seeding = {"SQLite": counts.seconds}
    postgres = ""
    if not args.no_postgres:
        pg_counts, results["PostgreSQL"] = run_postgres(args.scale, args.runs)
        seeding["PostgreSQL"] = pg_counts.seconds
        version = asyncio.run(server_version())
        postgres = f"PostgreSQL {version} (default settings) after `VACUUM ANALYZE`; "
    worst = {db: percentile(t.every, 95) for db, t in results.items()}
    rows = counts.rows
    body = (
        f"The conversations view's search (`GET /api/staff/conversations`) over "
        f"{rows['conversations']:,} conversations and {rows['messages']:,} messages "
        f"(bench/report_seed.py, the data set of bench/report_scale.py; 70 % English, 30 % "
        f"Hungarian with accents). Each search asks for the first page of {PAGE} conversations "
        f"(the second page where it says so) through the service the route calls, snippets "
        f"highlighted, in a session of its own: once to warm the cache, then {args.runs} timed "
        f"runs. {postgres}SQLite (FTS5, `unicode61 remove_diacritics 2`) as the bridge opens "
        f"it. The machine's two cores run the database server and the benchmark.\n\n"
        f"{table(results)}\n\n"
        f"Target: p95 of all searches at most {TARGET_S * 1000:.0f} ms; "
        + ", ".join(f"{db} {s * 1000:.0f} ms" for db, s in worst.items())
        + ". Seeding (through the migrations, so the search indexes are kept up as rows "
        "arrive) took " + ", ".join(f"{db} {s:.0f} s" for db, s in seeding.items()) + ".\n"
    )
    if args.scale < 1:
        body += f"\nRun at scale {args.scale:g} of the full data set.\n"
    print(body)
    if not args.no_postgres:
        write_section(
            "Conversation search",
            "make bench (.venv/bin/python -m bench.conversation_search"
            + (f" --scale {args.scale:g}" if args.scale < 1 else "")
            + ")",
            body,
        )


if __name__ == "__main__":
    main()
