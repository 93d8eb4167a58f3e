"""Queue hygiene through the real app (TestClient, SQLite and PostgreSQL): the widget's place
in the queue as the queue moves, and the console's missed-chat API with every refusal.

Rasa is not running here, so the chats are missed by a sweep built on the app's own services
with a recording Rasa and a clock set past the timeout (tests/bridge/test_queue_hygiene.py
tests the sweep itself)."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.app import create_app
from bridge.db.models import Handoff
from bridge.services.queue_hygiene import QueueHygiene
from knowledge_base.settings import KBSettings
from tests import aio
from tests.chat import connect, next_event, say, start_conversation
from tests.conftest import TEST_SERVICE_TOKEN, make_settings
from tests.staff import Signed, add_user, services, sign_in

SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
ABANDON_S = 300.0


@pytest.fixture
def app_client(database_url: str, kb_settings: KBSettings) -> Iterator[TestClient]:
    settings = make_settings(database_url, None, queue_abandon_after_s=ABANDON_S)
    with TestClient(create_app(settings, kb_settings)) as client:
        yield client


@pytest.fixture
def anna(app_client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "anna@example.com")
    signed = sign_in(app_client, "anna@example.com")
    app_client.get("/api/staff/me", headers=signed.headers())  # online: handoffs queue
    return signed


def queue(client: TestClient, conversation_id: str, question: str = "where is my parcel?") -> int:
    context = {"last_question": question, "language": "en", "articles": []}
    body = {"conversation_id": conversation_id, "reason": "customer_request", "context": context}
    response = client.post("/api/handoffs", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    return int(response.json()["handoff_id"])


def place(ws: Any) -> int:
    return int(next_event(ws, "queue_position")["position"])


def sweep_after_the_timeout(client: TestClient) -> int:
    """One sweep as of QUEUE_ABANDON_AFTER_S from now, by a process started long before."""
    own = services(client)
    resumed: list[str] = []

    async def resume(conversation_id: str, _language: str) -> None:
        resumed.append(conversation_id)

    moments = iter([datetime.now(UTC) - timedelta(days=1)])
    later = datetime.now(UTC) + timedelta(seconds=ABANDON_S + 1)
    hygiene = QueueHygiene(
        sessions=own.sessions,
        hub=own.hub,
        customer_present=own.customers.present,
        resume=resume,
        publish_queue=own.handoffs.publish_queue,
        abandon_after_s=ABANDON_S,
        minutes_per_customer=own.settings.handoff_minutes_per_customer,
        now=lambda: next(moments, later),
    )
    assert client.portal is not None
    missed = client.portal.call(hygiene.sweep).missed
    assert len(resumed) == missed
    return missed


def stored(database_url: str, handoff_id: int) -> Handoff:
    async def read(session: AsyncSession) -> Handoff:
        found = await session.scalar(select(Handoff).where(Handoff.id == handoff_id))
        assert found is not None
        return found

    return aio.run_sql(database_url, read)


def test_the_widget_follows_its_place_as_customers_leave_and_return(
    app_client: TestClient, anna: Signed, database_url: str
) -> None:
    first, first_token = start_conversation(app_client)
    second, second_token = start_conversation(app_client)
    with connect(app_client, second, second_token) as second_ws:
        assert next_event(second_ws, "status")["status"] == "bot"
        with connect(app_client, first, first_token) as first_ws:
            next_event(first_ws, "status")
            queue(app_client, first)
            assert place(first_ws) == 1
            queue(app_client, second)
            assert place(second_ws) == 2
        # The first customer closed the page: the second moves up at once.
        assert place(second_ws) == 1
        with connect(app_client, first, first_token) as first_ws:
            # Back within the timeout: told their place on connecting, which they kept.
            assert next_event(first_ws, "status")["status"] == "waiting_for_agent"
            assert place(first_ws) == 1
            assert place(second_ws) == 2
            snapshot = app_client.get("/api/staff/queue", headers=anna.headers()).json()
            assert [h["position"] for h in snapshot["handoffs"]] == [1, 2]
            assert snapshot["handoffs"][0]["customer_left_at"] is None
        assert place(second_ws) == 1
    # Both pages closed: neither holds a place (the server notes a close just after it).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        snapshot = app_client.get("/api/staff/queue", headers=anna.headers()).json()["handoffs"]
        if all(h["customer_left_at"] for h in snapshot):
            break
        time.sleep(0.05)
    assert [(h["conversation_id"], h["position"]) for h in snapshot] == [
        (first, None),
        (second, None),
    ]
    internal = app_client.get("/api/handoffs/queue", headers=SERVICE).json()
    assert [(h["conversation_id"], h["position"]) for h in internal] == [
        (first, None),
        (second, None),
    ]


def test_a_missed_chat_is_listed_and_marked_handled(
    app_client: TestClient, anna: Signed, database_url: str
) -> None:
    conversation_id, token = start_conversation(app_client)
    with connect(app_client, conversation_id, token) as ws:
        next_event(ws, "status")
        handoff_id = queue(app_client, conversation_id)
        say(ws, "you can also mail me: Zoe@Example.com")  # waiting: stored, not relayed
        next_event(ws, "message")
    assert sweep_after_the_timeout(app_client) == 1

    listed = app_client.get("/api/staff/missed-chats", headers=anna.headers())
    assert listed.status_code == 200, listed.text
    [missed] = listed.json()["missed"]
    assert {k: v for k, v in missed.items() if not k.endswith(("_since", "_at"))} == {
        "handoff_id": handoff_id,
        "conversation_id": conversation_id,
        "language": "en",
        "last_question": "where is my parcel?",
        "email": "zoe@example.com",
    }
    assert missed["waited_since"] < missed["missed_at"]
    # The messages left keep their own list, as before.
    offline = app_client.get("/api/staff/offline-requests", headers=anna.headers())
    assert offline.json() == {"requests": []}
    transcript = app_client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert transcript["status"] == "bot"

    done = app_client.post(f"/api/staff/missed-chats/{handoff_id}/handled", headers=anna.headers())
    assert done.status_code == 204, done.text
    assert app_client.get("/api/staff/missed-chats", headers=anna.headers()).json() == {
        "missed": []
    }
    again = app_client.post(f"/api/staff/missed-chats/{handoff_id}/handled", headers=anna.headers())
    assert (again.status_code, again.json()["code"]) == (409, "handled")


def test_the_missed_chat_api_refuses_bad_requests_and_writes_nothing(
    app_client: TestClient, anna: Signed, database_url: str
) -> None:
    conversation_id, token = start_conversation(app_client)
    with connect(app_client, conversation_id, token) as ws:
        next_event(ws, "status")
        missed_id = queue(app_client, conversation_id)
    assert sweep_after_the_timeout(app_client) == 1
    other, _ = start_conversation(app_client)
    waiting_id = queue(app_client, other)
    add_user(database_url, "eddie@example.com", role="editor")
    editor = sign_in(app_client, "eddie@example.com")

    def handled(handoff_id: object, headers: dict[str, str]) -> Any:
        return app_client.post(f"/api/staff/missed-chats/{handoff_id}/handled", headers=headers)

    refused = [
        (handled(missed_id, anna.headers(csrf=None)), 403),
        (handled(missed_id, anna.headers(csrf="forged")), 403),
        (handled(missed_id, editor.headers()), 403),
        (handled(missed_id, {}), 401),
        (handled(0, anna.headers()), 422),
        (handled(-1, anna.headers()), 422),
        (handled(2**63, anna.headers()), 422),
        (handled("abc", anna.headers()), 422),
        (handled(waiting_id, anna.headers()), 404),
        (handled(999_999, anna.headers()), 404),
    ]
    assert [(r.status_code, expected) for r, expected in refused] == [
        (expected, expected) for _, expected in refused
    ]
    assert refused[-1][0].json()["code"] == refused[-2][0].json()["code"] == "unknown"
    for handoff_id in (missed_id, waiting_id):
        row = stored(database_url, handoff_id)
        assert (row.handled_at, row.handled_by) == (None, None)
    assert stored(database_url, waiting_id).status == "waiting"

    url = "/api/staff/missed-chats"
    for limit in ("0", "501", "x", "1.5"):
        assert app_client.get(f"{url}?limit={limit}", headers=anna.headers()).status_code == 422
    assert app_client.get(url, headers=editor.headers()).status_code == 403
    app_client.cookies.clear()
    assert app_client.get(url).status_code == 401
    assert [
        m["handoff_id"] for m in app_client.get(url, headers=anna.headers()).json()["missed"]
    ] == [missed_id]
