"""Retention: conversations inactive for RETENTION_DAYS are erased from both stores on a fake
clock, the reports over their period keep their figures, purges running at once never erase a
conversation twice, and Rasa's events table is cleaned (SQLite and PostgreSQL)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import Conversation, PrivacyAudit, UnansweredQuestion
from bridge.services.rasa_tracker_store import NoTrackerStore, SqlTrackerStore, async_tracker_url
from bridge.services.report_period import Period
from bridge.services.retention import Retention
from tests.bridge import privacy_seed
from tests.bridge.privacy_seed import RecordingTracker
from tests.conftest import make_settings

T0 = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=100)
PERIOD = Period(date(2025, 1, 1), date(2025, 3, 31))
OLD = ["old-conv-a1", "old-conv-a2", "old-conv-a3", "old-conv-b1"]


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    made = create_sessionmaker(engine)
    async with made.begin() as session:
        await privacy_seed.seed(session, T0, "old-")  # inactive since T0 + 3 days
        await privacy_seed.seed(session, T0 + timedelta(days=60), "new-")
        session.add(UnansweredQuestion(question="old unlinked", language="en", created_at=T0))
        session.add(UnansweredQuestion(question="new unlinked", language="en", created_at=NOW))
    yield made
    await engine.dispose()


def _retention(
    sessions: async_sessionmaker[AsyncSession],
    tracker: NoTrackerStore,
    *,
    days: int = 60,
    batch: int = 200,
) -> Retention:
    """Retention on the fake clock: it is always NOW."""
    return Retention(sessions=sessions, tracker=tracker, days=days, batch=batch, now=lambda: NOW)


async def _erased(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        ids = await session.scalars(
            select(Conversation.id).where(Conversation.erased_at.is_not(None))
        )
        return sorted(ids)


async def test_purge_erases_what_is_older_than_the_retention_and_keeps_the_reports(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        before = await privacy_seed.all_reports(session, PERIOD)
    tracker = RecordingTracker()
    retention = _retention(sessions, tracker, batch=3)  # two batches

    dry = await retention.purge(dry_run=True)
    assert (dry.conversations, dry.cutoff) == (4, NOW - timedelta(days=60))
    assert await _erased(sessions) == []

    result = await retention.purge()

    assert (result.conversations, result.questions, result.tracker_events) == (4, 1, 4)
    assert sorted(tracker.deleted) == OLD
    assert await _erased(sessions) == OLD
    async with sessions() as session:
        after = await privacy_seed.all_reports(session, PERIOD)
        everything = await privacy_seed.all_text(session)
        audit = await session.scalar(select(PrivacyAudit).order_by(PrivacyAudit.id.desc()))
    assert after == before
    assert "old unlinked" not in everything and "new unlinked" in everything
    # The newer conversations keep everything; the older ones keep nothing identifying (Bob's
    # visitor id: his new conversation, NPS survey and referral answer).
    assert everything.count("alice-secret-note") == 1 and everything.count("visitor-bob") == 3
    assert everything.count("alice-secret-referral") == 1 and "erased:" in everything
    assert audit is not None
    assert (audit.action, audit.selector, audit.actor, audit.subject_hash) == (
        "purge",
        "retention",
        "retention",
        None,
    )
    assert (audit.conversations, audit.tracker_events) == (4, 4)

    again = await retention.purge()
    assert (again.conversations, again.questions) == (0, 0)
    async with sessions() as session:
        assert await session.scalar(select(func.max(PrivacyAudit.id))) == audit.id


async def test_retention_zero_keeps_everything(sessions: async_sessionmaker[AsyncSession]) -> None:
    result = await _retention(sessions, RecordingTracker(), days=0).purge()
    assert (result.cutoff, result.conversations) == (None, 0)
    assert await _erased(sessions) == []
    with pytest.raises(ValidationError):
        make_settings("sqlite+aiosqlite:///x.db", None, retention_days=-1)
    with pytest.raises(ValidationError):
        make_settings("sqlite+aiosqlite:///x.db", None, rasa_tracker_url="mysql://db/rasa")
    with pytest.raises(ValueError):
        Retention(sessions=sessions, tracker=NoTrackerStore(), days=-5)


async def test_a_batch_whose_tracker_deletion_fails_is_retried(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(OSError):
        await _retention(sessions, RecordingTracker(fail=True)).purge()
    assert await _erased(sessions) == []  # rolled back: still due
    assert (await _retention(sessions, RecordingTracker()).purge()).conversations == 4


async def test_purges_at_once_erase_each_conversation_once(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # Two bridge processes: each its own engine, purging one conversation per batch.
    engines = [create_engine(database_url) for _ in range(2)]
    trackers = [RecordingTracker(), RecordingTracker()]
    try:
        purges = [
            _retention(create_sessionmaker(engine), tracker, batch=1).purge()
            for engine, tracker in zip(engines, trackers, strict=True)
        ]
        results = await asyncio.gather(*purges)
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(r.conversations for r in results) == 4
    assert sorted(trackers[0].deleted + trackers[1].deleted) == OLD


async def test_the_loop_purges_until_cancelled(sessions: async_sessionmaker[AsyncSession]) -> None:
    tracker = RecordingTracker()
    task = asyncio.create_task(_retention(sessions, tracker).run(0.05))
    try:
        for _ in range(100):
            if len(tracker.deleted) == 4:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert sorted(tracker.deleted) == OLD


# --- Rasa's events table -------------------------------------------------------------------------


async def test_sql_tracker_store_deletes_only_the_conversations_events(
    database_url: str, tmp_path: Path
) -> None:
    # Rasa's SQLTrackerStore schema (the columns that matter), in a SQLite file of its own or
    # a table of the PostgreSQL test database, as Rasa would have made it.
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'rasa_tracker.db'}"
        missing = SqlTrackerStore(f"sqlite:///{tmp_path / 'absent.db'}")
        assert await missing.delete_events(["a"]) == 0
        assert not (tmp_path / "absent.db").exists()  # not created where Rasa expects its own
        await missing.aclose()
    else:
        url = database_url.replace("postgresql+asyncpg://", "postgresql://")
    table = "events"
    engine = create_engine(async_tracker_url(url))
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    store = SqlTrackerStore(url)
    try:
        assert await store.delete_events(["a"]) == 0  # no table yet: nothing to delete
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, sender_id VARCHAR(255)"
                    " NOT NULL, type_name VARCHAR(255) NOT NULL, data TEXT)"
                )
            )
            for n, sender in enumerate(["a", "a", "b", "c", "a"], start=1):
                await connection.execute(
                    text(f"INSERT INTO {table} VALUES (:id, :sender, 'user', :data)"),
                    {"id": n, "sender": sender, "data": f'{{"text": "secret {sender}"}}'},
                )
        assert await store.count_events(["a", "b"]) == 4
        assert await store.delete_events(["a", "b"]) == 4
        async with engine.connect() as connection:
            left = await connection.scalars(text(f"SELECT sender_id FROM {table}"))
            assert list(left) == ["c"]
    finally:
        await store.aclose()
        async with engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        await engine.dispose()
