"""Every host indexes what is published, from the shared database: a publish through one
host's store reaches another host's index folder on that host's next sync, and bridges that
share one folder build it once."""

import asyncio
from pathlib import Path

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.services import article_files
from bridge.services.article_store import ArticleStore
from bridge.services.index_sync import IndexSync, SyncResult
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import KBSettings
from tests import aio
from tests.articles import SEED, fields
from tests.conftest import private_index, shared_embedders

QUESTION = "do you gift wrap orders?"
GIFT = fields(
    "gift-wrapping",
    title="Gift wrapping",
    body="We gift wrap any order for 3 euros: tick gift wrapping at checkout.",
)


async def _publish_gift(store: ArticleStore) -> None:
    created = await store.create(GIFT, author="test")
    await store.publish("gift-wrapping", version=created.version, fields=GIFT, author="test")


def _first_hit(settings: KBSettings) -> str:
    result = KnowledgeBase(settings, embedders=shared_embedders()).search(QUESTION, language="en")
    return result.hits[0].article_id


def test_a_publish_on_one_host_is_indexed_by_the_other_hosts_bridge(
    database_url: str, kb_settings: KBSettings, tmp_path: Path
) -> None:
    host_a = private_index(kb_settings, tmp_path / "a")
    host_b = private_index(kb_settings, tmp_path / "b")

    async def work() -> tuple[SyncResult | None, SyncResult | None, SyncResult | None]:
        engine = create_engine(database_url)
        try:
            store_a = ArticleStore(create_sessionmaker(engine))
            store_b = ArticleStore(create_sessionmaker(engine))
            assert await article_files.seed(store_a, SEED) == 88
            sync_b = IndexSync(store_b, host_b, shared_embedders)
            first = await sync_b.sync()  # the index built from the same files is current
            await _publish_gift(store_a)
            after_publish = await sync_b.sync()
            again = await sync_b.sync()
            return first, after_publish, again
        finally:
            await engine.dispose()

    first, after_publish, again = aio.run(work())
    assert first is not None and first.built is None
    assert after_publish is not None and after_publish.built is not None
    assert after_publish.generation > first.generation
    assert again is None  # nothing changed since
    assert _first_hit(host_b) == "gift-wrapping"
    assert _first_hit(host_a) != "gift-wrapping"  # host a's bridge did not sync here


def test_bridges_sharing_an_index_folder_build_it_once(
    database_url: str, kb_settings: KBSettings, tmp_path: Path
) -> None:
    shared = private_index(kb_settings, tmp_path / "shared")

    async def work() -> list[SyncResult | None]:
        engine = create_engine(database_url)
        try:
            store = ArticleStore(create_sessionmaker(engine))
            await article_files.seed(store, SEED)
            await _publish_gift(store)
            bridges = [
                IndexSync(ArticleStore(create_sessionmaker(engine)), shared, shared_embedders)
                for _ in range(2)
            ]
            return list(await asyncio.gather(*(bridge.sync() for bridge in bridges)))
        finally:
            await engine.dispose()

    results = aio.run(work())
    built = [r.built for r in results if r is not None]
    assert len(built) == 2 and sum(version is not None for version in built) == 1
    assert _first_hit(shared) == "gift-wrapping"


def test_no_published_article_leaves_the_index_alone(
    database_url: str, kb_settings: KBSettings, tmp_path: Path
) -> None:
    own = private_index(kb_settings, tmp_path / "own")
    before = sorted(p.name for p in own.index_dir.iterdir())

    async def work() -> SyncResult | None:
        engine = create_engine(database_url)
        try:
            return await IndexSync(
                ArticleStore(create_sessionmaker(engine)), own, shared_embedders
            ).sync()
        finally:
            await engine.dispose()

    assert aio.run(work()) is None
    assert sorted(p.name for p in own.index_dir.iterdir()) == before
