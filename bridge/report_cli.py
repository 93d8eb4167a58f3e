"""`supportbot report ...`: the admins' support-metrics reports, printed as tables."""

import asyncio
import csv
import dataclasses
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, NoReturn, TypeVar, cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.services import report_tables, reports
from bridge.services.agent_report import agent_report
from bridge.services.conversion_report import conversion_report
from bridge.services.referral_report import referral_report
from bridge.services.report_period import InvalidPeriod, Period
from bridge.services.report_tables import Cell, ReportTable
from bridge.services.review_report import Granularity, review_report
from bridge.services.unanswered_clusters import unanswered_groups
from bridge.settings import get_settings
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import get_kb_settings
from knowledge_base.text import LANGUAGES

T = TypeVar("T")

app = typer.Typer(
    help="Support-metrics reports (NPS, helpfulness, conversations, agents, unanswered questions)."
)
console = Console()

From = Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")]
To = Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (UTC), included.")]
Lang = Annotated[str | None, typer.Option("--lang", help="Only this language (en or hu).")]


async def _in_session(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()


def _with_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    return asyncio.run(_in_session(get_settings().database_url, work))


def _fail(error: Exception) -> NoReturn:
    console.print(f"[red]{escape(str(error))}[/red]")
    raise typer.Exit(1)


def _period(start: str, end: str, lang: str | None) -> Period:
    if lang is not None and lang not in LANGUAGES:
        _fail(ValueError(f"--lang is one of {', '.join(LANGUAGES)}, not {lang!r}"))
    try:
        return Period.parse(start, end)
    except InvalidPeriod as exc:
        _fail(exc)


def _cell(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return escape(str(value))


def _print(title: str, tables: list[ReportTable]) -> None:
    for table in tables:
        if table.name == "summary":
            # One row of many figures reads better, and fits a terminal, as name | value.
            shown = Table("figure", "value", title=f"{title}: {table.name}")
            for name, value in zip(table.header, table.rows[0], strict=True):
                shown.add_row(name, _cell(value))
        else:
            shown = Table(*table.header, title=f"{title}: {table.name}")
            for row in table.rows:
                shown.add_row(*(_cell(value) for value in row))
        console.print(shown)


def _title(kind: str, period: Period, lang: str | None) -> str:
    return f"{kind} {period.start} – {period.end}" + (f" ({lang})" if lang else "")


@app.command("nps")
def nps(start: From, end: To, lang: Lang = None) -> None:
    """Net Promoter Score: response rate, promoters/passives/detractors, weekly trend."""
    period = _period(start, end, lang)
    report = _with_session(lambda s: reports.nps_report(session=s, period=period, language=lang))
    _print(_title("NPS", period, lang), report_tables.nps_tables(report))


@app.command("helpful")
def helpful(start: From, end: To, lang: Lang = None) -> None:
    """Share of "helpful" votes on answers, overall and per article."""
    period = _period(start, end, lang)
    report = _with_session(
        lambda s: reports.helpful_report(session=s, period=period, language=lang)
    )
    _print(_title("Helpfulness", period, lang), report_tables.helpful_tables(report))


@app.command("conversations")
def conversations(start: From, end: To, lang: Lang = None) -> None:
    """Handoffs, containment, queue wait and first agent response (seconds)."""
    period = _period(start, end, lang)
    report = _with_session(
        lambda s: reports.conversation_report(session=s, period=period, language=lang)
    )
    _print(_title("Conversations", period, lang), report_tables.conversation_tables(report))


@app.command("unanswered")
def unanswered(
    start: From,
    end: To,
    lang: Lang = None,
    similarity: Annotated[
        float | None,
        typer.Option(min=0.05, max=1.0, help="Cosine that joins a group (default: the model's)."),
    ] = None,
) -> None:
    """Questions the bot could not answer, grouped by meaning: the writers' to-do list."""
    period = _period(start, end, lang)
    questions = KnowledgeBase(get_kb_settings())
    groups = _with_session(
        lambda s: unanswered_groups(
            session=s, period=period, language=lang, questions=questions, similarity=similarity
        )
    )
    _print(_title("Unanswered questions", period, lang), [report_tables.unanswered_table(groups)])


@app.command("conversion")
def conversion(
    start: From,
    end: To,
    lang: Lang = None,
    goal: Annotated[str, typer.Option(help="The goal the page reports.")] = "conversion",
) -> None:
    """Conversations in which the page reported the goal, as a share of all conversations."""
    period = _period(start, end, lang)
    report = _with_session(
        lambda s: conversion_report(session=s, period=period, language=lang, goal=goal)
    )
    _print(_title("Conversion", period, lang), report_tables.conversion_tables(report))


Shown = Annotated[
    str,
    typer.Option("--format", help="table (for reading), json or csv (for other tools)."),
]


@app.command("agents")
def agents(
    start: Annotated[str, typer.Option("--from", "--start", help="First day, YYYY-MM-DD (UTC).")],
    end: Annotated[
        str, typer.Option("--to", "--end", help="Last day, YYYY-MM-DD (UTC), included.")
    ],
    lang: Lang = None,
    shown: Shown = "table",
) -> None:
    """Per agent: chats handled, first response and handling time (median, p90), NPS of the
    chats they closed, hand-backs and transfers."""
    shown = shown.lower()
    if shown not in ("table", "json", "csv"):
        _fail(ValueError(f"--format is table, json or csv, not {shown!r}"))
    period = _period(start, end, lang)
    report = _with_session(lambda s: agent_report(session=s, period=period, language=lang))
    [table] = report_tables.agent_tables(report)
    if shown == "json":
        typer.echo(json.dumps(dataclasses.asdict(report), default=str, ensure_ascii=False))
    elif shown == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(table.header)
        writer.writerows([["" if cell is None else cell for cell in row] for row in table.rows])
    else:
        _print(_title("Agents", period, lang), [table])


@app.command("reviews")
def reviews(
    start: From,
    end: To,
    lang: Lang = None,
    by: Annotated[str, typer.Option("--by", help="Rows per day, week or month.")] = "week",
) -> None:
    """Promoters invited to review, conversations that clicked the link, click rate, NPS."""
    if by not in ("day", "week", "month"):
        _fail(ValueError(f"--by is day, week or month, not {by!r}"))
    period = _period(start, end, lang)
    report = _with_session(
        lambda s: review_report(session=s, period=period, language=lang, by=cast(Granularity, by))
    )
    _print(_title("Reviews", period, lang), report_tables.review_tables(report))


@app.command("referrals")
def referrals(
    start: From,
    end: To,
    lang: Lang = None,
    by: Annotated[str, typer.Option("--by", help="Rows per day, week or month.")] = "week",
    as_csv: Annotated[
        str | None,
        typer.Option("--csv", help="Print this table (summary, periods, sources) as CSV."),
    ] = None,
) -> None:
    """How customers found us: each source's share, the referral rate (friend or family) and
    its relation to the NPS."""
    if by not in ("day", "week", "month"):
        _fail(ValueError(f"--by is day, week or month, not {by!r}"))
    period = _period(start, end, lang)
    report = _with_session(
        lambda s: referral_report(session=s, period=period, language=lang, by=cast(Granularity, by))
    )
    tables = report_tables.referral_tables(report)
    if as_csv is None:
        _print(_title("Referrals", period, lang), tables)
        return
    chosen = next((t for t in tables if t.name == as_csv), None)
    if chosen is None:
        _fail(ValueError(f"--csv is one of {', '.join(t.name for t in tables)}, not {as_csv!r}"))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(chosen.header)
    writer.writerows([["" if cell is None else cell for cell in row] for row in chosen.rows])
