"""The knowledge base as running processes hold it: search over the newest index.

A process keeps its searcher until a build replaces the index's `CURRENT` pointer; the next
search after that (checked at most every `reload_interval_s`) loads the new version, so
writers see their edit answered within seconds and nobody restarts anything. A new version
that fails to load is logged and the old one keeps serving.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from knowledge_base.calibration import search_config
from knowledge_base.embedding import Embedder
from knowledge_base.index_store import KBIndexError, current_version, load_index
from knowledge_base.models import group_similarity, language_embedders
from knowledge_base.search import ArticleHit, HybridSearcher, SearchResult
from knowledge_base.settings import KBSettings

log = logging.getLogger(__name__)


class KnowledgeBase:
    def __init__(
        self,
        settings: KBSettings,
        *,
        embedders: dict[str, Embedder] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._embedders = embedders or language_embedders(settings)
        self._clock = clock
        self._lock = threading.Lock()
        self._searcher: HybridSearcher | None = None
        self._checked_at = float("-inf")

    @property
    def embedders(self) -> dict[str, Embedder]:
        """Each language's model (the unanswered report groups questions with them too)."""
        return self._embedders

    def searcher(self) -> HybridSearcher:
        """The searcher over the newest loadable index; raises KBIndexError if there is none."""
        with self._lock:
            now = self._clock()
            if self._searcher is None or now - self._checked_at >= self._settings.reload_interval_s:
                self._checked_at = now
                self._refresh()
            if self._searcher is None:
                raise KBIndexError("no knowledge-base index is loaded")
            return self._searcher

    def refresh(self) -> None:
        """Look for a newer index now, not at the next interval (this process just built one)."""
        with self._lock:
            self._checked_at = float("-inf")

    def _refresh(self) -> None:
        version = current_version(self._settings.index_dir)
        if self._searcher is not None and self._searcher.index.version == version:
            return
        try:
            index = load_index(self._settings.index_dir, self._embedders)
        except KBIndexError:
            if self._searcher is None:
                raise
            log.exception("kept index %s: the new one did not load", self._searcher.index.version)
            return
        # Read again with every new index: recalibrating is followed by a build anyway.
        self._config = search_config(self._settings, self._embedders)
        self._searcher = HybridSearcher(index=index, embedders=self._embedders, config=self._config)
        log.info(
            "knowledge base index %s loaded (%d chunks)", index.version, index.manifest.chunk_count
        )

    def search(
        self, query: str, *, language: str, top_k: int = 5, context: Sequence[str] = ()
    ) -> SearchResult:
        return self.searcher().search(query, language=language, top_k=top_k, context=context)

    def article_hit(self, article_id: str, query: str) -> ArticleHit | None:
        return self.searcher().article_hit(article_id, query)

    # --- questions as the unanswered report groups them (QuestionVectors) --------------------

    def model_name(self, language: str) -> str:
        return self._embedders[language].name

    def embed_questions(self, texts: Sequence[str], language: str) -> np.ndarray:
        """Customers' questions embedded as a search would: in the articles' spelling (when
        an index is loaded) by the language's model."""
        try:
            restore = self.searcher().dense_text
        except KBIndexError:
            return self._embedders[language].embed_queries(texts)
        return self._embedders[language].embed_queries([restore(t, language) for t in texts])

    def group_similarity(self, language: str) -> float:
        chosen: float | None = getattr(self._settings, f"group_similarity_{language}", None)
        return chosen if chosen is not None else group_similarity(self._embedders[language])

    def warm_up(self) -> None:
        """Load the models and the index now, so the first customer question is not slow."""
        searcher = self.searcher()
        for language in searcher.index.languages:
            self._embedders[language].embed_queries(["warm up"])
