"""Retrieval evaluation on generic inputs, so any FAQ set can be scored.

- KB CSV: `id,title,text` (an id may repeat: several texts for one entry; optional `lang`).
- Queries CSV: `query,gold_id` (empty gold_id: must not be answered; optional `lang` and
  `context`, the customer's previous message for follow-ups).
"""

import csv
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from knowledge_base.articles import Article
from knowledge_base.chunking import Chunk
from knowledge_base.search import HybridSearcher, SearchConfig, SearchResult


@dataclass(frozen=True)
class Query:
    text: str
    gold_id: str | None
    lang: str = "en"
    context: str = ""


@dataclass(frozen=True)
class Scores:
    recall_at_1: float
    recall_at_3: float
    mrr_at_10: float
    no_answer_precision: float
    no_answer_recall: float
    no_answer_f1: float
    answered_correctly: float  # answerable queries whose decision was to answer, right article
    p50_ms: float
    p95_ms: float
    queries: int


ROW_SEPARATOR = "\n\u241e\n"  # joins a CSV entry's texts in its article body


def read_kb_csv(path: Path) -> list[Article]:
    """Rows grouped by id into one article each; `csv_chunks` gives one chunk per row."""
    texts: dict[str, list[str]] = {}
    meta: dict[str, tuple[str, str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            entry_id, title, text = (row.get(k, "") or "" for k in ("id", "title", "text"))
            if not entry_id.strip() or not text.strip():
                raise ValueError(f"{path}:{number}: id and text must not be empty")
            texts.setdefault(entry_id, []).append(text.strip())
            meta.setdefault(entry_id, (title.strip() or entry_id, (row.get("lang") or "en")))
    return [
        Article(
            id=entry_id,
            title=meta[entry_id][0],
            lang=meta[entry_id][1],
            tags=(),
            url=f"/kb/{entry_id}",
            updated=date(2026, 1, 1),
            questions=(),
            body=ROW_SEPARATOR.join(parts),
            path=path,
            body_line=1,
            content_hash=str(hash((entry_id, tuple(parts)))),
        )
        for entry_id, parts in texts.items()
    ]


def csv_chunks(article: Article) -> list[Chunk]:
    return [
        Chunk(
            chunk_id=f"{article.id}#{n}",
            article_id=article.id,
            title=article.title,
            url=article.url,
            lang=article.lang,
            heading_path=(),
            text=text,
        )
        for n, text in enumerate(article.body.split(ROW_SEPARATOR))
    ]


def read_queries(path: Path) -> list[Query]:
    queries = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            text = (row.get("query") or "").strip()
            if not text:
                raise ValueError(f"{path}:{number}: empty query")
            queries.append(
                Query(
                    text=text,
                    gold_id=(row.get("gold_id") or "").strip() or None,
                    lang=(row.get("lang") or "en").strip() or "en",
                    context=(row.get("context") or "").strip(),
                )
            )
    return queries


def run_queries(
    searcher: HybridSearcher, queries: Sequence[Query], *, top_k: int = 10
) -> list[tuple[Query, SearchResult, float]]:
    runs = []
    for query in queries:
        started = time.perf_counter()
        result = searcher.search(
            query.text,
            language=query.lang,
            top_k=top_k,
            context=[query.context] if query.context else (),
        )
        runs.append((query, result, (time.perf_counter() - started) * 1000))
    return runs


def _percentile(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else (values[0] if values else 0.0)
    )


def score(
    runs: Iterable[tuple[Query, SearchResult, float]],
    *,
    decide: Callable[[SearchResult], bool] | None = None,
) -> Scores:
    """`decide(result)` says whether the bot answers; by default the searcher's decision."""
    answers = decide or (lambda result: result.decision != "no_answer")
    runs = list(runs)
    ranked = [(q, r) for q, r, _ in runs if q.gold_id]
    positions = []
    for query, result in ranked:
        ids = [hit.article_id for hit in result.hits]
        positions.append(ids.index(query.gold_id) + 1 if query.gold_id in ids else None)
    n = max(len(ranked), 1)
    recall_1 = sum(1 for p in positions if p == 1) / n
    recall_3 = sum(1 for p in positions if p is not None and p <= 3) / n
    mrr = sum(1 / p for p in positions if p is not None and p <= 10) / n
    predicted_none = [not answers(r) for _, r, _ in runs]
    truly_none = [q.gold_id is None for q, _, _ in runs]
    true_pos = sum(p and t for p, t in zip(predicted_none, truly_none, strict=True))
    precision = true_pos / max(sum(predicted_none), 1)
    recall = true_pos / max(sum(truly_none), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    correct = sum(1 for (q, r), p in zip(ranked, positions, strict=True) if p == 1 and answers(r))
    latencies = [ms for _, _, ms in runs]
    return Scores(
        recall_at_1=recall_1,
        recall_at_3=recall_3,
        mrr_at_10=mrr,
        no_answer_precision=precision,
        no_answer_recall=recall,
        no_answer_f1=f1,
        answered_correctly=correct / n,
        p50_ms=_percentile(latencies, 50),
        p95_ms=_percentile(latencies, 95),
        queries=len(runs),
    )


def legs(config: SearchConfig) -> dict[str, SearchConfig]:
    """The dense leg alone, the lexical leg alone, and the configured fusion."""
    return {
        "dense": replace(config, fusion="weighted", dense_weight=1.0, lexical_weight=0.0),
        "lexical": replace(config, fusion="weighted", dense_weight=0.0, lexical_weight=1.0),
        "fused": config,
    }


def answers_above(threshold: float) -> Callable[[SearchResult], bool]:
    def answers(result: SearchResult) -> bool:
        return result.top_score >= threshold

    return answers


def best_threshold(runs: Sequence[tuple[Query, SearchResult, float]]) -> tuple[float, Scores]:
    """The answer threshold that maximises no-answer F1 plus correct answers on these runs."""
    best: tuple[float, float, Scores] | None = None
    for step in range(10, 91):
        threshold = step / 100
        scores = score(runs, decide=answers_above(threshold))
        objective = scores.no_answer_f1 + scores.answered_correctly
        if best is None or objective > best[0]:
            best = (objective, threshold, scores)
    assert best is not None
    return best[1], best[2]
