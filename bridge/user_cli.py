"""`supportbot user ...`: support staff accounts, managed from the operator's shell."""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import users
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import User
from bridge.services.passwords import WeakPassword, hash_password
from bridge.settings import get_settings

T = TypeVar("T")

app = typer.Typer(help="Support staff accounts (agents, editors, admins).")
console = Console()

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from one line of stdin (for scripts)."
    ),
]


class DatabaseNotMigrated(Exception):
    def __init__(self) -> None:
        super().__init__("the users table is missing: run `supportbot db upgrade` first")


async def _in_session(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            migrated = await connection.run_sync(
                lambda sync: inspect(sync).has_table(User.__tablename__)
            )
        if not migrated:
            raise DatabaseNotMigrated()
        async with create_sessionmaker(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


def _with_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the bridge's database."""
    return asyncio.run(_in_session(get_settings().database_url, work))


def _fail(error: Exception) -> NoReturn:
    console.print(f"[red]{escape(str(error))}[/red]")
    raise typer.Exit(1)


def _read_password(from_stdin: bool) -> str:
    if not from_stdin:
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    line = sys.stdin.readline()
    if not line:
        raise WeakPassword("expected the password on stdin, got nothing")
    return line.removesuffix("\n").removesuffix("\r")


async def _require_absent(session: AsyncSession, email: str) -> None:
    if await users.get_user_by_email(session=session, email=email) is not None:
        raise users.UserExists(email)


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Sign-in address; stored lower-cased.")],
    name: Annotated[str, typer.Option("--name", help="Shown to customers and colleagues.")],
    role: Annotated[str, typer.Option("--role", help="agent, editor or admin.")] = "agent",
    password_stdin: PasswordStdin = False,
) -> None:
    """Add an account; the password comes from a hidden prompt or --password-stdin."""
    try:
        email = users.normalize_email(email)
        users.check_role(role)
        name = users.normalize_display_name(name)
        # Refuse early, before asking for a password that would be thrown away.
        _with_session(lambda session: _require_absent(session, email))
        password_hash = hash_password(_read_password(password_stdin))
        _with_session(
            lambda session: users.create_user(
                session=session,
                email=email,
                display_name=name,
                role=role,
                password_hash=password_hash,
            )
        )
    except (users.InvalidUser, users.UserExists, WeakPassword, DatabaseNotMigrated) as exc:
        _fail(exc)
    console.print(f"[green]added {role} {escape(email)}[/green]")


def _when(value: datetime) -> str:
    # SQLite hands back naive datetimes; they were stored in UTC.
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M")


@app.command("list")
def list_accounts() -> None:
    """Show every account."""
    try:
        accounts = _with_session(lambda session: users.list_users(session=session))
    except DatabaseNotMigrated as exc:
        _fail(exc)
    if not accounts:
        console.print("[yellow]no users yet: add one with `supportbot user add`[/yellow]")
        return
    table = Table("email", "name", "role", "disabled", "created (UTC)")
    for user in accounts:
        table.add_row(
            escape(user.email),
            escape(user.display_name),
            user.role,
            "yes" if user.disabled else "no",
            _when(user.created_at),
        )
    console.print(table)


@app.command("disable")
def disable(
    email: str,
    enable: Annotated[bool, typer.Option("--enable", help="Enable the account again.")] = False,
) -> None:
    """Stop an account from signing in (or, with --enable, allow it again)."""
    try:
        user = _with_session(
            lambda session: users.set_disabled(session=session, email=email, disabled=not enable)
        )
    except (users.UnknownUser, DatabaseNotMigrated) as exc:
        _fail(exc)
    console.print(f"[green]{'enabled' if enable else 'disabled'} {escape(user.email)}[/green]")


@app.command("set-password")
def set_password(email: str, password_stdin: PasswordStdin = False) -> None:
    """Replace an account's password."""
    try:
        _with_session(lambda session: users.require_user(session=session, email=email))
        password_hash = hash_password(_read_password(password_stdin))
        user = _with_session(
            lambda session: users.set_password_hash(
                session=session, email=email, password_hash=password_hash
            )
        )
    except (users.UnknownUser, WeakPassword, DatabaseNotMigrated) as exc:
        _fail(exc)
    console.print(f"[green]password changed for {escape(user.email)}[/green]")
