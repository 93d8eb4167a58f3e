"""Fixtures for bridge tests that read rows seeded through the ORM over the bridge's API.

A module that uses `seeded` defines a `seed` fixture giving the function that writes its rows;
modules that need a differently configured bridge define their own `app_client`.
"""

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.app import create_app
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import make_settings

Seeder = Callable[[AsyncSession], Awaitable[None]]


@pytest.fixture
def app_client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The bridge without Rasa, over an empty knowledge base it never loads: these tests
    search no articles, so they need neither the stack nor the session's index."""
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index", warm_up=False)
    with TestClient(create_app(make_settings(database_url, None), kb)) as client:
        yield client


@pytest.fixture
def seeded(database_url: str, seed: Seeder) -> str:
    """The database after the module's `seed` has written its rows (in one transaction)."""
    aio.run_sql(database_url, seed)
    return database_url
