"""Integers in paths, queries and bodies that reach the database: one past what the column
holds is a 422 (it was a 500: the driver cannot bind it), the largest it holds a plain answer
(issue 13, finding 8). On SQLite and PostgreSQL, whose BIGINT and INTEGER set the bounds."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from bridge.api.params import MAX_BIGINT, MAX_INT
from bridge.app import create_app
from knowledge_base.settings import KBSettings
from tests.chat import start_conversation
from tests.conftest import TEST_SERVICE_TOKEN, make_settings
from tests.staff import Signed, add_user, sign_in

SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
SEEDED_ARTICLE = "account-locked"  # published from knowledge_base/articles at start-up


@pytest.fixture
def app_client(database_url: str, kb_settings: KBSettings) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(database_url, None), kb_settings)) as client:
        yield client


@pytest.fixture
def admin(app_client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "admin@example.com", role="admin")
    return sign_in(app_client, "admin@example.com")


def _refused_for(response_json: dict[str, object], name: str) -> bool:
    details = response_json["detail"]
    assert isinstance(details, list)
    return any(d["loc"][-1] == name for d in details)


def test_transcript_after_past_any_sequence_number_is_refused(app_client: TestClient) -> None:
    conversation_id, token = start_conversation(app_client)
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/conversations/{conversation_id}/messages"
    for after in (2**63, MAX_INT + 1):
        response = app_client.get(url, params={"after": after}, headers=auth)
        assert response.status_code == 422, response.text
        assert _refused_for(response.json(), "after")
    largest = app_client.get(url, params={"after": MAX_INT}, headers=auth)
    assert largest.status_code == 200, largest.text
    assert largest.json()["messages"] == []


@pytest.mark.parametrize("action", ["claim", "hand-back", "close"])
def test_handoff_ids_past_bigint_are_refused(
    app_client: TestClient, admin: Signed, action: str
) -> None:
    for handoff_id in (MAX_BIGINT + 1, 2**64):
        response = app_client.post(
            f"/api/staff/handoffs/{handoff_id}/{action}", headers=admin.headers()
        )
        assert response.status_code == 422, response.text
        assert _refused_for(response.json(), "handoff_id")
    largest = app_client.post(f"/api/staff/handoffs/{MAX_BIGINT}/{action}", headers=admin.headers())
    assert largest.status_code == 404, largest.text
    assert largest.json()["code"] == "unknown"


def test_survey_ids_past_bigint_are_refused(app_client: TestClient) -> None:
    too_large = app_client.put(
        f"/api/nps/surveys/{MAX_BIGINT + 1}/score", json={"score": 9}, headers=SERVICE
    )
    assert too_large.status_code == 422, too_large.text
    assert _refused_for(too_large.json(), "survey_id")
    largest = app_client.put(
        f"/api/nps/surveys/{MAX_BIGINT}/score", json={"score": 9}, headers=SERVICE
    )
    assert largest.status_code == 404, largest.text


def test_revision_numbers_and_versions_past_integer_are_refused(
    app_client: TestClient, admin: Signed
) -> None:
    restore = f"/api/studio/articles/{SEEDED_ARTICLE}/revisions/{{number}}/restore"
    too_large = app_client.post(
        restore.format(number=MAX_INT + 1), json={"version": 1}, headers=admin.headers()
    )
    assert too_large.status_code == 422, too_large.text
    assert _refused_for(too_large.json(), "number")
    largest = app_client.post(
        restore.format(number=MAX_INT), json={"version": 1}, headers=admin.headers()
    )
    assert largest.status_code == 404, largest.text

    archive = f"/api/studio/articles/{SEEDED_ARTICLE}/archive"
    version_too_large = app_client.post(
        archive, json={"version": MAX_INT + 1}, headers=admin.headers()
    )
    assert version_too_large.status_code == 422, version_too_large.text
    assert _refused_for(version_too_large.json(), "version")
    # The largest is only an old version: a conflict, the article left as it was.
    stale = app_client.post(archive, json={"version": MAX_INT}, headers=admin.headers())
    assert stale.status_code == 409, stale.text


# --- text PostgreSQL cannot hold: U+0000 --------------------------------------------------

NUL = "\x00"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/api/handoffs", {"conversation_id": NUL, "reason": "customer_request"}),
        ("POST", "/api/unanswered", {"question": f"where{NUL}", "language": "en"}),
        (
            "POST",
            "/api/nps/surveys",
            {"conversation_id": NUL, "language": "en", "trigger": "goodbye"},
        ),
    ],
)
def test_service_routes_refuse_nul(
    app_client: TestClient, method: str, url: str, body: dict[str, object]
) -> None:
    response = app_client.request(method, url, json=body, headers=SERVICE)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/staff/conversations/%00", None),
        ("POST", "/api/staff/conversations/%00/notes", {"text": "called back"}),
        ("GET", "/api/studio/articles/a%00", None),
        ("POST", "/api/studio/articles", {"id": "nul-title", "lang": "en", "title": f"a{NUL}b"}),
    ],
)
def test_staff_routes_refuse_nul(
    app_client: TestClient, admin: Signed, method: str, url: str, body: object
) -> None:
    response = app_client.request(method, url, json=body, headers=admin.headers())
    assert response.status_code == 422, response.text


def test_offline_request_refuses_nul(app_client: TestClient) -> None:
    conversation_id, token = start_conversation(app_client)
    response = app_client.post(
        f"/api/conversations/{conversation_id}/offline-requests",
        json={"email": f"ann{NUL}@example.com", "message": "call me"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, response.text


# --- times ------------------------------------------------------------------------------


def _in_utc(written: str) -> bool:
    return datetime.fromisoformat(written).utcoffset() == timedelta(0)


def test_stored_times_are_given_in_utc(app_client: TestClient) -> None:
    """SQLite gives back naive datetimes: the answer still says they are UTC."""
    recorded = app_client.post(
        "/api/unanswered", json={"question": "gift cards?", "language": "en"}, headers=SERVICE
    )
    assert recorded.status_code == 201, recorded.text
    assert _in_utc(recorded.json()["created_at"])
    recent = app_client.get("/api/unanswered", headers=SERVICE)
    assert [_in_utc(q["created_at"]) for q in recent.json()] == [True]
