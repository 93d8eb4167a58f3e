"""Small pieces of the bridge that need no services."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from bridge.i18n import text
from bridge.services.chat_text import clean_text, display_name
from bridge.services.keyed_locks import KeyedLocks
from bridge.services.tokens import CustomerTokens, InvalidToken
from bridge.settings import DEV_SECRET, Settings

SECRET = "unit-test-secret-long-enough-for-hs256!!"


def test_token_round_trip_and_expiry() -> None:
    tokens = CustomerTokens(secret=SECRET, ttl_s=60)
    issued = tokens.issue("conv-1")
    assert tokens.conversation_id(issued.token) == "conv-1"
    old = tokens.issue("conv-1", now=datetime.now(UTC) - timedelta(seconds=61))
    with pytest.raises(InvalidToken, match="expired"):
        tokens.conversation_id(old.token)
    with pytest.raises(InvalidToken):
        CustomerTokens(secret=SECRET + "x", ttl_s=60).conversation_id(issued.token)
    with pytest.raises(InvalidToken):
        tokens.conversation_id(issued.token[:-2])


@pytest.mark.parametrize(("secret", "ttl"), [("", 60), (SECRET, 0), (SECRET, -5)])
def test_tokens_refuse_bad_arguments(secret: str, ttl: int) -> None:
    with pytest.raises(ValueError):
        CustomerTokens(secret=secret, ttl_s=ttl)


async def test_keyed_locks_serialise_per_key_and_forget_idle_keys() -> None:
    locks = KeyedLocks()
    order: list[str] = []

    async def turn(key: str, name: str, delay: float) -> None:
        async with locks.hold(key):
            order.append(f"{name}+")
            await asyncio.sleep(delay)
            order.append(f"{name}-")

    await asyncio.gather(turn("a", "1", 0.05), turn("a", "2", 0), turn("b", "3", 0))
    assert order.index("1-") < order.index("2+")  # same key: one at a time, in order
    assert order.index("3+") < order.index("1-")  # other key: not blocked
    assert len(locks) == 0


def test_clean_text() -> None:
    assert clean_text("  hi\u0000 there\u200b\n ") == "hi there"
    assert clean_text("line 1\nline 2\tend") == "line 1\nline 2\tend"
    assert clean_text("árvíztűrő tükörfúrógép 🙂") == "árvíztűrő tükörfúrógép 🙂"


def test_i18n_falls_back_to_english() -> None:
    assert text("rate_limited", "hu", seconds=3) == (
        "Túl gyorsan küldi az üzeneteket. Kérjük, várjon 3 másodpercet."
    )
    assert text("empty_message", "xx") == text("empty_message", "en")


def test_settings_normalise_database_urls() -> None:
    assert (
        Settings(database_url="postgresql://u@h/db").database_url == "postgresql+asyncpg://u@h/db"
    )
    assert Settings(database_url="sqlite:///x.db").database_url == "sqlite+aiosqlite:///x.db"
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        Settings(database_url="mysql://u@h/db")
    with pytest.raises(ValidationError):
        Settings(rasa_url="ftp://rasa")
    with pytest.raises(ValidationError):
        Settings(max_message_chars=0)


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=DEV_SECRET, rasa_token="r" * 40)
    with pytest.raises(ValidationError, match="RASA_TOKEN"):
        Settings(environment="production", secret_key="s" * 40)
    with pytest.raises(ValidationError, match="SERVICE_TOKEN"):
        Settings(environment="production", secret_key="s" * 40, rasa_token="r" * 40)
    assert Settings(
        environment="production",
        secret_key="s" * 40,
        rasa_token="r" * 40,
        service_token="t" * 40,
        action_server_token="a" * 40,
    )


@pytest.mark.parametrize(
    ("name", "greeted"),
    [
        ("Anna Kovács", "Anna Kovács"),
        ("  Kovács\u200b Anna\n", "Kovács Anna"),  # invisible and control characters go
        ("{customer_name}", "customer_name"),  # no placeholder reaches Rasa's responses
        ("{}", None),
        ("", None),
        (None, None),
    ],
)
def test_the_name_the_bot_greets_with(name: str | None, greeted: str | None) -> None:
    assert display_name(name) == greeted
