"""Hybrid search: dense (FAISS, cosine) and lexical (BM25) legs fused, then a decision.

The fused score of a chunk is `w_dense * cosine + w_lexical * bm25 / (bm25 + saturation)`:
both terms live in [0, 1], so one calibrated threshold works across queries (reciprocal rank
fusion is available for ranking, but its scores say nothing about how good a match is, so the
decision still uses the weighted score). Chunks are grouped per article: an article scores with
its best chunk plus `chunk_bonus` times its second best, so an article that matches in two
places (its question and its answer, a heading and a paragraph) beats one lucky chunk. The
customer's language is searched first and the other one only when nothing good matches.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import faiss
import numpy as np

from knowledge_base.chunking import Chunk
from knowledge_base.embedding import Embedder
from knowledge_base.index import LanguageIndex, LoadedIndex
from knowledge_base.settings import KBSettings
from knowledge_base.text import analyze

Decision = Literal["answer", "choices", "no_answer"]
_RRF_K = 60
_WORD = re.compile(r"[^\W_]", re.UNICODE)


@dataclass(frozen=True)
class SearchConfig:
    fusion: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = 0.6
    lexical_weight: float = 0.4
    lexical_saturation: float = 6.0
    answer_threshold: float = 0.33
    choice_margin: float = 0.03
    candidates: int = 50
    max_query_chars: int = 1000
    chunk_bonus: float = 0.5

    def __post_init__(self) -> None:
        if self.candidates <= 0:
            raise ValueError("candidates must be positive")
        if self.dense_weight < 0 or self.lexical_weight < 0:
            raise ValueError("weights must not be negative")
        if self.dense_weight + self.lexical_weight <= 0:
            raise ValueError("at least one leg needs a positive weight")
        if self.lexical_saturation <= 0:
            raise ValueError("lexical_saturation must be positive")
        if self.chunk_bonus < 0:
            raise ValueError("chunk_bonus must not be negative")

    @classmethod
    def from_settings(cls, settings: KBSettings) -> "SearchConfig":
        return cls(
            fusion=settings.fusion,
            dense_weight=settings.dense_weight,
            lexical_weight=settings.lexical_weight,
            lexical_saturation=settings.lexical_saturation,
            answer_threshold=settings.answer_threshold,
            choice_margin=settings.choice_margin,
            candidates=settings.candidates,
            max_query_chars=settings.max_query_chars,
            chunk_bonus=settings.chunk_bonus,
        )


@dataclass(frozen=True)
class ArticleHit:
    article_id: str
    title: str
    url: str
    lang: str
    score: float
    dense: float
    lexical: float
    chunk: Chunk  # the chunk to quote: the best content chunk of the article


@dataclass(frozen=True)
class SearchResult:
    query: str
    language: str  # the language of the articles in `hits`
    hits: tuple[ArticleHit, ...]
    decision: Decision
    fell_back: bool  # True when the hits are in the other language

    @property
    def top_score(self) -> float:
        return self.hits[0].score if self.hits else 0.0


def _weighted(config: SearchConfig, dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    lexical_norm = lexical / (lexical + config.lexical_saturation)
    total = config.dense_weight + config.lexical_weight
    return (config.dense_weight * dense + config.lexical_weight * lexical_norm) / total


def _rrf(config: SearchConfig, dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    dense_rank = np.argsort(np.argsort(-dense))
    lexical_rank = np.argsort(np.argsort(-lexical))
    return config.dense_weight / (_RRF_K + dense_rank) + config.lexical_weight / (
        _RRF_K + lexical_rank
    )


class HybridSearcher:
    def __init__(self, *, index: LoadedIndex, embedder: Embedder, config: SearchConfig) -> None:
        # One query at a time: starting OpenMP threads costs more than scanning the vectors,
        # and with the embedder busy on the same cores their spin-waits tripled the search time.
        faiss.omp_set_num_threads(1)
        self._index = index
        self._embedder = embedder
        self._config = config

    @property
    def index(self) -> LoadedIndex:
        return self._index

    def search(
        self,
        query: str,
        *,
        language: str,
        top_k: int = 5,
        context: Sequence[str] = (),
        allow_fallback: bool = True,
    ) -> SearchResult:
        """Best articles for `query` (plus earlier customer messages as `context`)."""
        if top_k <= 0:
            raise ValueError("top_k must be positive")
        text = " ".join([*context, query]).strip()[-self._config.max_query_chars :]
        if not _WORD.search(query):  # emoji, punctuation, nothing: no question to answer
            return SearchResult(query, language, (), "no_answer", False)
        vector = self._embedder.embed([text])[0]
        order = [language] + [lang for lang in sorted(self._index.languages) if lang != language]
        first: SearchResult | None = None
        for position, lang in enumerate(order):
            if lang not in self._index.languages:
                continue
            result = self._search_language(text, query, vector, lang, top_k, position > 0)
            if result.decision != "no_answer" or not allow_fallback:
                return result
            first = first or result
        return first or SearchResult(query, language, (), "no_answer", False)

    def _search_language(
        self, text: str, query: str, vector: np.ndarray, lang: str, top_k: int, fell_back: bool
    ) -> SearchResult:
        part: LanguageIndex = self._index.languages[lang]
        size = len(part.chunks)
        count = min(self._config.candidates, size)
        _, ids = part.dense.search(vector.reshape(1, -1), count)
        lexical_all = np.asarray(part.lexical.get_scores(analyze(text, lang)), dtype=np.float32)
        lexical_top = np.argsort(-lexical_all)[:count]
        candidates = np.unique(np.concatenate([ids[0][ids[0] >= 0], lexical_top]))
        background = part.background
        dense = (part.vectors[candidates] @ vector - background) / (1.0 - background)
        lexical = lexical_all[candidates]
        weighted = _weighted(self._config, dense, lexical)
        fused = _rrf(self._config, dense, lexical) if self._config.fusion == "rrf" else weighted
        best = self._per_article(part, candidates, fused, weighted)
        hits: list[ArticleHit] = []
        for article_id, (_, score, i) in sorted(best.items(), key=lambda kv: -kv[1][0])[:top_k]:
            chunk = part.chunks[int(candidates[i])]
            hits.append(
                ArticleHit(
                    article_id=article_id,
                    title=chunk.title,
                    url=chunk.url,
                    lang=lang,
                    score=score,
                    dense=float(dense[i]),
                    lexical=float(lexical[i]),
                    chunk=self._quotable(part, chunk, candidates, fused),
                )
            )
        return SearchResult(query, lang, tuple(hits), self._decide(hits), fell_back)

    def _per_article(
        self, part: LanguageIndex, candidates: np.ndarray, fused: np.ndarray, weighted: np.ndarray
    ) -> dict[str, tuple[float, float, int]]:
        """Article -> (rank score, decision score, row of its best chunk): the best chunk's
        scores plus `chunk_bonus` times the second best chunk's (when above zero)."""
        rows: dict[str, list[int]] = {}
        for i in np.argsort(-fused):
            rows.setdefault(part.chunks[int(candidates[i])].article_id, []).append(int(i))
        bonus = self._config.chunk_bonus
        best: dict[str, tuple[float, float, int]] = {}
        for article_id, ranked in rows.items():
            first = ranked[0]
            rank_score, decision_score = float(fused[first]), float(weighted[first])
            if bonus and len(ranked) > 1:
                rank_score += bonus * max(float(fused[ranked[1]]), 0.0)
                decision_score += bonus * max(float(weighted[ranked[1]]), 0.0)
            best[article_id] = (rank_score, decision_score, first)
        return best

    def article_hit(self, article_id: str, query: str) -> ArticleHit | None:
        """The article's best content chunk for `query` (its intro when the query is empty)."""
        for lang, part in self._index.languages.items():
            rows = [
                i
                for i, c in enumerate(part.chunks)
                if c.article_id == article_id and c.kind == "content"
            ]
            if not rows:
                continue
            best = rows[0]
            score = 0.0
            if query.strip():
                vector = self._embedder.embed([query[-self._config.max_query_chars :]])[0]
                similarities = part.vectors[rows] @ vector
                best = rows[int(np.argmax(similarities))]
                score = float(np.max(similarities))
            chunk = part.chunks[best]
            return ArticleHit(
                article_id=article_id,
                title=chunk.title,
                url=chunk.url,
                lang=lang,
                score=score,
                dense=score,
                lexical=0.0,
                chunk=chunk,
            )
        return None

    @staticmethod
    def _quotable(
        part: LanguageIndex, chunk: Chunk, candidates: np.ndarray, fused: np.ndarray
    ) -> Chunk:
        """The example-questions chunk says nothing: quote the article's best content chunk."""
        if chunk.kind == "content":
            return chunk
        ranked = [part.chunks[int(candidates[i])] for i in np.argsort(-fused)]
        same = [c for c in ranked if c.article_id == chunk.article_id and c.kind == "content"]
        if same:
            return same[0]
        return next(
            c for c in part.chunks if c.article_id == chunk.article_id and c.kind == "content"
        )

    def _decide(self, hits: Sequence[ArticleHit]) -> Decision:
        threshold = self._config.answer_threshold
        if not hits or hits[0].score < threshold:
            return "no_answer"
        if (
            len(hits) > 1
            and hits[1].score >= threshold
            and (hits[0].score - hits[1].score < self._config.choice_margin)
        ):
            return "choices"
        return "answer"
