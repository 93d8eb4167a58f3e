"""The dashboard's reports over a year of traffic, on SQLite and on PostgreSQL.

Seeds a fresh SQLite file (in a temporary folder) and a fresh PostgreSQL database
(`bench_reports`, created and dropped on the server of TEST_POSTGRES_URL) through the
migrations with the data set of bench.report_seed: 150,000 conversations, about 1,000,000
messages and 100,000 answered NPS surveys at scale 1 (bench/databases.py). Then times every
report the dashboard asks for (nps, helpful, conversations, unanswered, conversion, agents,
reviews, referrals) by calling the service function its route calls, in a session of its own,
and turning the result into the route's JSON-ready dict: over the last 90 days and over the
whole year, for all languages and for English only, `--runs` times each (reviews and referrals
per week, the dashboard's default). Target: every report under 1 s.

    .venv/bin/python -m bench.report_scale [--scale 1] [--runs 5] [--no-postgres]
        [--reports referrals,reviews]

A full-scale run on both databases writes its section of docs/benchmarks.md: "Reports at scale"
for every report, a section of its own (named after them) for some.
"""

import argparse
import asyncio
import dataclasses
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.databases import postgres_database, seeded, server_version, sqlite_database
from bench.report import write_section
from bench.report_seed import DAYS, YEAR_START, SeedCounts
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import UnansweredQuestion
from bridge.services import reports
from bridge.services.agent_report import agent_report
from bridge.services.conversion_report import conversion_report
from bridge.services.referral_report import referral_report
from bridge.services.report_period import Period
from bridge.services.review_report import review_report
from bridge.services.unanswered_clusters import MAX_QUESTIONS, QuestionVectors, unanswered_groups
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import KBSettings

BENCH_DATABASE = "bench_reports"
TARGET_S = 1.0
YEAR_END = date.fromordinal(YEAR_START.toordinal() + DAYS - 1)
PERIODS = {
    "90 days": Period(date.fromordinal(YEAR_END.toordinal() - 89), YEAR_END),
    "year": Period(YEAR_START, YEAR_END),
}
LANGUAGES: tuple[str | None, ...] = (None, "en")
# What the dashboard fetches (dashboard.js, reviews.js, referrals.js).
REPORTS = (
    "nps",
    "helpful",
    "conversations",
    "unanswered",
    "conversion",
    "agents",
    "reviews",
    "referrals",
)

Report = Callable[[AsyncSession, Period, str | None], Awaitable[Any]]


def dashboard_reports(questions: QuestionVectors) -> dict[str, Report]:
    """What the dashboard fetches, computed as its routes compute it (bridge.api.reports)."""

    async def nps(s: AsyncSession, p: Period, lang: str | None) -> Any:
        return dataclasses.asdict(await reports.nps_report(session=s, period=p, language=lang))

    async def helpful(s: AsyncSession, p: Period, lang: str | None) -> Any:
        return dataclasses.asdict(await reports.helpful_report(session=s, period=p, language=lang))

    async def conversations(s: AsyncSession, p: Period, lang: str | None) -> Any:
        report = await reports.conversation_report(session=s, period=p, language=lang)
        return dataclasses.asdict(report)

    async def unanswered(s: AsyncSession, p: Period, lang: str | None) -> Any:
        groups = await unanswered_groups(session=s, period=p, language=lang, questions=questions)
        return [dataclasses.asdict(group) for group in groups]

    async def conversion(s: AsyncSession, p: Period, lang: str | None) -> Any:
        return dataclasses.asdict(await conversion_report(session=s, period=p, language=lang))

    async def agents(s: AsyncSession, p: Period, lang: str | None) -> Any:
        return dataclasses.asdict(await agent_report(session=s, period=p, language=lang))

    async def reviews(s: AsyncSession, p: Period, lang: str | None) -> Any:
        return dataclasses.asdict(await review_report(session=s, period=p, language=lang))

    async def referrals(s: AsyncSession, p: Period, lang: str | None) -> Any:
        return dataclasses.asdict(await referral_report(session=s, period=p, language=lang))

    return {
        "nps": nps,
        "helpful": helpful,
        "conversations": conversations,
        "unanswered": unanswered,
        "conversion": conversion,
        "agents": agents,
        "reviews": reviews,
        "referrals": referrals,
    }


Key = tuple[str, str, str | None]  # report, period, language
Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Options:
    scale: float
    runs: int
    reports: list[str]


