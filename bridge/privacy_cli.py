"""`supportbot privacy ...`: customers' data export and erasure, the retention purge and the
audit log, from the operator's shell (docs/privacy.md). Every export, erasure and purge is
logged as `cli:<os user>`."""

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import inspect

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import PrivacyAudit
from bridge.services.privacy import InvalidSelector, PrivacyService, Selector
from bridge.services.privacy_export import render_html
from bridge.services.rasa_tracker_store import tracker_store
from bridge.services.retention import Retention
from bridge.settings import get_settings

T = TypeVar("T")

app = typer.Typer(help="Customers' data: export, erase, retention purge, audit log.")
console = Console()
err = Console(stderr=True)

ConversationOpt = Annotated[
    str | None, typer.Option("--conversation", help="One conversation, by its id.")
]
VisitorOpt = Annotated[
    str | None,
    typer.Option("--visitor", help="Every conversation of a widget visitor id (one browser)."),
]
EmailOpt = Annotated[
    str | None,
    typer.Option("--email", help="Every conversation where a message was left with this email."),
]


class DatabaseNotMigrated(Exception):
    def __init__(self) -> None:
        super().__init__("the privacy_audit table is missing: run `supportbot db upgrade` first")


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name for this uid (containers)
        return "cli:unknown"


async def _with_services(work: Callable[[PrivacyService, Retention], Awaitable[T]]) -> T:
    settings = get_settings()
    engine = create_engine(settings.database_url)
    tracker = tracker_store(settings.rasa_tracker_url)
    try:
        async with engine.connect() as connection:
            migrated = await connection.run_sync(
                lambda sync: inspect(sync).has_table(PrivacyAudit.__tablename__)
            )
        if not migrated:
            raise DatabaseNotMigrated()
        sessions = create_sessionmaker(engine)
        privacy = PrivacyService(sessions=sessions, tracker=tracker, secret=settings.secret_key)
        retention = Retention(sessions=sessions, tracker=tracker, days=settings.retention_days)
        return await work(privacy, retention)
    finally:
        await tracker.aclose()
        await engine.dispose()


def _run(work: Callable[[PrivacyService, Retention], Awaitable[T]]) -> T:
    try:
        return asyncio.run(_with_services(work))
    except DatabaseNotMigrated as exc:
        _fail(exc)


def _fail(error: Exception | str) -> NoReturn:
    err.print(f"[red]{escape(str(error))}[/red]")
    raise typer.Exit(1)


def _selector(conversation: str | None, visitor: str | None, email: str | None) -> Selector:
    given = [
        (kind, value)
        for kind, value in (("conversation", conversation), ("visitor", visitor), ("email", email))
        if value is not None
    ]
    if len(given) != 1:
        _fail("name exactly one of --conversation, --visitor or --email")
    kind, value = given[0]
    try:
        return Selector(kind, value)  # type: ignore[arg-type]
    except InvalidSelector as exc:
        _fail(exc)


@app.command("export")
def export(
    conversation: ConversationOpt = None,
    visitor: VisitorOpt = None,
    email: EmailOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="json or html (a readable page).")] = "json",
    lang: Annotated[str, typer.Option("--lang", help="Language of the html page: en, hu.")] = "en",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Everything held about one person, as JSON or a readable page (docs/privacy.md)."""
    if fmt not in ("json", "html"):
        _fail("--format must be json or html")
    selector = _selector(conversation, visitor, email)
    data = _run(lambda privacy, _retention: privacy.export(selector, actor=actor()))
    text = data.to_json() if fmt == "json" else render_html(data, lang)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"[green]{len(data.conversations)} conversations exported to {output}[/green]")


@app.command("erase")
def erase(
    conversation: ConversationOpt = None,
    visitor: VisitorOpt = None,
    email: EmailOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase one person's data here and in Rasa's tracker store; reports keep their counts."""
    selector = _selector(conversation, visitor, email)
    if not yes:
        typer.confirm(f"Erase everything held for this {selector.kind}?", abort=True)
    erasure = _run(lambda privacy, _retention: privacy.erase(selector, actor=actor()))
    console.print(
        f"[green]erased {erasure.conversations} conversations: {erasure.deleted} records "
        f"deleted, {erasure.anonymised} anonymised, {erasure.tracker_events} Rasa events "
        "deleted[/green]"
    )


@app.command("purge")
def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what is due; change nothing.")
    ] = False,
) -> None:
    """Erase the conversations inactive for RETENTION_DAYS now (bridges do it regularly)."""
    result = _run(lambda _privacy, retention: retention.purge(dry_run=dry_run, actor=actor()))
    if result.cutoff is None:
        console.print("[yellow]retention is off (RETENTION_DAYS=0): nothing to purge[/yellow]")
        return
    before = result.cutoff.strftime("%Y-%m-%d %H:%M UTC")
    if dry_run:
        console.print(f"{result.conversations} conversations inactive since before {before}")
        return
    console.print(
        f"[green]erased {result.conversations} conversations inactive since before {before} "
        f"({result.tracker_events} Rasa events, {result.questions} unlinked questions)[/green]"
    )


@app.command("audit")
def audit(limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50) -> None:
    """The newest exports, erasures and purges."""
    entries = _run(lambda privacy, _retention: privacy.audit_log(limit=limit))
    table = Table("when (UTC)", "who", "what", "by", "conversations", "records", "Rasa events")
    for entry in entries:
        table.add_row(
            entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            escape(entry.actor),
            entry.action,
            entry.selector,
            str(entry.conversations),
            str(entry.records),
            str(entry.tracker_events),
        )
    console.print(table)
