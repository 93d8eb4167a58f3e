"""Hybrid search: dense (FAISS, cosine) and lexical (BM25) legs fused, then a decision.

The fused score of a chunk is `w_dense * cosine + w_lexical * bm25 / (bm25 + saturation)`:
both terms live in [0, 1], so one calibrated threshold works across queries (reciprocal rank
fusion is available for ranking, but its scores say nothing about how good a match is, so the
decision still uses the weighted score). Chunks are grouped per article: an article scores with
its best chunk plus `chunk_bonus` times its second best, so an article that matches in two
places (its question and its answer, a heading and a paragraph) beats one lucky chunk. The
customer's language is searched first and the other one only when nothing good matches.

Each language has its own model and its own calibration (answer threshold and "did you mean"
margin): a multilingual model's cosines live in another range than an English one's. The
dense leg embeds the question as the articles would spell it (accents restored, one-letter
typos fixed, see lexicon.py); the lexical leg matches restored, stemmed terms.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import faiss
import numpy as np

from knowledge_base.chunking import Chunk
from knowledge_base.embedding import Embedder
from knowledge_base.index_store import LanguageIndex, LoadedIndex, VectorSet

Decision = Literal["answer", "choices", "no_answer"]
_RRF_K = 60
_WORD = re.compile(r"[^\W_]", re.UNICODE)


@dataclass(frozen=True)
class Calibration:
    """One language's decision. The confidence in the best article is its score plus
    `margin_weight` times its lead over the second (a clear winner is surer than a close
    one); below `answer_threshold` there is no answer, and when the second article also
    reaches the threshold and trails by less than `choice_margin`, "Did you mean" offers
    both. When the dense and the lexical leg each put the same article first, two
    independent judges agree: it is answered from the (lower) `agreed_threshold` on,
    without choices."""

    answer_threshold: float
    choice_margin: float
    agreed_threshold: float | None = None  # None: no different treatment
    margin_weight: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.answer_threshold <= 2 or not 0 <= self.choice_margin <= 1:
            raise ValueError("answer_threshold must be in [0, 2], choice_margin in [0, 1]")
        if self.agreed_threshold is not None and not (
            0 <= self.agreed_threshold <= self.answer_threshold
        ):
            raise ValueError("agreed_threshold must be in [0, answer_threshold]")
        if not 0 <= self.margin_weight <= 10:
            raise ValueError("margin_weight must be in [0, 10]")

    def confidence(self, hits: Sequence["ArticleHit"]) -> float:
        if not hits:
            return float("-inf")
        lead = hits[0].score - hits[1].score if len(hits) > 1 else 0.0
        return hits[0].score + self.margin_weight * max(lead, 0.0)


@dataclass(frozen=True)
class SearchConfig:
    fusion: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = 0.6
    lexical_weight: float = 0.4
    lexical_saturation: float = 6.0
    answer_threshold: float = 0.33  # for a language without a calibration of its own
    choice_margin: float = 0.03
    candidates: int = 50
    max_query_chars: int = 1000
    chunk_bonus: float = 0.5
    context_weight: float = 0.7  # how much the previous message counts (see `search`)
    calibration: Mapping[str, Calibration] = field(default_factory=dict)

    def decision(self, language: str) -> Calibration:
        return self.calibration.get(
            language, Calibration(self.answer_threshold, self.choice_margin)
        )

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
        if not 0 <= self.context_weight <= 1:
            raise ValueError("context_weight must be in [0, 1]")


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
    legs_agree: bool = False  # the dense and the lexical leg alone rank hits[0] first too

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
    def __init__(
        self, *, index: LoadedIndex, embedders: Mapping[str, Embedder], config: SearchConfig
    ) -> None:
        # One query at a time: starting OpenMP threads costs more than scanning the vectors,
        # and with the embedder busy on the same cores their spin-waits tripled the search time.
        faiss.omp_set_num_threads(1)
        self._index = index
        self._embedders = embedders
        self._config = config

    @property
    def index(self) -> LoadedIndex:
        return self._index

    @property
    def config(self) -> SearchConfig:
        return self._config

    def search(
        self,
        query: str,
        *,
        language: str,
        top_k: int = 5,
        context: Sequence[str] = (),
        allow_fallback: bool = True,
    ) -> SearchResult:
        """Best articles for `query`, with the customer's earlier messages as `context`.

        A follow-up ("and to a parcel locker?") needs its context; a new question must not be
        pulled back to the old topic. So the question leads and the context adds a share
        (`context_weight`): the dense vector is the question's plus a share of the question
        read with its context, the BM25 scores the question's plus a share of the context's.
        (Reading question and context as one text, the earlier way, put the right article
        first for fewer than 3 in 10 questions asked after an unrelated one.)
        """
        if top_k <= 0:
            raise ValueError("top_k must be positive")
        limit = self._config.max_query_chars
        query = query[-limit:]
        earlier = " ".join(context).strip()[-limit:]
        if not _WORD.search(query):  # emoji, punctuation, nothing: no question to answer
            return SearchResult(query, language, (), "no_answer", False)
        order = [language] + [lang for lang in sorted(self._index.languages) if lang != language]
        vectors: dict[int, np.ndarray] = {}  # one embedding per model, whatever it searches
        first: SearchResult | None = None
        for position, lang in enumerate(order):
            if lang not in self._index.languages:
                continue
            result = self._search_language(query, earlier, lang, language, top_k, vectors)
            result = replace(result, fell_back=position > 0)
            if result.decision != "no_answer" or not allow_fallback:
                return result
            first = first or result
        return first or SearchResult(query, language, (), "no_answer", False)

    def dense_text(self, text: str, language: str) -> str:
        """`text` spelled the way the articles of `language` spell it (for the dense leg)."""
        part = self._index.languages.get(language)
        return part.lexicon.restore(text) if part is not None else text

    def _query_vector(
        self,
        query: str,
        earlier: str,
        query_language: str,
        part_language: str,
        cache: dict[int, np.ndarray],
    ) -> tuple[np.ndarray, VectorSet, str]:
        """The question's vector, the chunk vectors to compare it with, and the language whose
        model made both: the articles' own model, or for another language's question that
        language's model where the index has the articles embedded by it too (cross-language
        search). Scores are calibrated per model, so that language's calibration decides."""
        part = self._index.languages[part_language]
        model_language = part_language
        if query_language != part_language and query_language in part.cross:
            model_language = query_language
        embedder = self._embedders[model_language]
        vector_set = part.cross[model_language] if model_language != part_language else part.own
        if id(embedder) not in cache:
            texts = [self.dense_text(query, query_language)]
            if earlier:
                texts.append(self.dense_text(f"{earlier} {query}", query_language))
            vectors = embedder.embed_queries(texts)
            vector = vectors[0]
            if earlier:
                vector = vector + self._config.context_weight * vectors[1]
                vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
            cache[id(embedder)] = vector
        return cache[id(embedder)], vector_set, model_language

    def _search_language(
        self,
        query: str,
        earlier: str,
        lang: str,
        query_language: str,
        top_k: int,
        cache: dict[int, np.ndarray],
    ) -> SearchResult:
        part: LanguageIndex = self._index.languages[lang]
        size = len(part.chunks)
        count = min(self._config.candidates, size)
        vector, vector_set, model_language = self._query_vector(
            query, earlier, query_language, lang, cache
        )
        _, ids = vector_set.dense.search(vector.reshape(1, -1), count)
        lexical_all = self._bm25(part, query)
        if earlier:
            lexical_all += self._config.context_weight * self._bm25(part, earlier)
        order = np.argsort(-lexical_all)[:count]
        lexical_top = order[lexical_all[order] > 0]
        candidates = np.unique(np.concatenate([ids[0][ids[0] >= 0], lexical_top]))
        background = vector_set.background
        dense = (vector_set.vectors[candidates] @ vector - background) / (1.0 - background)
        lexical = lexical_all[candidates]
        weighted = _weighted(self._config, dense, lexical)
        fused = _rrf(self._config, dense, lexical) if self._config.fusion == "rrf" else weighted
        best = self._per_article(part, candidates, fused, weighted)
        agree = False
        if best and self._config.dense_weight > 0 and self._config.lexical_weight > 0:
            leaders = [
                max(self._per_article(part, candidates, leg, leg).items(), key=lambda kv: kv[1][0])[
                    0
                ]
                for leg in (dense, lexical)
            ]
            first = max(best.items(), key=lambda kv: kv[1][0])[0]
            agree = leaders == [first, first] and float(lexical.max()) > 0
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
        decision = decide(hits, self._config.decision(model_language), legs_agree=agree)
        return SearchResult(query, lang, tuple(hits), decision, False, agree)

    @staticmethod
    def _bm25(part: LanguageIndex, text: str) -> np.ndarray:
        terms = part.lexicon.terms(text, query=True)
        if not terms:  # only stop words ("why so", "mi az"): nothing for BM25 to match
            return np.zeros(len(part.chunks), dtype=np.float32)
        return np.asarray(part.lexical.get_scores(terms), dtype=np.float32)

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
                text = self.dense_text(query[-self._config.max_query_chars :], lang)
                vector = self._embedders[lang].embed_queries([text])[0]
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


def decide(
    hits: Sequence[ArticleHit], calibration: Calibration, *, legs_agree: bool = False
) -> Decision:
    """Answer with the best article, offer the closest ones, or say there is no answer."""
    agreed = legs_agree and calibration.agreed_threshold is not None
    threshold = calibration.answer_threshold
    if agreed and calibration.agreed_threshold is not None:
        threshold = calibration.agreed_threshold
    if not hits or calibration.confidence(hits) < threshold:
        return "no_answer"
    if agreed:
        return "answer"
    if (
        len(hits) > 1
        and hits[1].score >= calibration.answer_threshold
        and hits[0].score - hits[1].score < calibration.choice_margin
    ):
        return "choices"
    return "answer"
