"""Identified customers (bridge.services.identity): a signed id is trusted, anything else is
refused or trimmed while the chat goes on anonymously; an identified customer's conversations
are linked across browsers, shown to the agent, and share one NPS cooldown. On SQLite and
PostgreSQL."""

import hashlib
import hmac
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.app import create_app
from bridge.db import nps
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import Conversation, Handoff, Message
from bridge.services.handoff_views import views
from bridge.services.identity import IdentityRefused, IdentityVerifier, is_email
from bridge.services.privacy import PrivacyService, Selector
from bridge.services.rasa_tracker_store import NoTrackerStore
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import make_settings
from tests.staff import Signed, add_user, sign_in

SECRET = "identity-secret-for-tests-0123456789abcdef"
ALLOWED = "order_id,order_status,cart_value,vip"
ANNA = "cust-1001"


def signed(customer_id: str, secret: str = SECRET) -> str:
    """Written out as the README tells a shop to, not through the bridge's own function."""
    return hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


def anna(**changes: Any) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "id": ANNA,
        "signature": signed(ANNA),
        "name": "Anna Kovács",
        "email": "anna@example.com",
        "locale": "hu",
        "attributes": {"order_id": "NW-5521", "order_status": "shipped", "cart_value": 42.5},
    }
    identity.update(changes)
    return identity


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index", warm_up=False)
    settings = make_settings(
        database_url, None, identity_secret=SECRET, identity_attributes=ALLOWED
    )
    with TestClient(create_app(settings, kb)) as client:
        yield client


def start(api: TestClient, customer: Any = None, visitor: str = "visitor-a") -> dict[str, Any]:
    body: dict[str, Any] = {"language": "hu", "visitor_id": visitor, "page_url": "https://shop/x"}
    if customer is not None:
        body["customer"] = customer
    response = api.post("/api/conversations", json=body)
    assert response.status_code == 201, response.text  # whatever the identity, the chat starts
    return dict(response.json())


def stored(database_url: str, conversation_id: str) -> Conversation:
    async def read(session: AsyncSession) -> Conversation:
        row = await session.get(Conversation, conversation_id)
        assert row is not None
        return row

    return aio.run_sql(database_url, read)


def identify(api: TestClient, started: dict[str, Any], customer: Any) -> Any:
    return api.post(
        f"/api/conversations/{started['conversation_id']}/identity",
        json=customer,
        headers={"Authorization": f"Bearer {started['token']}"},
    )


# --- the verifier alone ------------------------------------------------------------------------


def verifier(secret: str = SECRET) -> IdentityVerifier:
    return IdentityVerifier(secret=secret, allowed_attributes=frozenset(ALLOWED.split(",")))


@pytest.mark.parametrize(
    ("identity", "code"),
    [
        (anna(signature=signed(ANNA)[:-2]), "invalid"),  # truncated
        (anna(signature="0" * 64), "bad_signature"),  # forged
        (anna(signature=signed(ANNA).upper()[:-1] + "0"), "bad_signature"),
        (anna(signature=signed("cust-2002")), "bad_signature"),  # another customer's
        (anna(signature=signed(ANNA, "another-secret")), "bad_signature"),
        (anna(signature=None), "invalid"),
        ({"id": ANNA}, "invalid"),
        (anna(attributes={"order_id": {"nested": ["junk"]}}), "invalid"),
        (anna(attributes={"order_id": ["a", "b"]}), "invalid"),
        (anna(attributes={"order_id": None}), "invalid"),
        (anna(extra="field"), "invalid"),
        (anna(id="x" * 129, signature=signed("x" * 129)), "invalid"),
        (anna(name="n" * 101), "invalid"),
        (anna(id="a\x00b", signature=signed("a\x00b")), "invalid"),
        (anna(attributes={"order_id": "x" * 1_000_000}), "too_large"),  # a 1 MB identity
        (["not", "an", "object"], "invalid"),
        ("a string", "invalid"),
    ],
)
def test_a_bad_identity_is_refused_with_its_reason(identity: Any, code: str) -> None:
    with pytest.raises(IdentityRefused) as refused:
        verifier().verify(identity)
    assert refused.value.code == code


def test_without_a_secret_every_identity_is_ignored() -> None:
    with pytest.raises(IdentityRefused) as refused:
        verifier("").verify(anna())
    assert refused.value.code == "disabled"


def test_a_good_identity_is_trimmed_to_the_allow_list_and_a_real_email() -> None:
    given = anna(
        email="not an email",
        attributes={"order_id": "NW-1", "password": "hunter2", "vip": True, "cart_value": 3},
    )
    customer = verifier().verify(given)
    assert customer.id == ANNA
    assert customer.name == "Anna Kovács"
    assert customer.email is None  # trimmed, not refused
    assert customer.attributes == {"order_id": "NW-1", "vip": True, "cart_value": 3}


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("anna@example.com", True),
        ("a.b+c@mail.example.co.uk", True),
        ("anna@localhost", False),
        ("anna example.com", False),
        ("anna@@example.com", False),
        ("@example.com", False),
        ("anna@example..com", False),
        ("anna@-example.com", False),
        ("anna@example.com\nBcc: x@y.z", False),
    ],
)
def test_what_counts_as_an_email(value: str, ok: bool) -> None:
    assert is_email(value) is ok


