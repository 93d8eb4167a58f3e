"""Liveness and readiness against the real services, and when they are missing."""

from pathlib import Path

from fastapi.testclient import TestClient

from bridge.app import create_app
from bridge.db.migrate import upgrade
from tests.conftest import make_settings


def test_healthz_and_readyz_with_everything_up(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": True, "rasa": True, "action_server": True},
    }


def test_readyz_names_what_is_down(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    with TestClient(create_app(make_settings(url, stack=None))) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "rasa": False, "action_server": False}
