"""Rasa's tracker store as the privacy tools see it: the `events` table of Rasa's
`SQLTrackerStore`, one row per dialogue event, `sender_id` being our conversation id.

Rasa owns the table; the bridge only counts and deletes the events of conversations whose
data is erased. A store where Rasa has not written yet (no table) holds nothing to delete.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from sqlalchemy import column, delete, func, inspect, select, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

EVENTS = table("events", column("sender_id"))
# Bound parameters per statement: SQLite allows 32766, asyncpg 32767.
CHUNK = 500


class TrackerStore(Protocol):
    """Where Rasa keeps each conversation's dialogue events."""

    async def count_events(self, conversation_ids: Sequence[str]) -> int: ...

    async def delete_events(self, conversation_ids: Sequence[str]) -> int: ...

    async def aclose(self) -> None: ...


def async_tracker_url(url: str) -> str:
    """Rasa's URL (sync drivers: `sqlite:///…`, `postgresql://…`) with the async driver the
    bridge uses for it; raises ValueError on anything else."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    if url.startswith("sqlite+aiosqlite:///"):
        return url
    raise ValueError("RASA_TRACKER_URL must be a sqlite:/// or postgresql:// URL")


class SqlTrackerStore:
    """Rasa's `events` table over its own small engine (no pool: it is used rarely)."""

    def __init__(self, url: str) -> None:
        self._url = make_url(async_tracker_url(url))
        self._engine: AsyncEngine | None = None

    def _connect(self) -> AsyncEngine:
        if self._engine is None:  # lazily: building the services opens nothing
            args = {"timeout": 30} if self._url.get_backend_name() == "sqlite" else {}
            self._engine = create_async_engine(self._url, poolclass=NullPool, connect_args=args)
        return self._engine

    async def _has_events(self, engine: AsyncEngine) -> bool:
        if self._url.get_backend_name() == "sqlite" and not _sqlite_file_exists(self._url):
            return False  # connecting would create an empty file where Rasa expects its own
        async with engine.connect() as connection:
            return bool(await connection.run_sync(lambda c: inspect(c).has_table("events")))

    async def count_events(self, conversation_ids: Sequence[str]) -> int:
        engine = self._connect()
        if not conversation_ids or not await self._has_events(engine):
            return 0
        total = 0
        async with engine.connect() as connection:
            for start in range(0, len(conversation_ids), CHUNK):
                chunk = list(conversation_ids[start : start + CHUNK])
                total += int(
                    await connection.scalar(
                        select(func.count())
                        .select_from(EVENTS)
                        .where(EVENTS.c.sender_id.in_(chunk))
                    )
                    or 0
                )
        return total

    async def delete_events(self, conversation_ids: Sequence[str]) -> int:
        """Delete every event of the conversations; how many there were."""
        engine = self._connect()
        if not conversation_ids or not await self._has_events(engine):
            return 0
        deleted = 0
        async with engine.begin() as connection:
            for start in range(0, len(conversation_ids), CHUNK):
                chunk = list(conversation_ids[start : start + CHUNK])
                result = await connection.execute(
                    delete(EVENTS).where(EVENTS.c.sender_id.in_(chunk))
                )
                deleted += max(result.rowcount or 0, 0)
        return deleted

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


class NoTrackerStore:
    """Rasa keeps its trackers in memory (RASA_TRACKER_URL empty): nothing lasts to delete."""

    async def count_events(self, conversation_ids: Sequence[str]) -> int:
        return 0

    async def delete_events(self, conversation_ids: Sequence[str]) -> int:
        return 0

    async def aclose(self) -> None:
        return None


def _sqlite_file_exists(url: URL) -> bool:
    database = url.database
    return bool(database) and (database == ":memory:" or Path(database or "").exists())


def tracker_store(url: str) -> TrackerStore:
    return SqlTrackerStore(url) if url else NoTrackerStore()
