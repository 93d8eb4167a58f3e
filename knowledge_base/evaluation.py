"""Retrieval evaluation on generic inputs, so any FAQ set can be scored, per language.

- KB CSV: `id,title,text` (an id may repeat: several texts for one entry; optional `lang`).
- Questions CSV: `query` (or `question`), `gold_id` (or `gold_ids`, several joined by `|`;
  empty: must not be answered), optional `lang` and `context` (the customer's previous
  message, for follow-ups).

Each question ends one of four ways, as a customer would see it: the right article answered,
"Did you mean" choices that include a right one, a wrong article (answered, or choices without
a right one), or declined. Calibration picks, per language, the answer threshold and the
choice margin that answer most questions right while keeping wrong articles at most
`MAX_WRONG` and declining at least `MIN_DECLINED` of the out-of-scope ones.
"""

import csv
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np

from knowledge_base.articles import Article
from knowledge_base.chunking import Chunk
from knowledge_base.search import Calibration, HybridSearcher, SearchConfig, SearchResult, decide
from knowledge_base.text import LANGUAGES

Outcome = Literal["right", "choices", "wrong", "declined"]
MAX_WRONG = 0.05
MIN_DECLINED = 0.90


@dataclass(frozen=True)
class Query:
    text: str
    gold_ids: frozenset[str]  # empty: should be declined
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
    answered_correctly: float  # answerable queries answered with a right article
    choices_right: float  # answerable queries offered choices that include a right one
    wrong: float  # answerable queries answered (or offered choices) without a right article
    declined_in_scope: float  # answerable queries declined
    out_of_scope_declined: float
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
            text = (row.get("query") or row.get("question") or "").strip()
            if not text:
                raise ValueError(f"{path}:{number}: empty question")
            gold = row.get("gold_ids") if "gold_ids" in row else row.get("gold_id")
            lang = (row.get("lang") or "en").strip() or "en"
            if lang not in LANGUAGES:
                raise ValueError(f"{path}:{number}: unknown language {lang!r}")
            queries.append(
                Query(
                    text=text,
                    gold_ids=frozenset(g.strip() for g in (gold or "").split("|") if g.strip()),
                    lang=lang,
                    context=(row.get("context") or "").strip(),
                )
            )
    return queries


Run = tuple[Query, SearchResult, float]


def run_queries(
    searcher: HybridSearcher, queries: Sequence[Query], *, top_k: int = 10, fallback: bool = True
) -> list[Run]:
    """Every query searched as the bot searches it; without `fallback`, in its own language
    only (calibration judges each language's scores by themselves)."""
    runs = []
    for query in queries:
        started = time.perf_counter()
        result = searcher.search(
            query.text,
            language=query.lang,
            top_k=top_k,
            context=[query.context] if query.context else (),
            allow_fallback=fallback,
        )
        runs.append((query, result, (time.perf_counter() - started) * 1000))
    return runs


def _percentile(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else (values[0] if values else 0.0)
    )


def outcome(query: Query, result: SearchResult, decision: str | None = None) -> Outcome:
    """What the customer got, judged against the query's right articles."""
    decision = decision or result.decision
    if decision == "no_answer":
        return "declined"
    if decision == "answer":
        return "right" if result.hits[0].article_id in query.gold_ids else "wrong"
    offered = {hit.article_id for hit in result.hits[:3]}
    return "choices" if offered & query.gold_ids else "wrong"


