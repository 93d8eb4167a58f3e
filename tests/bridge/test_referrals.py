""" "How did you hear about us?" through the bridge's API (the action server's side): asked once
per customer (their shop id across browsers, else their browser), the first answer kept, and
every bad input refused, on SQLite and PostgreSQL."""

import asyncio
import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.app import create_app
from bridge.db import referrals
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import Conversation, ReferralAnswer, utcnow
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import TEST_SERVICE_TOKEN, make_settings

SECRET = "identity-secret-for-tests-0123456789abcdef"
SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}


def customer(customer_id: str) -> dict[str, Any]:
    signature = hmac.new(SECRET.encode(), customer_id.encode(), hashlib.sha256).hexdigest()
    return {"id": customer_id, "signature": signature, "name": "Anna Kovács"}


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index", warm_up=False)
    settings = make_settings(database_url, None, identity_secret=SECRET)
    with TestClient(create_app(settings, kb)) as client:
        yield client


def start(api: TestClient, visitor: str | None, who: dict[str, Any] | None = None) -> str:
    body: dict[str, Any] = {"language": "hu"}
    if visitor is not None:
        body["visitor_id"] = visitor
    if who is not None:
        body["customer"] = who
    response = api.post("/api/conversations", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["conversation_id"])


def ask(api: TestClient, conversation_id: str, language: str = "hu") -> httpx.Response:
    body = {"conversation_id": conversation_id, "language": language}
    return api.post("/api/referrals", json=body, headers=SERVICE)


def answer(api: TestClient, referral_id: int, conversation_id: str, **body: Any) -> httpx.Response:
    return api.post(
        f"/api/referrals/{referral_id}/answer",
        json={"conversation_id": conversation_id, **body},
        headers=SERVICE,
    )


def rows(database_url: str) -> list[ReferralAnswer]:
    async def read(session: AsyncSession) -> list[ReferralAnswer]:
        return list(await session.scalars(select(ReferralAnswer).order_by(ReferralAnswer.id)))

    return aio.run_sql(database_url, read)


def test_a_customer_is_asked_once_and_the_first_answer_is_kept(
    api: TestClient, database_url: str
) -> None:
    first = start(api, "visitor-a")
    asked = ask(api, first)
    assert asked.status_code == 201, asked.text
    referral_id = asked.json()["referral_id"]
    assert asked.json()["status"] == "asked" and referral_id >= 1
    # Again in the same conversation, and in a later one of the same browser: not again.
    for conversation in (first, start(api, "visitor-a")):
        again = ask(api, conversation)
        assert again.status_code == 200
        assert again.json() == {"status": "already_asked", "referral_id": None}
    recorded = answer(api, referral_id, first, source="friend_family", detail="Egy barátom")
    assert recorded.json() == {"status": "recorded"}
    twice = answer(api, referral_id, first, source="advert")
    assert twice.status_code == 200 and twice.json() == {"status": "already_answered"}
    [row] = rows(database_url)
    assert (row.subject, row.source, row.detail, row.language) == (
        "visitor:visitor-a",
        "friend_family",
        "Egy barátom",
        "hu",
    )
    assert row.answered_at is not None
    # Another browser is another customer: asked.
    assert ask(api, start(api, "visitor-b")).status_code == 201


def test_an_identified_customer_is_asked_once_across_browsers(
    api: TestClient, database_url: str
) -> None:
    on_laptop = start(api, "laptop", customer("cust-1001"))
    assert ask(api, on_laptop).status_code == 201
    on_phone = start(api, "phone", customer("cust-1001"))
    assert ask(api, on_phone).json()["status"] == "already_asked"
    # The laptop's browser, signed out later, is the same person: not asked again either.
    assert ask(api, start(api, "laptop")).json()["status"] == "already_asked"
    assert [row.subject for row in rows(database_url)] == ["customer:cust-1001"]


def test_a_conversation_without_a_visitor_id_is_its_own_subject(
    api: TestClient, database_url: str
) -> None:
    conversation = start(api, None)
    assert ask(api, conversation).status_code == 201
    assert ask(api, conversation).json()["status"] == "already_asked"
    assert [row.subject for row in rows(database_url)] == [f"conversation:{conversation}"]


