"""`supportbot`: the operators' command line (database, staff accounts, readiness; more later)."""

import time
from typing import Annotated

import asyncpg
import httpx
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from actions.warm_up import WARM_UP_CALL
from bridge.bench_cli import bench_answers
from bridge.db import migrate
from bridge.db.create import create_database
from bridge.kb_cli import register as register_kb_commands
from bridge.privacy_cli import app as privacy_app
from bridge.report_cli import app as report_app
from bridge.settings import get_settings
from bridge.user_cli import app as user_app
from knowledge_base.cli import app as kb_app
from knowledge_base.cli import bench_app

app = typer.Typer(help="Northwind support assistant: operate the bridge and its data.")
db_app = typer.Typer(help="The application database.")
app.add_typer(db_app, name="db")
register_kb_commands(kb_app)
app.add_typer(kb_app, name="kb")
bench_app.command("answers")(bench_answers)
app.add_typer(bench_app, name="bench")
app.add_typer(user_app, name="user")
app.add_typer(report_app, name="report")
app.add_typer(privacy_app, name="privacy")
console = Console()


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the database migrations (idempotent)."""
    settings = get_settings()
    migrate.upgrade(settings.database_url, revision)
    console.print(f"[green]database at revision {revision}[/green]")


@db_app.command("create")
def db_create(
    url: Annotated[
        str | None, typer.Argument(help="A PostgreSQL URL; default: DATABASE_URL.")
    ] = None,
) -> None:
    """Create the PostgreSQL database when it is missing (Rasa's tracker store too)."""
    target = url or get_settings().database_url
    try:
        created = create_database(target)
    except (ValueError, OSError, asyncpg.PostgresError) as exc:
        console.print(f"[red]could not create the database: {exc}[/red]")
        raise typer.Exit(1) from exc
    name = make_url(target).database
    console.print(f"[green]database {name} {'created' if created else 'is there'}[/green]")


@app.command("wait-ready")
def wait_ready(
    timeout: Annotated[float, typer.Option(help="Seconds to wait before giving up.")] = 300.0,
    hold: Annotated[bool, typer.Option(help="Keep running after printing the URLs.")] = False,
) -> None:
    """Wait until the bridge says database, Rasa and action server are ready; print the URLs."""
    settings = get_settings()
    deadline = time.monotonic() + timeout
    last: dict[str, object] = {}
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{settings.public_url}/readyz", timeout=3.0)
            last = response.json()
            if last.get("status") == "ready":  # not "degraded": wait for every Rasa server
                break
        except (httpx.HTTPError, ValueError):
            last = {"bridge": False}
        time.sleep(1.0)
    else:
        console.print(f"[red]not ready after {timeout:.0f} s[/red]: {last}")
        raise typer.Exit(1)
    console.print("loading the knowledge base in the action server…")
    try:
        httpx.post(
            f"{settings.action_server_url}/webhook",
            json=WARM_UP_CALL,
            headers={"Authorization": f"Bearer {settings.action_server_token}"},
            timeout=timeout,
        ).raise_for_status()
    except httpx.HTTPError as exc:
        console.print(
            f"[yellow]knowledge base warm-up failed ({exc}); it loads on first use[/yellow]"
        )
    table = Table(title="Northwind support assistant is ready", show_header=False)
    table.add_row("Demo page (English)", f"{settings.public_url}/")
    table.add_row("Demo page (Hungarian)", f"{settings.public_url}/?lang=hu")
    table.add_row("Widget script", f"{settings.public_url}/widget.js")
    table.add_row("Help center (public)", f"{settings.public_url}/help")
    table.add_row("Content studio (editors)", f"{settings.public_url}/studio")
    table.add_row("Agent console (supportbot user add …)", f"{settings.public_url}/console")
    table.add_row("Support dashboard (admins)", f"{settings.public_url}/dashboard")
    table.add_row("Bridge API docs", f"{settings.public_url}/docs")
    table.add_row("Readiness", f"{settings.public_url}/readyz")
    for url in settings.rasa_servers:
        table.add_row("Rasa server (loopback)", url)
    table.add_row("Action server", settings.action_server_url)
    console.print(table)
    console.print("Press Ctrl-C to stop everything.")
    while hold:
        time.sleep(3600)
