"""The agent console's API and websocket: claim, notes, article search, offline requests,
live messages both ways, and chats put back in the queue when an agent drops off.

No Rasa here (hand back is tested against the real stack in tests/integration)."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from bridge.app import create_app
from knowledge_base.settings import KBSettings
from tests.chat import connect, next_event, say, start_conversation
from tests.conftest import TEST_SERVICE_TOKEN, make_settings
from tests.staff import Signed, add_user, rename, services, sign_in

SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
ORIGIN = {"Origin": "http://testserver"}
CONTEXT = {"last_question": "where is my parcel?", "language": "en", "articles": []}


@pytest.fixture
def app_client(database_url: str, kb_settings: KBSettings) -> Iterator[TestClient]:
    settings = make_settings(database_url, None, agent_grace_s=0.3)
    with TestClient(create_app(settings, kb_settings)) as client:
        yield client


@pytest.fixture
def anna(app_client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "anna@example.com")
    signed = sign_in(app_client, "anna@example.com")
    app_client.get("/api/staff/me", headers=signed.headers())  # online now
    return signed


@pytest.fixture
def bela(app_client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "bela@example.com")
    return sign_in(app_client, "bela@example.com")


def queued(client: TestClient) -> tuple[str, str, int]:
    """A customer conversation waiting for an agent: (conversation id, token, handoff id)."""
    conversation_id, token = start_conversation(client)
    body = {"conversation_id": conversation_id, "reason": "customer_request", "context": CONTEXT}
    response = client.post("/api/handoffs", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    return conversation_id, token, response.json()["handoff_id"]


def agent_socket(client: TestClient, signed: Signed, **headers: str) -> Any:
    return client.websocket_connect(
        "/ws/agent", headers={"Cookie": signed.headers()["Cookie"], **ORIGIN, **headers}
    )


def next_of(ws: WebSocketTestSession, kind: str, **match: object) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = ws.receive_json()
        if event["type"] == kind and all(event.get(k) == v for k, v in match.items()):
            return event


# --- the page --------------------------------------------------------------------------------


def test_console_page_for_agents_only(
    app_client: TestClient, anna: Signed, database_url: str
) -> None:
    app_client.cookies.clear()
    signed_out = app_client.get("/console", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?next=/console"
    page = app_client.get("/console", headers=anna.headers())
    assert page.status_code == 200 and 'data-agent-name="Anna"' in page.text
    script = app_client.get("/console/main.js", headers=anna.headers())
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    style = app_client.get("/console/console.css", headers=anna.headers())
    assert style.headers["content-type"].startswith("text/css")
    for bad in ("nope.js", "..%2Fconfig.py", "main.py"):
        assert app_client.get(f"/console/{bad}", headers=anna.headers()).status_code == 404
    add_user(database_url, "erik@example.com", role="editor")
    editor = sign_in(app_client, "erik@example.com")
    assert app_client.get("/console", headers=editor.headers()).status_code == 403


def test_a_display_name_with_markup_is_escaped(app_client: TestClient, database_url: str) -> None:
    add_user(database_url, "x@example.com")
    rename(database_url, "x@example.com", "<img src=x onerror=alert(1)>")
    signed = sign_in(app_client, "x@example.com")
    page = app_client.get("/console", headers=signed.headers()).text
    assert "<img src=x" not in page and "&lt;img src=x" in page


# --- claim, hand back, close -----------------------------------------------------------------


def test_one_claim_wins_the_other_is_told_who_has_it(
    app_client: TestClient, anna: Signed, bela: Signed
) -> None:
    conversation_id, _, handoff_id = queued(app_client)
    won = app_client.post(f"/api/staff/handoffs/{handoff_id}/claim", headers=anna.headers())
    assert won.status_code == 200, won.text
    assert won.json()["handoff"]["claimed_by"]["display_name"] == "Anna"
    lost = app_client.post(f"/api/staff/handoffs/{handoff_id}/claim", headers=bela.headers())
    assert lost.status_code == 409
    assert lost.json() == {
        "detail": "already taken by Anna",
        "code": "taken",
        "claimed_by": {"display_name": "Anna"},
    }
    # Only the holder may hand back or close; another agent learns why.
    refused = app_client.post(f"/api/staff/handoffs/{handoff_id}/close", headers=bela.headers())
    assert refused.status_code == 409 and refused.json()["code"] == "not_yours"
    closed = app_client.post(f"/api/staff/handoffs/{handoff_id}/close", headers=anna.headers())
    assert closed.status_code == 200 and closed.json()["handoff"]["status"] == "closed"
    again = app_client.post(f"/api/staff/handoffs/{handoff_id}/claim", headers=bela.headers())
    assert again.status_code == 409 and again.json()["code"] == "not_active"
    back = app_client.post(f"/api/staff/handoffs/{handoff_id}/hand-back", headers=anna.headers())
    assert back.status_code == 409 and back.json()["code"] == "not_active"
    view = app_client.get(f"/api/staff/conversations/{conversation_id}", headers=anna.headers())
    assert view.json()["status"] == "closed"
    system = [m for m in view.json()["messages"] if m["role"] == "system"]
    assert [m["text"] for m in system] == [
        "Anna has joined the chat.",
        "Anna closed the conversation. Thank you for contacting us!",
    ]
    unknown = app_client.post("/api/staff/handoffs/999999/claim", headers=anna.headers())
    assert unknown.status_code == 404


def test_closing_with_the_bot_unreachable_closes_without_the_survey(
    app_client: TestClient, anna: Signed
) -> None:
    """NPS_AFTER_AGENT is on and the customer is connected, so the bridge tries to start the
    survey; Rasa is down here, and the chat is closed all the same."""
    conversation_id, token, handoff_id = queued(app_client)
    assert services(app_client).settings.nps_after_agent
    app_client.post(f"/api/staff/handoffs/{handoff_id}/claim", headers=anna.headers())
    with connect(app_client, conversation_id, token) as ws:
        next_of(ws, "status")
        closed = app_client.post(f"/api/staff/handoffs/{handoff_id}/close", headers=anna.headers())
        assert closed.status_code == 200, closed.text
        note = next_of(ws, "message", role="system")
        assert note["text"].endswith("closed the conversation. Thank you for contacting us!")
        assert next_of(ws, "status")["status"] == "closed"
    view = app_client.get(f"/api/staff/conversations/{conversation_id}", headers=anna.headers())
    assert view.json()["status"] == "closed"
    assert [m["role"] for m in view.json()["messages"]] == ["system", "system"]


def test_the_queue_shows_waiting_customers_in_order(app_client: TestClient, anna: Signed) -> None:
    first = queued(app_client)
    second = queued(app_client)
    handoffs = app_client.get("/api/staff/queue", headers=anna.headers()).json()["handoffs"]
    assert [(h["conversation_id"], h["position"]) for h in handoffs] == [
        (first[0], 1),
        (second[0], 2),
    ]
    assert handoffs[0]["context"]["last_question"] == "where is my parcel?"


# --- notes, articles, offline requests -------------------------------------------------------


def test_private_notes(app_client: TestClient, anna: Signed) -> None:
    conversation_id, token, _ = queued(app_client)
    url = f"/api/staff/conversations/{conversation_id}/notes"
    added = app_client.post(url, json={"text": "  VIP <b>customer</b> "}, headers=anna.headers())
    assert added.status_code == 201 and added.json()["text"] == "VIP <b>customer</b>"
    for bad in ({"text": ""}, {"text": "x" * 4001}, {"text": "ok", "extra": 1}, {"note": "x"}):
        assert app_client.post(url, json=bad, headers=anna.headers()).status_code == 422, bad
    blank = app_client.post(url, json={"text": "\u200b\t"}, headers=anna.headers())
    assert blank.status_code == 422
    ghost = "/api/staff/conversations/00000000-0000-4000-8000-000000000000/notes"
    assert app_client.post(ghost, json={"text": "x"}, headers=anna.headers()).status_code == 404
    view = app_client.get(f"/api/staff/conversations/{conversation_id}", headers=anna.headers())
    assert [(n["author"], n["text"]) for n in view.json()["notes"]] == [
        ("Anna", "VIP <b>customer</b>")
    ]
    # The customer never sees notes.
    transcript = app_client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert all("VIP" not in m["text"] for m in transcript["messages"])


def test_article_search_for_replies(app_client: TestClient, anna: Signed) -> None:
    found = app_client.get(
        "/api/staff/kb/search", params={"q": "forgot my password"}, headers=anna.headers()
    )
    assert found.status_code == 200
    hit = found.json()["hits"][0]
    assert hit["article_id"] == "password-reset"
    assert hit["url"] == "http://127.0.0.1:8000/kb/password-reset"
    hungarian = app_client.get(
        "/api/staff/kb/search",
        params={"q": "elfelejtettem a jelszavam", "lang": "hu"},
        headers=anna.headers(),
    )
    assert hungarian.json()["hits"][0]["article_id"] == "hu-password-reset"
    for bad in ({"q": ""}, {"q": "x", "lang": "de"}, {"q": "x" * 1001}):
        response = app_client.get("/api/staff/kb/search", params=bad, headers=anna.headers())
        assert response.status_code == 422, bad


@pytest.mark.parametrize(
    ("q", "lang"),
    [
        ("why so", "en"),  # stop words only: BM25 had no terms and the route gave 500
        ("mi az", "hu"),
        ("ez az", "hu"),
        ("🙂🙂", "en"),
        ("???", "hu"),
        ("1234567890", "en"),
        ("a" * 1000, "hu"),
        ("https://example.com/?q=<b>", "en"),
        ("/restart", "en"),
        ("számla invoice szamla", "hu"),
    ],
)
def test_article_search_answers_any_text(
    app_client: TestClient, anna: Signed, q: str, lang: str
) -> None:
    response = app_client.get(
        "/api/staff/kb/search", params={"q": q, "lang": lang}, headers=anna.headers()
    )
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["hits"], list)


def test_a_customer_leaves_a_message_when_nobody_can_chat(
    app_client: TestClient, anna: Signed
) -> None:
    conversation_id, token = start_conversation(app_client, "hu")
    url = f"/api/conversations/{conversation_id}/offline-requests"
    auth = {"Authorization": f"Bearer {token}"}
    for bad in (
        {"email": "not-an-email", "message": "hi"},
        {"email": "a@b", "message": "hi"},
        {"email": "a b@example.com", "message": "hi"},
        {"email": "ana@example.com", "message": "   "},
        {"email": "ana@example.com", "message": "x" * 2001},
        {"email": "ana@example.com", "message": "hi", "extra": 1},
    ):
        assert app_client.post(url, json=bad, headers=auth).status_code == 422, bad
    assert app_client.post(url, json={"email": "a@example.com", "message": "x"}).status_code == 401
    left = app_client.post(
        url, json={"email": " Ana@Example.com ", "message": "Hol a csomagom?"}, headers=auth
    )
    assert left.status_code == 201, left.text
    assert left.json()["email"] == "ana@example.com"
    transcript = app_client.get(f"/api/conversations/{conversation_id}/messages", headers=auth)
    assert transcript.json()["messages"][-1]["text"] == (
        "Üzenetét továbbítottuk. A(z) ana@example.com címre válaszolunk."
    )
    listed = app_client.get("/api/staff/offline-requests", headers=anna.headers()).json()
    assert [(r["email"], r["message"]) for r in listed["requests"]] == [
        ("ana@example.com", "Hol a csomagom?")
    ]
    for _ in range(2):
        app_client.post(url, json={"email": "ana@example.com", "message": "again"}, headers=auth)
    too_many = app_client.post(
        url, json={"email": "ana@example.com", "message": "again"}, headers=auth
    )
    assert too_many.status_code == 429


# --- the live side ---------------------------------------------------------------------------


def test_the_agent_socket_refuses_strangers(
    app_client: TestClient, anna: Signed, database_url: str
) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as signed_out,
        app_client.websocket_connect("/ws/agent", headers=ORIGIN) as ws,
    ):
        ws.receive_json()
    assert signed_out.value.code == 4401
    with (
        pytest.raises(WebSocketDisconnect) as other_site,
        agent_socket(app_client, anna, Origin="https://evil.example") as ws,
    ):
        ws.receive_json()
    assert other_site.value.code == 4403
    add_user(database_url, "erik@example.com", role="editor")
    editor = sign_in(app_client, "erik@example.com")
    with pytest.raises(WebSocketDisconnect) as wrong_role, agent_socket(app_client, editor) as ws:
        ws.receive_json()
    assert wrong_role.value.code == 4403


def test_watching_a_conversation_that_does_not_exist_is_refused(
    app_client: TestClient, anna: Signed
) -> None:
    with agent_socket(app_client, anna) as ws:
        ws.send_json({"type": "subscribe", "conversation_id": "no-such-conversation"})
        refused = next_of(ws, "error")
        assert refused["code"] == "not_found"
        assert refused["conversation_id"] == "no-such-conversation"
        ws.send_json({"type": "ping"})
        assert next_of(ws, "pong")["type"] == "pong"  # the socket stays usable


def test_a_live_chat_between_customer_and_agent(app_client: TestClient, anna: Signed) -> None:
    with agent_socket(app_client, anna) as console:
        assert next_of(console, "hello")["agent"]["display_name"] == "Anna"
        assert next_of(console, "queue")["handoffs"] == []
        conversation_id, token = start_conversation(app_client)
        with connect(app_client, conversation_id, token) as customer:
            say(customer, "I need a person", client_id="c1")
            next_event(customer, "message")
            body = {
                "conversation_id": conversation_id,
                "reason": "customer_request",
                "context": CONTEXT,
            }
            handoff_id = app_client.post("/api/handoffs", json=body, headers=SERVICE).json()[
                "handoff_id"
            ]
            assert next_of(console, "handoff_new")["handoff"]["handoff_id"] == handoff_id
            assert next_of(customer, "status")["status"] == "waiting_for_agent"
            claim = app_client.post(
                f"/api/staff/handoffs/{handoff_id}/claim", headers=anna.headers()
            )
            assert claim.status_code == 200
            joined = next_of(customer, "message", role="system")
            assert (joined["text"], joined["author"]) == ("Anna has joined the chat.", "Anna")
            assert next_of(customer, "status")["status"] == "with_agent"

            console.send_json({"type": "subscribe", "conversation_id": conversation_id})
            replayed = next_of(console, "message", role="customer")
            assert (replayed["text"], replayed["conversation_id"]) == (
                "I need a person",
                conversation_id,
            )
            console.send_json(
                {
                    "type": "message",
                    "conversation_id": conversation_id,
                    "text": "Hi, <b>Anna</b> here",
                    "client_id": "a1",
                }
            )
            reply = next_of(customer, "message", role="agent")
            assert (reply["text"], reply["author"]) == ("Hi, <b>Anna</b> here", "Anna")
            assert next_of(console, "message", role="agent")["client_id"] == "a1"

            console.send_json({"type": "typing", "conversation_id": conversation_id, "on": True})
            assert next_of(customer, "typing")["role"] == "agent"
            customer.send_json({"type": "typing", "on": True})
            assert next_of(console, "typing", role="customer")["on"] is True
            say(customer, "thanks!", client_id="c2")
            assert next_of(console, "message", role="customer")["text"] == "thanks!"

            # The same client id again (a console re-sending after a reconnect): stored once.
            again = {"conversation_id": conversation_id, "text": "x", "client_id": "a1"}
            console.send_json({"type": "message", **again})
            console.send_json({"type": "ping"})
            next_of(console, "pong")
        assert next_of(console, "customer_presence")["present"] is False
    transcript = app_client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
    ).json()["messages"]
    assert [(m["role"], m["text"]) for m in transcript if m["role"] != "system"] == [
        ("customer", "I need a person"),
        ("agent", "Hi, <b>Anna</b> here"),
        ("customer", "thanks!"),
    ]


def test_agents_write_only_into_their_own_chats(
    app_client: TestClient, anna: Signed, bela: Signed
) -> None:
    conversation_id, _, handoff_id = queued(app_client)
    app_client.post(f"/api/staff/handoffs/{handoff_id}/claim", headers=anna.headers())
    with agent_socket(app_client, bela) as console:
        next_of(console, "queue")
        console.send_json(
            {"type": "message", "conversation_id": conversation_id, "text": "mine now"}
        )
        refused = next_of(console, "error")
        assert (refused["code"], refused["conversation_id"]) == ("not_yours", conversation_id)
        for bad in ("{not json", '{"type": "shout"}', '{"type": "message"}', "[]"):
            console.send_text(bad)
            assert next_of(console, "error")["code"] == "invalid_event"
    with agent_socket(app_client, anna) as console:
        next_of(console, "queue")
        console.send_json({"type": "message", "conversation_id": conversation_id, "text": " "})
        assert next_of(console, "error")["code"] == "empty_message"
        console.send_json(
            {"type": "message", "conversation_id": conversation_id, "text": "x" * 2001}
        )
        assert next_of(console, "error")["code"] == "message_too_long"


def test_a_dropped_agent_s_chats_go_back_to_the_queue(app_client: TestClient, anna: Signed) -> None:
    conversation_id, token, handoff_id = queued(app_client)
    with agent_socket(app_client, anna) as console:
        next_of(console, "queue")
        app_client.post(f"/api/staff/handoffs/{handoff_id}/claim", headers=anna.headers())
    # A reconnect within the grace period keeps the chat with the agent...
    with agent_socket(app_client, anna) as console:
        next_of(console, "queue")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        handoffs = services(app_client).handoffs
        assert app_client.portal is not None
        queue = app_client.portal.call(handoffs.queue)
        if queue and queue[0]["status"] == "waiting":
            break
        time.sleep(0.05)
    # ...but after it, the customer is back in the queue at their old place, and told so.
    assert [(h["handoff_id"], h["status"], h["position"]) for h in queue] == [
        (handoff_id, "waiting", 1)
    ]
    transcript = app_client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert transcript["status"] == "waiting_for_agent"
    assert transcript["messages"][-1]["text"].startswith("Anna was disconnected.")
