"""Article pages and the unanswered-questions API, on SQLite and PostgreSQL."""

from fastapi.testclient import TestClient

from bridge.services.article_store import ArticleStore
from tests.articles import fields, with_store
from tests.chat import start_conversation
from tests.conftest import TEST_SERVICE_TOKEN

SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}


def test_every_article_link_opens_as_a_page(client: TestClient) -> None:
    page = client.get("/kb/password-reset")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text and "<h1>Resetting your password</h1>" in page.text
    hungarian = client.get("/kb/hu-password-reset")
    assert hungarian.status_code == 200 and '<html lang="hu">' in hungarian.text


def test_unknown_or_malformed_article_ids_are_404(client: TestClient) -> None:
    for path in ("/kb/no-such-article", "/kb/..%2Fsettings", "/kb/UPPER", "/kb/a.md"):
        assert client.get(path).status_code == 404, path


def test_article_markup_is_escaped(client: TestClient, database_url: str) -> None:
    title, body = "<b>Bold</b> title", "<script>alert(1)</script> text"

    async def publish(store: ArticleStore) -> None:
        article = fields("xss-check", title=title, body=body)
        created = await store.create(article, author="test")
        await store.publish("xss-check", version=created.version, fields=article, author="test")

    with_store(database_url, publish)
    page = client.get("/kb/xss-check").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>Bold</b>" not in page


def test_unanswered_questions_are_recorded_with_the_service_token(client: TestClient) -> None:
    conversation_id, _ = start_conversation(client)
    body = {
        "conversation_id": conversation_id,
        "question": "  do you sell cars?  ",
        "language": "en",
        "best_article_id": "payment-methods",
        "best_score": 0.12,
    }
    created = client.post("/api/unanswered", json=body, headers=SERVICE)
    assert created.status_code == 201
    assert created.json()["question"] == "do you sell cars?"
    listed = client.get("/api/unanswered", headers=SERVICE).json()
    assert [row["question"] for row in listed] == ["do you sell cars?"]


def test_unanswered_api_refuses_bad_callers_and_bodies(client: TestClient) -> None:
    conversation_id, customer_token = start_conversation(client)
    body = {"conversation_id": conversation_id, "question": "q?", "language": "en"}
    assert client.post("/api/unanswered", json=body).status_code == 401
    forged = {"Authorization": "Bearer not-the-token"}
    assert client.post("/api/unanswered", json=body, headers=forged).status_code == 401
    customer = {"Authorization": f"Bearer {customer_token}"}
    assert client.post("/api/unanswered", json=body, headers=customer).status_code == 401
    assert client.get("/api/unanswered").status_code == 401
    for bad in (
        {**body, "question": "   "},
        {**body, "question": "x" * 2001},
        {**body, "language": "fr"},
        {**body, "best_score": 7},
        {**body, "extra": 1},
    ):
        assert client.post("/api/unanswered", json=bad, headers=SERVICE).status_code == 422
    ghost = {**body, "conversation_id": "00000000-0000-4000-8000-000000000000"}
    assert client.post("/api/unanswered", json=ghost, headers=SERVICE).status_code == 404
    assert client.get("/api/unanswered", headers=SERVICE).json() == []
