"""Keep this host's knowledge-base index in step with the published articles.

Each bridge compares the published set's generation (the newest revision id: one indexed
query) with the one it indexed last, every `KB_SYNC_INTERVAL_S` and right after a publish of
its own; when it changed, it builds the index from the published articles (incrementally: only
changed articles are embedded) unless the index already matches them. The action servers on
the host switch to the new index within `KB_RELOAD_INTERVAL_S`, so a publish on any host
reaches every host's bot within the two intervals plus a build.

Bridges sharing an index folder (several on one host, or a shared file system) take a file
lock around the check and the build, so the second one finds the index current and builds
nothing.
"""

import asyncio
import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bridge.services.article_store import ArticleStore
from knowledge_base.articles import Article
from knowledge_base.embedding import Embedder
from knowledge_base.index import IndexOptions, build_index, is_current
from knowledge_base.settings import KBSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncResult:
    generation: int
    built: str | None  # the new index version; None: the index was current already
    seconds: float


class IndexSync:
    def __init__(
        self,
        store: ArticleStore,
        settings: KBSettings,
        embedders: Callable[[], dict[str, Embedder]],
        *,
        after_build: Callable[[], None] = lambda: None,
    ) -> None:
        self._store = store
        self._settings = settings
        self._embedders = embedders
        self._after_build = after_build  # e.g. this process's own search switches at once
        self._synced: int | None = None
        self._lock = asyncio.Lock()
        self._build_lock = threading.Lock()

    async def sync(self) -> SyncResult | None:
        """Index the published articles if they changed since the last sync; None when they
        did not, when this bridge does not index (KB_SYNC=false), or when there are none yet
        (the index built from the files keeps serving)."""
        if not self._settings.sync:
            return None
        async with self._lock:
            started = time.perf_counter()
            generation, articles = await self._store.published()
            if generation == self._synced or not articles:
                return None
            built = await asyncio.to_thread(self._build, articles)
            self._synced = generation
            if built is not None:
                self._after_build()
            return SyncResult(generation, built, time.perf_counter() - started)

    def _build(self, articles: Sequence[Article]) -> str | None:
        index_dir = self._settings.index_dir
        options = IndexOptions.from_settings(self._settings)
        embedders = self._embedders()
        with self._build_lock, _folder_lock(index_dir):
            if is_current(index_dir, articles=articles, embedders=embedders, options=options):
                return None
            report = build_index(
                articles=articles, embedders=embedders, index_dir=index_dir, options=options
            )
        log.info(
            "index %s built from %d published articles (%d chunks embedded) in %.1f s",
            report.version,
            len(articles),
            report.embedded,
            report.seconds,
        )
        return report.version

    async def run(self, interval_s: float) -> None:
        """Sync every `interval_s` until cancelled; a failed sync is logged and retried."""
        while self._settings.sync:
            try:
                await self.sync()
            except Exception:
                log.exception("indexing the published articles failed; retrying")
            await asyncio.sleep(interval_s)


@contextmanager
def _folder_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
