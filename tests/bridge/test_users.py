"""Staff accounts: real Argon2 hashes, the repository on SQLite and PostgreSQL, the CLI."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bridge.cli import app
from bridge.db import users
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.migrate import downgrade, upgrade
from bridge.db.models import User
from bridge.services.passwords import (
    WeakPassword,
    hash_password,
    needs_rehash,
    verify_password,
)
from bridge.settings import get_settings
from tests import aio

PASSWORD = "correct horse battery"
OTHER_PASSWORD = "staple paper clip 42"

# --- passwords -------------------------------------------------------------------------------


def test_a_hash_verifies_the_same_password_only() -> None:
    password_hash = hash_password(PASSWORD)
    assert password_hash.startswith("$argon2id$")
    assert verify_password(PASSWORD, password_hash) is True
    assert verify_password(PASSWORD.upper(), password_hash) is False
    assert verify_password(PASSWORD + " ", password_hash) is False
    assert hash_password(PASSWORD) != password_hash  # salted


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    ],
)
def test_verify_is_false_for_a_malformed_hash(malformed: str) -> None:
    assert verify_password(PASSWORD, malformed) is False


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("x" * 9, "at least 10 characters"),
        ("", "at least 10 characters"),
        ("x" * 257, "at most 256 characters"),
        (" " * 12, "only whitespace"),
        ("\t\n " * 4, "only whitespace"),
    ],
)
def test_weak_passwords_are_refused(password: str, reason: str) -> None:
    with pytest.raises(WeakPassword, match=reason):
        hash_password(password)


@pytest.mark.parametrize("password", ["x" * 10, "y" * 256, "  spaced out  "])
def test_passwords_within_the_policy_are_hashed(password: str) -> None:
    assert verify_password(password, hash_password(password))


def test_needs_rehash_for_other_parameters_or_an_unreadable_hash() -> None:
    assert needs_rehash(hash_password(PASSWORD)) is False
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    assert verify_password(PASSWORD, cheap)
    assert needs_rehash(cheap) is True
    assert needs_rehash("not a hash") is True


# --- validation ------------------------------------------------------------------------------


def test_emails_are_stripped_and_lower_cased() -> None:
    assert users.normalize_email("  Ana.Agent@Example.COM \n") == "ana.agent@example.com"
    longest = "a" * 242 + "@example.com"
    assert len(longest) == 254
    assert users.normalize_email(longest) == longest


@pytest.mark.parametrize(
    "email",
    [
        "",
        "ana.example.com",
        "ana@@example.com",
        "ana@support@example.com",
        "@example.com",
        "ana@localhost",
        "ana@example.",
        "ana@.example.com",
        "ana@example..com",
        "an a@example.com",
        "ana@exa\tmple.com",
        "a" * 243 + "@example.com",
    ],
)
def test_bad_emails_are_refused(email: str) -> None:
    with pytest.raises(users.InvalidEmail, match="not a valid email address"):
        users.normalize_email(email)


@pytest.mark.parametrize("role", ["", "Admin", "owner", " agent"])
def test_unknown_roles_are_refused(role: str) -> None:
    with pytest.raises(users.InvalidRole, match="choose one of agent, editor, admin"):
        users.check_role(role)


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_bad_display_names_are_refused(name: str) -> None:
    with pytest.raises(users.InvalidDisplayName, match="1 to 80 characters"):
        users.normalize_display_name(name)


# --- repository, on SQLite and PostgreSQL ----------------------------------------------------

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    engine = create_engine(database_url)
    # The PostgreSQL database lives for the whole test session and conftest empties only the
    # conversation tables, so start every test from no users.
    async with engine.begin() as connection:
        await connection.execute(delete(User))
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _add(sessions: Sessions, email: str, role: str = "agent", name: str = "Ana") -> User:
    async with sessions.begin() as session:
        return await users.create_user(
            session=session,
            email=email,
            display_name=name,
            role=role,
            password_hash=hash_password(PASSWORD),
        )


async def _all(sessions: Sessions) -> list[User]:
    async with sessions() as session:
        return await users.list_users(session=session)


async def test_create_stores_a_normalised_enabled_account(sessions: Sessions) -> None:
    created = await _add(sessions, "  Ana.Agent@Example.COM ", role="editor", name=" Ana Agent ")
    async with sessions() as session:
        user = await users.get_user_by_email(session=session, email="ANA.agent@example.com")
    assert user is not None
    assert user.id == created.id
    assert (user.email, user.display_name, user.role) == (
        "ana.agent@example.com",
        "Ana Agent",
        "editor",
    )
    assert user.disabled is False
    assert user.created_at is not None and user.updated_at is not None
    assert verify_password(PASSWORD, user.password_hash)


async def test_a_taken_email_in_any_case_raises_user_exists(sessions: Sessions) -> None:
    await _add(sessions, "ana@example.com", name="First")
    with pytest.raises(users.UserExists, match=r"ana@example\.com already exists"):
        await _add(sessions, "ANA@Example.com ", name="Second")
    assert [(u.email, u.display_name) for u in await _all(sessions)] == [
        ("ana@example.com", "First")
    ]


@pytest.mark.parametrize(
    ("email", "role", "error"),
    [
        ("ana.example.com", "agent", users.InvalidEmail),
        ("ana@example.com", "root", users.InvalidRole),
    ],
)
async def test_create_refuses_invalid_fields_and_stores_nothing(
    sessions: Sessions, email: str, role: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await _add(sessions, email, role=role)
    assert await _all(sessions) == []


async def test_users_are_listed_by_email(sessions: Sessions) -> None:
    for email in ("zoe@example.com", "ana@example.com", "max@example.com"):
        await _add(sessions, email)
    assert [u.email for u in await _all(sessions)] == [
        "ana@example.com",
        "max@example.com",
        "zoe@example.com",
    ]


async def test_disabling_and_enabling_an_account(sessions: Sessions) -> None:
    await _add(sessions, "ana@example.com")
    await _add(sessions, "max@example.com")
    async with sessions.begin() as session:
        await users.set_disabled(session=session, email="ANA@example.com", disabled=True)
    assert {u.email: u.disabled for u in await _all(sessions)} == {
        "ana@example.com": True,
        "max@example.com": False,
    }
    async with sessions.begin() as session:
        await users.set_disabled(session=session, email="ana@example.com", disabled=False)
    assert [u.disabled for u in await _all(sessions)] == [False, False]


async def test_set_password_hash_replaces_only_that_accounts_hash(sessions: Sessions) -> None:
    await _add(sessions, "ana@example.com")
    await _add(sessions, "max@example.com")
    async with sessions.begin() as session:
        await users.set_password_hash(
            session=session, email="ana@example.com", password_hash=hash_password(OTHER_PASSWORD)
        )
    stored = {u.email: u.password_hash for u in await _all(sessions)}
    assert verify_password(OTHER_PASSWORD, stored["ana@example.com"])
    assert not verify_password(PASSWORD, stored["ana@example.com"])
    assert verify_password(PASSWORD, stored["max@example.com"])


async def test_changing_an_unknown_account_raises_unknown_user(sessions: Sessions) -> None:
    await _add(sessions, "ana@example.com")
    async with sessions() as session:
        assert await users.get_user_by_email(session=session, email="max@example.com") is None
        with pytest.raises(users.UnknownUser, match=r"no user with email max@example\.com"):
            await users.set_disabled(session=session, email="max@example.com", disabled=True)
        with pytest.raises(users.UnknownUser, match=r"no user with email max@example\.com"):
            await users.set_password_hash(
                session=session, email="max@example.com", password_hash="x"
            )


# --- `supportbot user`, on a migrated SQLite file --------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _stored(database_url: str) -> dict[str, User]:
    async def read() -> list[User]:
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                return await users.list_users(session=session)
        finally:
            await engine.dispose()

    return {user.email: user for user in aio.run(read())}


def _cli(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["user", *args], input=stdin)
    return result.exit_code, result.output


def _add_ana(password: str = PASSWORD) -> None:
    code, output = _cli(
        "add", "Ana@Example.com", "--name", "Ana", "--password-stdin", stdin=password + "\n"
    )
    assert code == 0, output


def test_cli_add_with_the_prompt_then_list(cli_database: str) -> None:
    code, output = _cli(
        "add", "ana@example.com", "--name", "Ana", "--role", "admin", stdin=f"{PASSWORD}\n" * 2
    )
    assert code == 0, output
    assert "added admin ana@example.com" in output
    assert PASSWORD not in output  # the prompt hides it
    code, output = _cli(
        "add", "max@example.com", "--name", "Max", "--password-stdin", stdin=OTHER_PASSWORD + "\n"
    )
    assert code == 0, output

    stored = _stored(cli_database)
    assert set(stored) == {"ana@example.com", "max@example.com"}
    assert stored["max@example.com"].role == "agent"  # the default
    assert verify_password(PASSWORD, stored["ana@example.com"].password_hash)
    assert verify_password(OTHER_PASSWORD, stored["max@example.com"].password_hash)

    code, output = _cli("list")
    assert code == 0, output
    rows = [line for line in output.splitlines() if "@example.com" in line]
    assert len(rows) == 2
    assert all(word in rows[0] for word in ("ana@example.com", "Ana", "admin", "no"))
    assert all(word in rows[1] for word in ("max@example.com", "Max", "agent", "no"))


def test_cli_list_with_no_users(cli_database: str) -> None:
    code, output = _cli("list")
    assert code == 0, output
    assert "no users yet" in output


def test_cli_prompt_needs_a_matching_confirmation(cli_database: str) -> None:
    code, output = _cli("add", "ana@example.com", "--name", "Ana", stdin=f"{PASSWORD}\nother\n")
    assert code != 0
    assert "do not match" in output
    assert _stored(cli_database) == {}


def test_cli_duplicate_email_exits_1(cli_database: str) -> None:
    _add_ana()
    code, output = _cli(
        "add", " ANA@example.com", "--name", "Imposter", "--password-stdin", stdin=f"{PASSWORD}\n"
    )
    assert code == 1
    assert "a user with email ana@example.com already exists" in output
    assert [u.display_name for u in _stored(cli_database).values()] == ["Ana"]


@pytest.mark.parametrize("stdin_flag", [True, False])
def test_cli_weak_password_exits_1_and_stores_nothing(cli_database: str, stdin_flag: bool) -> None:
    flags = ["--password-stdin"] if stdin_flag else []
    stdin = "too short\n" * (1 if stdin_flag else 2)
    code, output = _cli("add", "ana@example.com", "--name", "Ana", *flags, stdin=stdin)
    assert code == 1
    assert "at least 10 characters" in output
    assert _stored(cli_database) == {}


def test_cli_password_stdin_needs_a_line(cli_database: str) -> None:
    code, output = _cli("add", "ana@example.com", "--name", "Ana", "--password-stdin", stdin="")
    assert code == 1
    assert "expected the password on stdin" in output
    assert _stored(cli_database) == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email", "--name", "Ana"], "not a valid email address: 'not-an-email'"),
        (["ana@example.com", "--name", "Ana", "--role", "owner"], "unknown role 'owner'"),
        (["ana@example.com", "--name", " "], "display name must have 1 to 80 characters"),
    ],
)
def test_cli_add_refuses_bad_fields(cli_database: str, args: list[str], message: str) -> None:
    code, output = _cli("add", *args, "--password-stdin", stdin=f"{PASSWORD}\n")
    assert code == 1
    assert message in output
    assert _stored(cli_database) == {}


def test_cli_disable_and_enable(cli_database: str) -> None:
    _add_ana()
    code, output = _cli("disable", "ana@example.com")
    assert code == 0, output
    assert "disabled ana@example.com" in output
    assert _stored(cli_database)["ana@example.com"].disabled is True
    listing = _cli("list")[1]
    assert any("ana@example.com" in row and "yes" in row for row in listing.splitlines())

    code, output = _cli("disable", "ANA@example.com", "--enable")
    assert code == 0, output
    assert "enabled ana@example.com" in output
    assert _stored(cli_database)["ana@example.com"].disabled is False


def test_cli_set_password_replaces_the_old_one(cli_database: str) -> None:
    _add_ana()
    old_hash = _stored(cli_database)["ana@example.com"].password_hash
    code, output = _cli(
        "set-password", "ana@example.com", "--password-stdin", stdin=f"{OTHER_PASSWORD}\n"
    )
    assert code == 0, output
    assert "password changed for ana@example.com" in output
    new_hash = _stored(cli_database)["ana@example.com"].password_hash
    assert new_hash != old_hash
    assert verify_password(OTHER_PASSWORD, new_hash)
    assert not verify_password(PASSWORD, new_hash)

    code, output = _cli("set-password", "ana@example.com", stdin="short\nshort\n")
    assert code == 1
    assert "at least 10 characters" in output
    assert _stored(cli_database)["ana@example.com"].password_hash == new_hash


@pytest.mark.parametrize(
    "args", [["disable", "max@example.com"], ["set-password", "max@example.com"]]
)
def test_cli_unknown_user_exits_1(cli_database: str, args: list[str]) -> None:
    _add_ana()
    # No password on stdin: set-password must refuse before it asks for one.
    code, output = _cli(*args)
    assert code == 1
    assert "no user with email max@example.com" in output
    ana = _stored(cli_database)["ana@example.com"]
    assert ana.disabled is False
    assert verify_password(PASSWORD, ana.password_hash)


@pytest.mark.parametrize("args", [["list"], ["disable", "ana@example.com"]])
def test_cli_asks_for_the_migration_first(cli_database: str, args: list[str]) -> None:
    downgrade(cli_database, "0002")
    code, output = _cli(*args)
    assert code == 1
    assert "run `supportbot db upgrade` first" in output
