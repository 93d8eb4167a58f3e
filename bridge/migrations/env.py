"""Alembic environment: runs migrations on the bridge's async engine."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bridge.db.engine import create_engine
from bridge.db.models import SEARCH_INDEX_NAMES, Base

config = context.config
target_metadata = Base.metadata


def _modelled(name: str | None, _type: str, _parent: object) -> bool:
    # The full-text index (migration 0015) is not in the models: autogenerate keeps it.
    return name not in SEARCH_INDEX_NAMES


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_modelled,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
