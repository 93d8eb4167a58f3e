"""Goals the host page reports through the widget, and the conversion rate built on them."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from typer.testing import CliRunner

from bridge import report_cli
from bridge.app import create_app
from bridge.cli import app as cli_app
from bridge.services.goals import MAX_GOALS_PER_CONVERSATION
from bridge.settings import get_settings
from knowledge_base.settings import KBSettings
from tests.chat import start_conversation
from tests.conftest import make_settings
from tests.staff import Signed, add_user, sign_in

TODAY = datetime.now(UTC).date().isoformat()


@pytest.fixture
def client(database_url: str, kb_settings: KBSettings) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(database_url, None), kb_settings)) as test_client:
        yield test_client


@pytest.fixture
def admin(client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "root@example.com", role="admin")
    return sign_in(client, "root@example.com")


def reach(client: TestClient, conversation_id: str, token: str, **body: object) -> int:
    response = client.post(
        f"/api/conversations/{conversation_id}/goals",
        json={"goal": "conversion", "page_url": "https://shop.example/thanks", **body},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code


def test_goals_are_validated_and_bounded(client: TestClient) -> None:
    conversation_id, token = start_conversation(client)
    assert reach(client, conversation_id, token) == 201
    assert reach(client, conversation_id, token, goal="add_to_cart", at=TODAY) == 201
    for bad in ({"goal": ""}, {"goal": "9lives"}, {"goal": "x" * 65}, {"goal": "a b"},
                {"page_url": "x" * 2049}, {"extra": 1}):  # fmt: skip
        assert reach(client, conversation_id, token, **bad) == 422, bad
    assert reach(client, conversation_id, "forged") == 401
    other_id, _ = start_conversation(client)
    assert reach(client, other_id, token) == 403  # a token opens only its own conversation
    for _ in range(MAX_GOALS_PER_CONVERSATION - 2):
        reach(client, conversation_id, token, goal="page_view")
    assert reach(client, conversation_id, token) == 429


def test_conversion_rate(client: TestClient, admin: Signed, database_url: str) -> None:
    converted, token = start_conversation(client, "hu")
    assert reach(client, converted, token) == 201
    assert reach(client, converted, token) == 201  # twice still counts one conversation
    browsing, other = start_conversation(client)
    assert reach(client, browsing, other, goal="add_to_cart") == 201
    start_conversation(client)  # chatted, reached nothing

    def rate(**params: str) -> dict[str, object]:
        response = client.get(
            "/api/staff/reports/conversion",
            params={"from": TODAY, "to": TODAY, **params},
            headers=admin.headers(),
        )
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body

    everyone = rate()
    assert (everyone["conversations"], everyone["converted"]) == (3, 1)
    assert everyone["conversion_rate_pct"] == pytest.approx(100 / 3)
    assert rate(lang="hu")["conversion_rate_pct"] == 100.0
    assert rate(goal="add_to_cart")["converted"] == 1
    empty = rate(**{"from": "2020-01-01", "to": "2020-01-02"})
    assert (empty["conversations"], empty["conversion_rate_pct"]) == (0, None)
    bad = client.get(
        "/api/staff/reports/conversion",
        params={"from": TODAY, "to": "2020-01-01"},
        headers=admin.headers(),
    )
    assert bad.status_code == 422

    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", database_url)
        patch.setattr(report_cli, "console", Console(width=200, force_terminal=False))
        get_settings.cache_clear()
        try:
            args = ["report", "conversion", "--from", TODAY, "--to", TODAY]
            result = runner.invoke(cli_app, args)
        finally:
            get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "33.3" in result.output
