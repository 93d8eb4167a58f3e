"""Shared fixtures: databases (SQLite and the real PostgreSQL), the real Rasa stack, the bridge."""

import os
import shutil
import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import asyncpg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from bridge.app import create_app
from bridge.db.migrate import upgrade
from bridge.settings import Settings
from knowledge_base.articles import load_articles
from knowledge_base.embedding import Embedder
from knowledge_base.index import build_index
from knowledge_base.index_store import CURRENT
from knowledge_base.models import language_embedders
from knowledge_base.settings import KBSettings
from tests import aio
from tests.postgres import POSTGRES_ADMIN_URL, admin_sql
from tests.processes import RASA_TOKEN, ROOT, LiveBridge, RasaStack, free_port
from tests.redis_server import delete_prefix, fresh_prefix, redis_server

# The bridge refuses to start without ENVIRONMENT; `make test` exports dev, a bare pytest has none.
os.environ.setdefault("ENVIRONMENT", "test")

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
TEST_SERVICE_TOKEN = "test-service-token-that-is-long-enough-0123"
NPS_REVIEW_URL = "https://reviews.example/northwind"  # promoters are invited there


@lru_cache(maxsize=1)
def shared_embedders() -> dict[str, Embedder]:
    """One load of each language's default model for the whole test session (the real
    models, not fakes: MiniLM for English, multilingual-e5-small for Hungarian)."""
    return language_embedders(KBSettings())


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped afterwards."""
    name = f"supportbot_test_{uuid.uuid4().hex[:10]}"
    aio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    yield rendered
    aio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def truncate_postgres(url: str) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(
            "TRUNCATE conversations, messages, handoffs, users, offline_requests,"
            " conversation_notes, nps_surveys, answer_feedback, goals, kb_revisions, kb_articles,"
            " privacy_audit"
            ", saved_replies"
            ", handoff_transfers"
            " CASCADE"
        )
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each bridge test runs on SQLite and on the real PostgreSQL, from an empty database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
        upgrade(url)
        return url
    url = request.getfixturevalue("postgres_url")
    aio.run(truncate_postgres(url))
    return str(url)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real Redis: the machine's, or a redis-server the tests start."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own, its keys deleted afterwards."""
    prefix = fresh_prefix()
    yield prefix
    delete_prefix(redis_url, prefix)


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory: pytest.TempPathFactory) -> KBSettings:
    """A copy of the sample articles and its index, built once: tests may edit the copy."""
    workdir = tmp_path_factory.mktemp("kb")
    articles = workdir / "articles"
    shutil.copytree(ROOT / "knowledge_base" / "articles", articles)
    # No warm-up: most tests never search, and a model load per app would cost seconds each.
    settings = KBSettings(
        articles_dir=articles, index_dir=workdir / "index", reload_interval_s=0.5, warm_up=False
    )
    valid, problems = load_articles(articles)
    assert not problems, problems
    build_index(articles=valid, embedders=shared_embedders(), index_dir=settings.index_dir)
    return settings


@pytest.fixture(scope="session")
def bridge_port() -> int:
    """The port every live bridge of this session listens on (the action server calls it)."""
    return free_port()


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, kb_settings: KBSettings, bridge_port: int
) -> Iterator[RasaStack]:
    """The real Rasa server with the trained model, and the real action server."""
    bridge_url = f"http://127.0.0.1:{bridge_port}"
    rasa_stack = RasaStack(
        tmp_path_factory.mktemp("stack"),
        env={
            "KB_ARTICLES_DIR": str(kb_settings.articles_dir),
            "KB_INDEX_DIR": str(kb_settings.index_dir),
            "KB_RELOAD_INTERVAL_S": str(kb_settings.reload_interval_s),
            "BRIDGE_URL": bridge_url,
            "PUBLIC_URL": bridge_url,
            "SERVICE_TOKEN": TEST_SERVICE_TOKEN,
            "NPS_REVIEW_URL": NPS_REVIEW_URL,
        },
    )
    rasa_stack.start()
    yield rasa_stack
    rasa_stack.stop()


def make_settings(database_url: str, stack: RasaStack | None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "rasa_url": stack.rasa_url if stack else "http://127.0.0.1:9",
        "action_server_url": stack.action_url if stack else "http://127.0.0.1:9",
        "rasa_token": RASA_TOKEN,
        "service_token": TEST_SERVICE_TOKEN,
        "rasa_timeout_s": 5.0,
        "gc_freeze": False,  # many apps in one process: frozen garbage would never go
        # Every test customer comes from one address, some tests from one visitor id: the
        # limits on new conversations are tested on their own (tests/bridge/test_security.py).
        "new_conversations_per_ip": 1_000_000,
        "new_conversations_per_visitor": 1_000_000,
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def settings(database_url: str, stack: RasaStack) -> Settings:
    return make_settings(database_url, stack)


def private_index(kb_settings: KBSettings, folder: Path) -> KBSettings:
    """The session's settings with a copy of its current index in `folder`: a bridge that
    publishes indexes into its own copy, and other tests keep the session's."""
    version = (kb_settings.index_dir / CURRENT).read_text(encoding="utf-8").strip()
    shutil.copytree(kb_settings.index_dir / version, folder / version)
    (folder / CURRENT).write_text(version, encoding="utf-8")
    return kb_settings.model_copy(update={"index_dir": folder})


@pytest.fixture
def client(settings: Settings, kb_settings: KBSettings, tmp_path: Path) -> Iterator[TestClient]:
    """The bridge in process, on its own copy of the index (an article published in a test
    changes only that copy)."""
    own = private_index(kb_settings, tmp_path / "kb-index")
    with TestClient(create_app(settings, own)) as test_client:
        yield test_client


@pytest.fixture
def live_bridge(
    tmp_path: Path,
    stack: RasaStack,
    kb_settings: KBSettings,
    bridge_port: int,
    request: pytest.FixtureRequest,
) -> Iterator[LiveBridge]:
    """The bridge on the session's port (uvicorn) over a fresh, migrated SQLite file; a
    `bridge_settings(name=value)` mark on the test or its module overrides settings."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    marks = reversed(list(request.node.iter_markers("bridge_settings")))  # closest mark wins
    overrides = {name: value for mark in marks for name, value in mark.kwargs.items()}
    bridge = LiveBridge(make_settings(url, stack, **overrides), kb_settings, port=bridge_port)
    bridge.start()
    yield bridge
    bridge.stop()
