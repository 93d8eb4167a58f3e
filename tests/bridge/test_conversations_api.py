"""REST side of customer conversations, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from bridge.services.tokens import CustomerTokens
from tests.chat import bot_reply, connect, say, start_conversation
from tests.conftest import TEST_SECRET


def test_start_conversation_issues_an_expiring_token(client: TestClient) -> None:
    response = client.post(
        "/api/conversations",
        json={"language": "hu", "visitor_id": "v-123", "page_url": "https://shop.example/"},
    )
    assert response.status_code == 201
    body = response.json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=6) < expires - datetime.now(UTC) <= timedelta(days=7)
    assert (
        CustomerTokens(secret=TEST_SECRET, ttl_s=60).conversation_id(body["token"])
        == (body["conversation_id"])
    )


@pytest.mark.parametrize(
    "body",
    [
        {"language": "fr"},
        {"language": "en", "visitor_id": "<script>"},
        {"language": "en", "visitor_id": "x" * 65},
        {"language": "en", "page_url": "h" * 2049},
        {"language": "en", "surprise": 1},
    ],
)
def test_start_conversation_rejects_bad_bodies(client: TestClient, body: dict[str, object]) -> None:
    assert client.post("/api/conversations", json=body).status_code == 422


def test_start_conversation_rejects_malformed_json(client: TestClient) -> None:
    response = client.post(
        "/api/conversations", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


def test_transcript_restores_the_conversation_in_order(client: TestClient) -> None:
    conversation_id, token = start_conversation(client)
    with connect(client, conversation_id, token) as ws:
        say(ws, "hello", client_id="c1")
        assert bot_reply(ws)["role"] == "bot"
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(f"/api/conversations/{conversation_id}/messages", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "bot"
    messages = body["messages"]
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))
    assert messages[0] | {"created_at": None} == {
        "seq": 1,
        "role": "customer",
        "text": "hello",
        "buttons": [],
        "author": None,
        "client_id": "c1",
        "created_at": None,
    }
    assert messages[1]["role"] == "bot" and "Northwind" in messages[1]["text"]
    later = client.get(
        f"/api/conversations/{conversation_id}/messages?after=1", headers=headers
    ).json()["messages"]
    assert [m["seq"] for m in later] == [m["seq"] for m in messages[1:]]


def test_transcript_rejects_a_negative_cursor(client: TestClient) -> None:
    conversation_id, token = start_conversation(client)
    response = client.get(
        f"/api/conversations/{conversation_id}/messages?after=-1",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422


def test_transcript_needs_the_conversations_own_token(client: TestClient) -> None:
    conversation_id, token = start_conversation(client)
    other_id, other_token = start_conversation(client)
    url = f"/api/conversations/{conversation_id}/messages"
    expired = CustomerTokens(secret=TEST_SECRET, ttl_s=60).issue(
        conversation_id, now=datetime.now(UTC) - timedelta(hours=1)
    )
    forger = CustomerTokens(secret="another-secret-of-at-least-32-bytes!!", ttl_s=60)
    forged = forger.issue(conversation_id)

    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer"}).status_code == 401
    assert client.get(url, headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer not.a.jwt"}).status_code == 401
    for bad in (expired.token, forged.token):
        assert client.get(url, headers={"Authorization": f"Bearer {bad}"}).status_code == 401
    response = client.get(url, headers={"Authorization": f"Bearer {other_token}"})
    assert response.status_code == 403
    assert other_id != conversation_id


def test_transcript_of_an_unknown_conversation_is_404(client: TestClient) -> None:
    ghost = "00000000-0000-4000-8000-000000000000"
    token = CustomerTokens(secret=TEST_SECRET, ttl_s=60).issue(ghost).token
    response = client.get(
        f"/api/conversations/{ghost}/messages", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404