@dataclass
class Timings:
    runs: dict[Key, list[float]] = field(default_factory=dict)
    # The unanswered report embedding what it has not seen: (when, questions, seconds).
    embedding: list[tuple[str, int, float]] = field(default_factory=list)


async def timed(sessions: Sessions, compute: Report, period: Period, lang: str | None) -> float:
    began = time.perf_counter()
    async with sessions() as session:
        await compute(session, period, lang)
    return time.perf_counter() - began


async def not_embedded(sessions: Sessions) -> int:
    async with sessions() as session:
        query = select(func.count()).where(UnansweredQuestion.embedding.is_(None))
        return int(await session.scalar(query) or 0)


async def first_groupings(sessions: Sessions, compute: Report, timings: Timings) -> None:
    """The unanswered report embeds (and keeps) each question once: the first reports that
    meet the questions, then one after a day's worth of new questions."""
    for period_name, period in PERIODS.items():
        for lang in LANGUAGES:
            before = await not_embedded(sessions)
            seconds = await timed(sessions, compute, period, lang)
            embedded = before - await not_embedded(sessions)
            if embedded:
                when = f"first report over the {period_name}, {lang or 'all languages'}"
                timings.embedding.append((when, embedded, seconds))
    async with sessions.begin() as session:
        total = int(await session.scalar(select(func.count(UnansweredQuestion.id))) or 0)
        daily = max(1, round(total / DAYS))
        newest = (
            select(UnansweredQuestion.id)
            .order_by(UnansweredQuestion.created_at.desc())
            .limit(daily)
            .scalar_subquery()
        )
        await session.execute(
            update(UnansweredQuestion)
            .where(UnansweredQuestion.id.in_(newest))
            .values(embedding=None, embedding_model=None)
        )
    seconds = await timed(sessions, compute, PERIODS["90 days"], None)
    timings.embedding.append(
        ("90 days, all languages, after a day's new questions", daily, seconds)
    )


async def time_reports(
    database_url: str, options: Options, questions: QuestionVectors, label: str
) -> Timings:
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    timings = Timings()
    chosen = {n: r for n, r in dashboard_reports(questions).items() if n in options.reports}
    try:
        for name, compute in chosen.items():
            if name == "unanswered":
                await first_groupings(sessions, compute, timings)
            for period_name, period in PERIODS.items():
                for lang in LANGUAGES:
                    seconds = [
                        await timed(sessions, compute, period, lang) for _ in range(options.runs)
                    ]
                    timings.runs[(name, period_name, lang)] = seconds
                    print(
                        f"  {label}: {name}, {period_name}, {lang or 'all'}: "
                        f"median {statistics.median(seconds) * 1000:.0f} ms, "
                        f"max {max(seconds) * 1000:.0f} ms",
                        flush=True,
                    )
    finally:
        await engine.dispose()
    for when, embedded, took in timings.embedding:
        print(f"  {label}: unanswered, {when}: {embedded} embedded, {took:.2f} s")
    return timings


Outcome = tuple[SeedCounts, Timings]


def run_sqlite(options: Options, questions: QuestionVectors) -> Outcome:
    with sqlite_database() as url:
        counts = asyncio.run(seeded(url, options.scale, "SQLite"))
        return counts, asyncio.run(time_reports(url, options, questions, "SQLite"))


def run_postgres(options: Options, questions: QuestionVectors) -> Outcome:
    with postgres_database(BENCH_DATABASE) as url:
        counts = asyncio.run(seeded(url, options.scale, "PostgreSQL"))
        return counts, asyncio.run(time_reports(url, options, questions, "PostgreSQL"))


