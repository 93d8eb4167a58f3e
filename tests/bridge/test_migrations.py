"""Migrations build exactly the schema the models describe, and go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bridge.db.engine import create_engine
from bridge.db.migrate import downgrade, upgrade
from bridge.db.models import SEARCH_INDEX_NAMES, Base
from tests import aio


def _modelled(name: str | None, _type: str, _parent: object) -> bool:
    """The full-text index of migration 0015 is not described by the models."""
    return name not in SEARCH_INDEX_NAMES


async def _schema_diff(url: str) -> tuple[list[object], set[str]]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"include_name": _modelled}), Base.metadata
            )
        )
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return diff, tables


def test_migrations_match_models_and_round_trip(database_url: str) -> None:
    diff, tables = aio.run(_schema_diff(database_url))
    assert diff == []
    assert {"conversations", "messages", "alembic_version"} <= tables

    downgrade(database_url, "base")
    assert aio.run(_schema_diff(database_url))[1] <= {"alembic_version"}
    upgrade(database_url)
    assert aio.run(_schema_diff(database_url))[0] == []
