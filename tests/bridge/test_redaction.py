"""Redaction of card numbers, IBANs and passwords: the table in both languages, then the whole
path through the customer's websocket (stored transcript, Rasa's tracker, the agent's view,
the customer's note), the NPS reason, answer feedback and offline requests."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import AnswerFeedback, NpsSurvey, OfflineRequest
from bridge.services.redaction import iban_valid, is_card_number, luhn_valid, redact
from tests import aio
from tests.chat import bot_reply, connect, next_event, say, start_conversation
from tests.conftest import TEST_SERVICE_TOKEN
from tests.processes import RasaStack
from tests.staff import add_user, sign_in

SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}

# (what the customer typed, what is stored, the kinds found)
MASKED = [
    # English
    ("my card is 4111 1111 1111 1111 thanks", "my card is •••• 1111 thanks", {"card"}),
    ("4111-1111-1111-1111", "•••• 1111", {"card"}),
    ("card 5555555555554444, exp 12/27", "card •••• 4444, exp 12/27", {"card"}),
    ("amex 3782 822463 10005", "amex •••• 0005", {"card"}),
    ("visa 4222222222222", "visa •••• 2222", {"card"}),  # 13 digits
    ("6011 0009 9013 9424 or 3566002020360505", "•••• 9424 or •••• 0505", {"card"}),
    ("4012888888881881.", "•••• 1881.", {"card"}),
    ("refund to GB82 WEST 1234 5698 7654 32 please", "refund to GB•• •••• 5432 please", {"iban"}),
    ("iban: de89370400440532013000", "iban: DE•• •••• 3000", {"iban"}),
    ("password: hunter2", "password: ••••••", {"password"}),
    ("Password: correct horse battery staple", "Password: ••••••", {"password"}),
    ("my password is: abc def", "my password is: ••••••", {"password"}),
    ("PWD=s3cr3t", "PWD=••••••", {"password"}),
    ("pw: x", "pw: ••••••", {"password"}),
    ("my password is Summer2024!", "my password is ••••••", {"password"}),
    ("I changed my password to Abc123 yesterday", "I changed my password to •••••• yesterday",
     {"password"}),
    ("user: anna\npassword: Tr0ub4dor&3\nthanks", "user: anna\npassword: ••••••\nthanks",
     {"password"}),
    # Hungarian
    ("a kártyám 4111 1111 1111 1111, köszönöm", "a kártyám •••• 1111, köszönöm", {"card"}),
    ("Számlaszám: HU42 1177 3016 1111 1018 0000 0000", "Számlaszám: HU•• •••• 0000", {"iban"}),
    ("HU42117730161111101800000000 erre kérem", "HU•• •••• 0000 erre kérem", {"iban"}),
    ("jelszó: Titok 123", "jelszó: ••••••", {"password"}),
    ("Jelszavam: kutyafüle", "Jelszavam: ••••••", {"password"}),
    ("a jelszavam Kutya123.", "a jelszavam ••••••", {"password"}),
    ("PIN-kód: 1234", "PIN-kód: ••••••", {"password"}),
    ("jelszo=almafa", "jelszo=••••••", {"password"}),
    (
        "kártya 5555 5555 5555 4444, jelszó: alma",
        "kártya •••• 4444, jelszó: ••••••",
        {"card", "password"},
    ),
]  # fmt: skip

UNCHANGED = [
    # English
    "where is my order 1234567890123?",  # 13 digits, Luhn-valid, not an issuer's prefix
    "order #10004562 was late",
    "4111 1111 1111 1112",  # Luhn-invalid
    "5555555555554445",
    "call me on +36 30 123 4567",
    "call +44 20 7946 0958 or 0036 30 123 4567",
    "I ordered on 2024-01-15 and 2024-02-15",
    "2024-01-15 2024-02-15",
    "it cost 12 990 Ft, paid 1 299 000 in total",
    "tracking number 00340434161094042557",  # 20 digits
    "my password is wrong",
    "my password is not working, can you reset it?",
    "the password reset link expired",
    "passwords: I forgot all of them",
    "I forgot my password.",
    "HU42 1177 3016 1111 1018 0000 0001",  # mod-97 fails
    "DE89 3704 0044 0532 0130",  # too short for Germany
    "GB82 is my flat, 1234 5698 7654 32 my code",  # not one IBAN
    "ticket ABCD1234EFGH5678",
    "•••• 1111",  # a mask stays a mask
    # Hungarian
    "hol tart a 1234567890123 számú rendelésem?",
    "a rendelésszámom 20240115-0042",
    "hívjon a 06 30 123 4567 számon",
    "a jelszavam nem működik",
    "elfelejtettem a jelszavam",
    "a jelszó visszaállító link lejárt",
    "11773016-11111018-00000000 a bankszámlám",  # a Hungarian account number, not an IBAN
    "2024. 01. 15-én rendeltem",
]


@pytest.mark.parametrize(("typed", "stored", "kinds"), MASKED)
def test_sensitive_data_is_masked(typed: str, stored: str, kinds: set[str]) -> None:
    result = redact(typed)
    assert (result.text, set(result.kinds), result.changed) == (stored, kinds, True)


@pytest.mark.parametrize("typed", UNCHANGED)
def test_ordinary_text_stays(typed: str) -> None:
    result = redact(typed)
    assert (result.text, result.kinds, result.changed) == (typed, frozenset(), False)


def test_masking_is_idempotent() -> None:
    for typed, stored, _kinds in MASKED:
        assert redact(stored).text == stored, typed


def test_the_checks() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")
    assert is_card_number("4111111111111111") and not is_card_number("1234567890128")
    assert not is_card_number("411111111111")  # 12 digits
    assert iban_valid("HU42117730161111101800000000") and iban_valid("gb82west12345698765432")
    assert not iban_valid("XX42117730161111101800000000") and not iban_valid("HU42")


def test_a_long_text_is_quick_to_scan() -> None:
    # Bounded input, and patterns without nested repetition: no backtracking blow-up.
    text = ("1 2 3 4 5 6 7 8 9 0 " * 500) + ("HU42 " * 400) + ("password " * 400)
    assert redact(text).text.startswith("1 2 3")


# -- Through the bridge -------------------------------------------------------------------

CARD = "4111 1111 1111 1111"
IBAN = "HU42 1177 3016 1111 1018 0000 0000"


def _transcript(client: TestClient, conversation_id: str, token: str) -> list[dict[str, Any]]:
    response = client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.json()["messages"]  # type: ignore[no-any-return]


def _user_texts(tracker: dict[str, Any]) -> list[str]:
    return [e.get("text") or "" for e in tracker["events"] if e.get("event") == "user"]


@pytest.mark.parametrize(
    ("language", "typed", "expected", "note"),
    [
        ("en", f"my card is {CARD}, password: hunter2", "my card is •••• 1111, password: ••••••",
         "we hid"),
        ("hu", f"a számlám {IBAN}, jelszó: Titok123", "a számlám HU•• •••• 0000, jelszó: ••••••",
         "elrejtettük"),
    ],
)  # fmt: skip
def test_the_transcript_rasa_and_the_agent_see_only_the_mask(
    client: TestClient, stack: RasaStack, language: str, typed: str, expected: str, note: str
) -> None:
    conversation_id, token = start_conversation(client, language)
    with connect(client, conversation_id, token) as ws:
        say(ws, typed, client_id="m1")
        echo = next_event(ws, "message")
        assert echo["text"] == expected
        notice = next_event(ws, "notice")
        assert notice["code"] == "sensitive_data_hidden" and note in notice["message"]
        bot_reply(ws)
        say(ws, "thanks")  # nothing to hide: no note
        bot_reply(ws)
        ws.send_json({"type": "ping"})
        assert next_event(ws, "pong", "notice")["type"] == "pong"
    stored = _transcript(client, conversation_id, token)
    assert stored[0]["text"] == expected
    everything = repr(stored)
    assert "1111 1111" not in everything and "hunter2" not in everything
    assert "1177 3016" not in everything and "Titok123" not in everything
    said = _user_texts(stack.tracker(conversation_id))
    assert said[0] == expected, said
    assert not any(secret in repr(said) for secret in ("1111 1111", "hunter2", "Titok123"))


def test_the_agent_console_shows_the_mask(client: TestClient, database_url: str) -> None:
    add_user(database_url, "agent@example.com")
    signed = sign_in(client, "agent@example.com")
    client.get("/api/staff/me", headers=signed.headers())  # online: the handoff is queued
    conversation_id, token = start_conversation(client)
    context = {"last_question": "card?", "language": "en", "articles": []}
    body = {"conversation_id": conversation_id, "reason": "customer_request", "context": context}
    assert client.post("/api/handoffs", json=body, headers=SERVICE).status_code == 201
    with connect(client, conversation_id, token) as ws:  # waiting for an agent: not relayed
        say(ws, f"card {CARD}")
        assert next_event(ws, "message")["text"] == "card •••• 1111"
        assert next_event(ws, "notice")["code"] == "sensitive_data_hidden"
    headers = {"Cookie": signed.headers()["Cookie"], "Origin": "http://testserver"}
    with client.websocket_connect("/ws/agent", headers=headers) as console:
        console.send_json({"type": "subscribe", "conversation_id": conversation_id})
        while True:
            event = console.receive_json()
            if event["type"] == "message" and event["role"] == "customer":
                break
    assert event["text"] == "card •••• 1111"


def _rows(database_url: str, model: type) -> list[Any]:
    async def read() -> list[Any]:
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                return list(await session.scalars(select(model)))
        finally:
            await engine.dispose()

    return aio.run(read())


def test_offline_requests_nps_reasons_and_feedback_are_masked(
    client: TestClient, database_url: str
) -> None:
    conversation_id, token = start_conversation(client, "hu")
    response = client.post(
        f"/api/conversations/{conversation_id}/offline-requests",
        json={"email": "anna@example.com", "message": f"visszautalás ide: {IBAN}"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "visszautalás ide: HU•• •••• 0000"
    survey = client.post(
        "/api/nps/surveys",
        json={"conversation_id": conversation_id, "language": "hu", "trigger": "goodbye"},
        headers=SERVICE,
    )
    assert survey.status_code == 201, survey.text
    survey_id = survey.json()["survey_id"]
    client.put(f"/api/nps/surveys/{survey_id}/score", json={"score": 3}, headers=SERVICE)
    reason = client.put(
        f"/api/nps/surveys/{survey_id}/reason",
        json={"reason": f"kétszer vonták le a {CARD} kártyámról"},
        headers=SERVICE,
    )
    assert reason.status_code == 200, reason.text
    assert reason.json()["reason"] == "kétszer vonták le a •••• 1111 kártyámról"
    feedback = {
        "conversation_id": conversation_id,
        "article_id": "payment-declined",
        "query": "password: hunter2 nem jó",
        "helpful": False,
        "language": "hu",
    }
    assert client.post("/api/feedback", json=feedback, headers=SERVICE).status_code == 201
    assert [r.message for r in _rows(database_url, OfflineRequest)] == [
        "visszautalás ide: HU•• •••• 0000"
    ]
    assert [r.reason for r in _rows(database_url, NpsSurvey)] == [
        "kétszer vonták le a •••• 1111 kártyámról"
    ]
    assert [r.query for r in _rows(database_url, AnswerFeedback)] == ["password: ••••••"]