def score(runs: Iterable[Run], *, decide_with: Calibration | None = None) -> Scores:
    """Ranking and decision figures; `decide_with` re-decides every result with another
    threshold and margin (calibration tries many without searching again)."""
    runs = list(runs)

    def decision(result: SearchResult) -> str:
        if decide_with is None:
            return result.decision
        return decide(result.hits, decide_with, legs_agree=result.legs_agree)

    ranked = [(q, r) for q, r, _ in runs if q.gold_ids]
    positions = []
    for query, result in ranked:
        ids = [hit.article_id for hit in result.hits]
        found = [i for i, article_id in enumerate(ids) if article_id in query.gold_ids]
        positions.append(found[0] + 1 if found else None)
    n = max(len(ranked), 1)
    outcomes = [outcome(q, r, decision(r)) for q, r in ranked]
    predicted_none = [decision(r) == "no_answer" for _, r, _ in runs]
    truly_none = [not q.gold_ids for q, _, _ in runs]
    true_pos = sum(p and t for p, t in zip(predicted_none, truly_none, strict=True))
    precision = true_pos / max(sum(predicted_none), 1)
    recall = true_pos / max(sum(truly_none), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    latencies = [ms for _, _, ms in runs]
    return Scores(
        recall_at_1=sum(1 for p in positions if p == 1) / n,
        recall_at_3=sum(1 for p in positions if p is not None and p <= 3) / n,
        mrr_at_10=sum(1 / p for p in positions if p is not None and p <= 10) / n,
        no_answer_precision=precision,
        no_answer_recall=recall,
        no_answer_f1=f1,
        answered_correctly=outcomes.count("right") / n,
        choices_right=outcomes.count("choices") / n,
        wrong=outcomes.count("wrong") / n,
        declined_in_scope=outcomes.count("declined") / n,
        out_of_scope_declined=recall if sum(truly_none) else 1.0,
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


def _objective_of(
    right: float, choices: float, wrong: float, outside_declined: float
) -> tuple[bool, float]:
    """Within the limits first; then most right answers, as a customer weighs them: a
    "Did you mean" with the right article counts half, a wrong article costs two, an
    article for an off-topic question half (a nuisance, not a wrong answer)."""
    feasible = bool(wrong <= MAX_WRONG and outside_declined >= MIN_DECLINED)
    return feasible, float(right + 0.5 * choices - 2 * wrong - 0.5 * (1 - outside_declined))


MARGIN_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def calibrate(runs: Sequence[Run]) -> tuple[Calibration, Scores]:
    """The decision that suits these runs best (see `_objective_of`): margin weight (one of
    MARGIN_WEIGHTS), answer threshold (0.05 … 1.50), agreed threshold (none, or up to 0.20
    lower) and choice margin (0 … 0.15)."""
    hits = [r.hits for _, r, _ in runs]
    gold = [q.gold_ids for q, _, _ in runs]
    top = np.array([h[0].score if h else -np.inf for h in hits])
    second = np.array([h[1].score if len(h) > 1 else -np.inf for h in hits])
    lead = np.where(np.isfinite(second), np.maximum(top - second, 0.0), 0.0)
    agree = np.array([r.legs_agree for _, r, _ in runs])
    in_scope = np.array([bool(g) for g in gold])
    top_right = np.array(
        [bool(h) and h[0].article_id in g for h, g in zip(hits, gold, strict=True)]
    )
    offered_right = np.array(
        [bool({hit.article_id for hit in h[:3]} & g) for h, g in zip(hits, gold, strict=True)]
    )
    n_in, n_out = max(int(in_scope.sum()), 1), int((~in_scope).sum())
    margins = np.arange(0, 16)[:, None] / 100  # one row per choice margin
    best: tuple[tuple[bool, float], Calibration] | None = None
    for weight in MARGIN_WEIGHTS:
        confidence = top + weight * lead
        for threshold_step in range(10, 301):
            threshold = threshold_step / 200
            for drop in [None, *range(0, 21, 2)]:
                agreed = agree & (drop is not None)
                floor = np.where(agreed, threshold - (drop or 0) / 100, threshold)
                declined = np.broadcast_to(confidence < floor, (len(margins), len(top)))
                close = (second >= threshold) & (top - second < margins) & ~agreed
                answered = ~declined & ~close
                choices = ~declined & close
                right = (answered & top_right & in_scope).sum(axis=1) / n_in
                chosen = (choices & offered_right & in_scope).sum(axis=1) / n_in
                wrong = (
                    (answered & ~top_right & in_scope) | (choices & ~offered_right & in_scope)
                ).sum(axis=1) / n_in
                outside = (
                    (declined & ~in_scope).sum(axis=1) / n_out if n_out else np.ones(len(margins))
                )
                for row in range(len(margins)):
                    objective = _objective_of(right[row], chosen[row], wrong[row], outside[row])
                    if best is None or objective > best[0]:
                        agreed_at = None if drop is None else max(threshold - drop / 100, 0.0)
                        best = (
                            objective,
                            Calibration(threshold, float(margins[row, 0]), agreed_at, weight),
                        )
    assert best is not None
    return best[1], score(runs, decide_with=best[1])


def by_language(runs: Sequence[Run]) -> dict[str, list[Run]]:
    grouped: dict[str, list[Run]] = {}
    for run in runs:
        grouped.setdefault(run[0].lang, []).append(run)
    return dict(sorted(grouped.items()))


def per_language(
    runs: Sequence[Run], measure: Callable[[list[Run]], Scores] = score
) -> dict[str, Scores]:
    return {language: measure(mine) for language, mine in by_language(runs).items()}