# --- starting a conversation -------------------------------------------------------------------


def test_a_good_identity_is_stored_on_the_conversation(api: TestClient, database_url: str) -> None:
    started = start(api, anna(attributes={"order_id": "NW-5521", "secret_note": "x"}))
    row = stored(database_url, started["conversation_id"])
    assert (row.customer_id, row.customer_name, row.customer_email, row.customer_locale) == (
        ANNA,
        "Anna Kovács",
        "anna@example.com",
        "hu",
    )
    assert row.customer_attributes == {"order_id": "NW-5521"}  # not in the allow-list: dropped


@pytest.mark.parametrize(
    "identity",
    [
        anna(signature="0" * 64),
        anna(signature=signed(ANNA)[:20]),
        anna(signature=signed("cust-2002")),
        anna(attributes={"order_id": {"deep": {"deeper": [1, 2, 3]}}}),
        anna(attributes={"order_id": "x" * 900_000}),  # under the request limit, far over ours
        "junk",
        12,
    ],
)
def test_a_bad_identity_leaves_an_anonymous_chat_that_goes_on(
    api: TestClient, database_url: str, identity: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bridge.services.identity"):
        started = start(api, identity)
    assert "customer identity refused" in caplog.text
    row = stored(database_url, started["conversation_id"])
    assert row.customer_id is None and row.customer_name is None
    assert row.customer_attributes is None
    # The chat goes on: the conversation is usable with its token.
    response = api.get(
        f"/api/conversations/{started['conversation_id']}/messages",
        headers={"Authorization": f"Bearer {started['token']}"},
    )
    assert response.status_code == 200, response.text


def test_a_bad_email_is_dropped_and_the_rest_kept(api: TestClient, database_url: str) -> None:
    started = start(api, anna(email="anna(at)example"))
    row = stored(database_url, started["conversation_id"])
    assert row.customer_id == ANNA and row.customer_email is None


# --- identifying a running conversation --------------------------------------------------------


def test_a_running_conversation_can_be_identified_once(api: TestClient, database_url: str) -> None:
    started = start(api)
    assert identify(api, started, anna()).status_code == 200
    # The same customer again refreshes what the shop says about them.
    again = identify(api, started, anna(attributes={"order_status": "delivered"}))
    assert again.status_code == 200, again.text
    assert stored(database_url, started["conversation_id"]).customer_attributes == {
        "order_status": "delivered"
    }


def test_a_replayed_identify_for_another_customer_is_refused(
    api: TestClient, database_url: str
) -> None:
    """Bob copies a signed id from a page: a conversation that is Anna's stays Anna's."""
    started = start(api, anna())
    bob = anna(id="cust-2002", signature=signed("cust-2002"), name="Bob", email="bob@example.com")
    response = identify(api, started, bob)
    assert response.status_code == 409, response.text
    row = stored(database_url, started["conversation_id"])
    assert (row.customer_id, row.customer_name) == (ANNA, "Anna Kovács")


def test_identify_checks_the_token_and_the_signature(api: TestClient, database_url: str) -> None:
    started = start(api)
    other = start(api, visitor="visitor-b")
    stolen = api.post(
        f"/api/conversations/{started['conversation_id']}/identity",
        json=anna(),
        headers={"Authorization": f"Bearer {other['token']}"},
    )
    assert stolen.status_code in (401, 403), stolen.text
    forged = identify(api, started, anna(signature="f" * 64))
    assert forged.status_code == 422
    assert forged.json()["detail"] == "identity refused: bad_signature"
    assert stored(database_url, started["conversation_id"]).customer_id is None


# --- linking, the console, the NPS cooldown ----------------------------------------------------


def _say(database_url: str, conversation_id: str, text: str) -> None:
    async def add(session: AsyncSession) -> None:
        session.add(Message(conversation_id=conversation_id, seq=1, role="customer", text=text))

    aio.run_sql(database_url, add)


@pytest.fixture
def agent(api: TestClient, database_url: str) -> Signed:
    add_user(database_url, "bela@example.com")
    return sign_in(api, "bela@example.com")


def test_one_customers_conversations_from_two_browsers_are_linked(
    api: TestClient, database_url: str, agent: Signed
) -> None:
    first = start(api, anna(), visitor="laptop")
    _say(database_url, first["conversation_id"], "Where is my order?")
    stranger = start(api, visitor="stranger")
    _say(database_url, stranger["conversation_id"], "hi")
    second = start(api, anna(), visitor="phone")  # another browser, the same customer
    response = api.get(
        f"/api/staff/conversations/{second['conversation_id']}/history", headers=agent.headers()
    )
    assert response.status_code == 200, response.text
    chats = response.json()["chats"]
    assert [c["conversation_id"] for c in chats] == [first["conversation_id"]]
    assert chats[0]["topic"] == "Where is my order?"
    # Another visitor's anonymous conversation is linked to nothing of Anna's.
    lone = api.get(
        f"/api/staff/conversations/{stranger['conversation_id']}/history", headers=agent.headers()
    )
    assert lone.json()["chats"] == []


def test_the_console_shows_the_customer(api: TestClient, agent: Signed) -> None:
    started = start(api, anna())
    anonymous = start(api, visitor="visitor-b")
    body = api.get(
        f"/api/staff/conversations/{started['conversation_id']}", headers=agent.headers()
    ).json()
    assert body["customer"] == {
        "id": ANNA,
        "name": "Anna Kovács",
        "email": "anna@example.com",
        "locale": "hu",
        "attributes": {"order_id": "NW-5521", "order_status": "shipped", "cart_value": 42.5},
    }
    assert body["page_url"] == "https://shop/x"
    none = api.get(
        f"/api/staff/conversations/{anonymous['conversation_id']}", headers=agent.headers()
    ).json()
    assert none["customer"] is None


def test_an_identified_customer_gets_one_nps_cooldown_across_browsers(
    api: TestClient, database_url: str
) -> None:
    laptop = start(api, anna(), visitor="laptop")["conversation_id"]
    phone = start(api, anna(), visitor="phone")["conversation_id"]
    stranger = start(api, visitor="stranger")["conversation_id"]
    now = datetime(2026, 12, 1, tzinfo=UTC)

    def ask(conversation_id: str, moment: datetime) -> str:
        async def work(session: AsyncSession) -> str:
            try:
                await nps.start_survey(
                    session=session,
                    conversation_id=conversation_id,
                    language="hu",
                    trigger="goodbye",
                    cooldown_days=30,
                    now=moment,
                )
            except nps.RecentlyAsked:
                return "refused"
            return "asked"

        return aio.run_sql(database_url, work)

    assert ask(laptop, now) == "asked"
    assert ask(phone, now + timedelta(days=1)) == "refused"  # another browser, the same Anna
    assert ask(stranger, now + timedelta(days=1)) == "asked"  # someone else is not held back
    assert ask(phone, now + timedelta(days=31)) == "asked"  # after the cooldown


# --- the demo page's signed-in variant ---------------------------------------------------------


def test_the_demo_page_signs_its_customer_in_only_with_a_secret_outside_production(
    api: TestClient, database_url: str, tmp_path: Path
) -> None:
    page = api.get("/?signed_in=anna").text
    assert "Signed in as Anna Kovács" in page
    assert f'"signature": "{signed("demo-customer-anna")}"' in page
    assert "Signed in as" not in api.get("/").text
    assert "Signed in as" not in api.get("/?signed_in=bob").text
    kb = KBSettings(articles_dir=tmp_path / "a", index_dir=tmp_path / "i", warm_up=False)
    with TestClient(create_app(make_settings(database_url, None), kb)) as no_secret:
        assert "demo-customer" not in no_secret.get("/?signed_in=anna").text


def test_the_customer_s_email_exports_and_erases_their_identified_conversations(
    api: TestClient, database_url: str
) -> None:
    identified = start(api, anna(email="Anna@Example.com"))["conversation_id"]
    other = start(api, visitor="visitor-b")["conversation_id"]

    async def erase() -> int:
        engine = create_engine(database_url)
        try:
            privacy = PrivacyService(
                sessions=create_sessionmaker(engine), tracker=NoTrackerStore(), secret=SECRET
            )
            exported = await privacy.export(Selector("email", "anna@example.com"), actor="test")
            [conversation] = exported.conversations
            assert conversation.customer is not None
            assert conversation.customer["name"] == "Anna Kovács"
            erased = await privacy.erase(Selector("email", " anna@example.COM "), actor="test")
            return erased.conversations
        finally:
            await engine.dispose()

    assert aio.run(erase()) == 1
    row = stored(database_url, identified)
    assert row.erased_at is not None
    assert (row.customer_id, row.customer_name, row.customer_email) == (None, None, None)
    assert row.customer_attributes is None
    assert stored(database_url, other).erased_at is None


def test_the_queue_names_a_signed_in_customer(api: TestClient, database_url: str) -> None:
    identified = start(api, anna())["conversation_id"]
    anonymous = start(api, visitor="visitor-b")["conversation_id"]

    async def queue(session: AsyncSession) -> dict[str, str | None]:
        rows = [
            Handoff(conversation_id=cid, status="waiting", reason="customer_request", context={})
            for cid in (identified, anonymous)
        ]
        session.add_all(rows)
        await session.flush()
        shown = await views(session, rows)
        return {view["conversation_id"]: view["customer_name"] for view in shown}

    assert aio.run_sql(database_url, queue) == {identified: "Anna Kovács", anonymous: None}
