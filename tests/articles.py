"""The article store from synchronous test code: each call on its own engine and event loop,
as another process would (the app under test keeps its own)."""

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.services import article_files
from bridge.services.article_store import ArticleStore
from knowledge_base.article_text import ArticleFields
from tests import aio

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "knowledge_base" / "articles"


def with_store(database_url: str, work: Callable[[ArticleStore], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(database_url)
        try:
            return await work(ArticleStore(create_sessionmaker(engine)))
        finally:
            await engine.dispose()

    return aio.run(run())


def fields(article_id: str, lang: str = "en", **values: object) -> ArticleFields:
    defaults: dict[str, object] = {
        "title": f"About {article_id}",
        "tags": ("test",),
        "questions": (),
        "body": f"Everything about {article_id}.\n\n## Details\n\nThe details of {article_id}.",
    }
    defaults.update(values)
    return ArticleFields(id=article_id, lang=lang, **defaults)  # type: ignore[arg-type]


def republish(database_url: str, article_id: str, edit: Callable[[str], str]) -> None:
    """Publish `edit` of the article's published text, as an import from a file would."""

    async def work(store: ArticleStore) -> None:
        copy = await store.open(article_id)
        folder = Path(tempfile.mkdtemp(prefix="articles-")) / copy.lang
        folder.mkdir(parents=True)
        (folder / f"{article_id}.md").write_text(edit(copy.published_text or ""), "utf-8")
        report = await article_files.import_files(store, folder.parent, author="test")
        assert not report.problems, report.problems

    with_store(database_url, work)


def archive(database_url: str, article_id: str) -> None:
    async def work(store: ArticleStore) -> None:
        copy = await store.open(article_id)
        await store.archive(article_id, version=copy.version, author="test")

    with_store(database_url, work)