def table(results: dict[str, Timings]) -> str:
    databases = list(results)
    header = "| report | period | language | " + " | ".join(
        f"{db} median ms | {db} max ms" for db in databases
    )
    lines = [header + " |", "|---|---|---|" + "---:|---:|" * len(databases)]
    for key in next(iter(results.values())).runs:
        name, period, lang = key
        cells = []
        for db in databases:
            seconds = results[db].runs[key]
            worst = max(seconds)
            flag = " ⚠" if worst >= TARGET_S else ""
            cells.append(f"{statistics.median(seconds) * 1000:.0f} | {worst * 1000:.0f}{flag}")
        lines.append(f"| {name} | {period} | {lang or 'all'} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def embedding_table(results: dict[str, Timings]) -> str:
    databases = list(results)
    lines = [
        "| unanswered report | " + " | ".join(databases) + " |",
        "|---|" + "---:|" * len(databases),
    ]
    for n, (when, _questions, _seconds) in enumerate(next(iter(results.values())).embedding):
        cells = []
        for db in databases:
            _when, questions, seconds = results[db].embedding[n]
            cells.append(f"{questions:,} embedded, {seconds * 1000:.0f} ms")
        lines.append(f"| {when} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def describe(counts: SeedCounts) -> str:
    rows = counts.rows
    return (
        f"{rows['conversations']:,} conversations over {YEAR_START.year}, "
        f"{rows['messages']:,} messages, {rows['handoffs']:,} handoffs, "
        f"{rows['nps_surveys']:,} NPS surveys asked ({rows['nps_answered']:,} answered), "
        f"{rows['answer_feedback']:,} helpful votes, "
        f"{rows['goals']:,} goals, {rows['unanswered_questions']:,} unanswered questions, "
        f"{rows['referral_answers']:,} referral questions asked, "
        f"{rows['review_invitations']:,} review invitations and {rows['review_clicks']:,} clicks"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full data set")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per report")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--reports", default=",".join(REPORTS), help="comma-separated, default all")
    args = parser.parse_args()
    options = Options(args.scale, args.runs, args.reports.split(","))
    if not 0 < args.scale <= 1 or args.runs < 1 or not set(options.reports) <= set(REPORTS):
        parser.error(f"--scale in (0, 1], --runs at least 1, --reports among {REPORTS}")
    questions = KnowledgeBase(KBSettings())
    for language in questions.embedders:
        questions.embed_questions(["load the model before timing"], language)
    results: dict[str, Timings] = {}
    counts, results["SQLite"] = run_sqlite(options, questions)
    seconds = {"SQLite": counts.seconds}
    if not args.no_postgres:
        pg_counts, results["PostgreSQL"] = run_postgres(options, questions)
        seconds["PostgreSQL"] = pg_counts.seconds
    worst = max(max(s) for timings in results.values() for s in timings.runs.values())
    postgres = ""
    if not args.no_postgres:
        version = asyncio.run(server_version())
        postgres = f"PostgreSQL {version} (default settings) after `VACUUM ANALYZE`; "
    unanswered = ""
    if "unanswered" in options.reports:
        unanswered = (
            f"The unanswered report groups the newest {MAX_QUESTIONS:,} questions at most; the "
            f"rows above have their embeddings kept already (migration 0009). Embedding is the "
            f"cost of the first report that meets a question:\n\n{embedding_table(results)}\n\n"
        )
    body = (
        f"The dashboard's reports ({', '.join(options.reports)}) over a year of traffic: "
        f"{describe(counts)} "
        f"(bench/report_seed.py; 70 % English, 30 % Hungarian). Each report is computed by the "
        f"service function its route calls, in a session of its own, and turned into the dict "
        f"the route returns (JSON encoding and HTTP not included), {args.runs} times in a row, "
        f"over the last 90 days and over the whole year, for all languages and for English "
        f"only. {postgres}SQLite as the bridge opens it (WAL), no `ANALYZE`. The machine's two "
        f"cores run the database server and the benchmark.\n\n{table(results)}\n\n"
        f"Target: every report under {TARGET_S:g} s; slowest run {worst * 1000:.0f} ms. The "
        f"indexes of migration 0008 are behind these figures: messages (role, conversation_id, "
        f"created_at) and nps_surveys (asked_at, language, status, score).\n\n"
        f"{unanswered}"
        f"Seeding took " + ", ".join(f"{db} {s:.0f} s" for db, s in seconds.items()) + ".\n"
    )
    print(body)
    if args.scale == 1 and not args.no_postgres:
        write_section(*section(options), body)


def section(options: Options) -> tuple[str, str]:
    """The section of docs/benchmarks.md a full-scale run writes, and its command."""
    if sorted(options.reports) == sorted(REPORTS):
        return "Reports at scale", "make bench (.venv/bin/python -m bench.report_scale)"
    chosen = ",".join(options.reports)
    return (
        f"Reports at scale: {', '.join(options.reports)}",
        f".venv/bin/python -m bench.report_scale --reports {chosen} --runs {options.runs}",
    )


if __name__ == "__main__":
    main()