def test_a_typed_answer_is_masked_and_skipping_is_an_answer(
    api: TestClient, database_url: str
) -> None:
    typed = start(api, "visitor-c")
    referral_id = ask(api, typed).json()["referral_id"]
    card = "a friend, card 4111 1111 1111 1111"
    assert answer(api, referral_id, typed, source="other", detail=card).status_code == 200
    skipped = start(api, "visitor-d")
    skipped_id = ask(api, skipped, "en").json()["referral_id"]
    assert answer(api, skipped_id, skipped, source="skipped").status_code == 200
    first, second = rows(database_url)
    assert first.detail is not None and "4111" not in first.detail
    assert (second.source, second.detail, second.language) == ("skipped", None, "en")


def test_two_turns_asking_at_once_ask_once(api: TestClient, database_url: str) -> None:
    """Four conversations of one browser, their transactions all open before any asks."""
    conversations = [start(api, "visitor-race") for _ in range(4)]

    async def race() -> list[int | None]:
        engine = create_engine(database_url)
        sessions = create_sessionmaker(engine)
        ready = asyncio.Barrier(len(conversations))

        async def attempt(conversation_id: str) -> int | None:
            async with sessions.begin() as session:
                conversation = await session.get(Conversation, conversation_id)
                assert conversation is not None
                await ready.wait()
                asked = await referrals.ask(
                    session=session, conversation=conversation, language="en", at=utcnow()
                )
                return asked.referral_id

        try:
            return list(await asyncio.gather(*(attempt(c) for c in conversations)))
        finally:
            await engine.dispose()

    outcomes = aio.run(race())
    assert sum(outcome is not None for outcome in outcomes) == 1, outcomes
    assert len(rows(database_url)) == 1


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/api/referrals", {"conversation_id": "nope", "language": "en"}, 404),
        ("/api/referrals", {"conversation_id": "x" * 37, "language": "en"}, 422),
        ("/api/referrals", {"conversation_id": "a\x00b", "language": "en"}, 422),
        ("/api/referrals", {"conversation_id": "{c}", "language": "de"}, 422),
        ("/api/referrals", {"conversation_id": "{c}", "language": "en", "extra": 1}, 422),
        ("/api/referrals/{r}/answer", {"conversation_id": "{c}", "source": "tv"}, 422),
        ("/api/referrals/{r}/answer", {"conversation_id": "{c}", "source": None}, 422),
        (
            "/api/referrals/{r}/answer",
            {"conversation_id": "{c}", "source": "other", "detail": "x" * 201},
            422,
        ),
        ("/api/referrals/{r}/answer", {"conversation_id": "other", "source": "search"}, 404),
        ("/api/referrals/999999/answer", {"conversation_id": "{c}", "source": "search"}, 404),
        ("/api/referrals/0/answer", {"conversation_id": "{c}", "source": "search"}, 422),
        ("/api/referrals/1e99/answer", {"conversation_id": "{c}", "source": "search"}, 422),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    api: TestClient, database_url: str, path: str, body: dict[str, Any], code: int
) -> None:
    conversation = start(api, "visitor-e")
    referral_id = ask(api, conversation).json()["referral_id"]
    filled = {
        k: v.replace("{c}", conversation) if isinstance(v, str) else v for k, v in body.items()
    }
    response = api.post(path.replace("{r}", str(referral_id)), json=filled, headers=SERVICE)
    assert response.status_code == code, response.text
    [row] = rows(database_url)
    assert (row.source, row.detail, row.answered_at) == (None, None, None)


def test_only_the_action_server_may_ask_or_answer(api: TestClient) -> None:
    conversation = start(api, "visitor-f")
    body = {"conversation_id": conversation, "language": "en"}
    assert api.post("/api/referrals", json=body).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert api.post("/api/referrals", json=body, headers=wrong).status_code == 401
    answer_body = {"conversation_id": conversation, "source": "search"}
    assert api.post("/api/referrals/1/answer", json=answer_body).status_code == 401
