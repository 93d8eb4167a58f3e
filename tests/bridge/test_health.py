"""Liveness and readiness against the real services, and when they are missing."""

import contextlib
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from bridge.app import create_app
from bridge.db.migrate import upgrade
from tests.conftest import make_settings
from tests.redis_server import redis_server


def test_healthz_and_readyz_with_everything_up(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": True, "rasa": True, "action_server": True},
        "rasa_servers": ["ready"],
    }


def test_readyz_names_what_is_down(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    with TestClient(create_app(make_settings(url, stack=None))) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "rasa": False, "action_server": False}
    assert response.json()["rasa_servers"] == ["down"]


@pytest.mark.redis
def test_readyz_checks_the_redis_the_bridge_shares_its_state_through(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    with redis_server(tmp_path, private=True) as redis_url:
        settings = make_settings(url, stack=None, redis_url=redis_url)
        with TestClient(create_app(settings)) as client:
            assert client.get("/readyz").json()["checks"]["redis"] is True
            with contextlib.suppress(redis.ConnectionError):  # it hangs up as it stops
                redis.Redis.from_url(redis_url).shutdown(nosave=True)
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["checks"]["redis"] is False
        # A bridge does not start without the Redis it is told to share its state through.
        with pytest.raises(redis.ConnectionError), TestClient(create_app(settings)):
            pass
