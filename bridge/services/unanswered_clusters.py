"""Unanswered questions grouped by meaning: the content writers' to-do list.

The questions of a period are embedded as the knowledge base embeds them (each language with
its own model, accents restored) and grouped per language by leader clustering: each question
joins the group whose centroid is most similar (cosine at least the language's similarity), or
starts a new one. Deterministic, one pass, and enough for the few thousand questions of a
period; groups are listed biggest first with their newest distinct examples. A question is
embedded once, by the first report that groups it, and its vector kept with it (again after
its language's model changes). The similarity that joins a group is the model's: MiniLM's
cosines spread over [0, 1], e5's sit in a narrow band near 0.85 (docs/knowledge-base.md).
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import UnansweredQuestion
from bridge.services.report_period import Period

MAX_QUESTIONS = 5000  # newest first: a period's to-do list, not an archive
EXAMPLES = 3
BLOCK = 64  # questions scored against the groups at once


class QuestionVectors(Protocol):
    """Customers' questions embedded as the knowledge base embeds them (KnowledgeBase)."""

    def model_name(self, language: str) -> str: ...

    def embed_questions(self, texts: Sequence[str], language: str) -> np.ndarray: ...

    def group_similarity(self, language: str) -> float: ...


@dataclass
class QuestionGroup:
    language: str
    count: int
    examples: list[str]  # newest distinct questions first
    last_asked: datetime
    best_article_id: str | None  # what the search came closest to, most often


def _doubled(array: np.ndarray) -> np.ndarray:
    grown = np.zeros((max(16, 2 * len(array)), array.shape[1]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def leader_clusters(vectors: np.ndarray, similarity: float) -> list[list[int]]:
    """Row indices grouped: each row joins the most similar group centroid >= `similarity`
    (the later group on a tie)."""
    if not 0 < similarity <= 1:
        raise ValueError("similarity must be in (0, 1]")
    groups: list[list[int]] = []
    # Per group, in float64: the sum of its vectors and that sum normalised (the centroid).
    sums = np.zeros((0, vectors.shape[1]), dtype=np.float64)
    centroids = sums.copy()
    for start in range(0, len(vectors), BLOCK):
        block = np.asarray(vectors[start : start + BLOCK], dtype=np.float64)
        known = len(groups)
        # A period's questions make thousands of groups: the block is scored against the
        # centroids as they stand in one matrix product, and each row again against the few
        # groups the block has changed or started, whose centroids are also kept side by side
        # in `recent` (one product per row over all groups is slow, the more so when the
        # machine's cores are busy).
        before = block @ centroids[:known].T
        recent = np.empty_like(block)
        recent_ids: list[int] = []
        position: dict[int, int] = {}  # group -> its row in `recent`
        for offset, vector in enumerate(block):
            count = len(groups)
            best = -1
            if count:
                scores = np.empty(count)
                scores[:known] = before[offset]
                if recent_ids:
                    scores[recent_ids] = np.einsum("ij,j->i", recent[: len(recent_ids)], vector)
                best = count - 1 - int(np.argmax(scores[::-1]))
                if scores[best] < similarity:
                    best = -1
            if best < 0:
                best = count
                groups.append([start + offset])
                if count == len(sums):
                    sums, centroids = _doubled(sums), _doubled(centroids)
                sums[best] = vector
            else:
                groups[best].append(start + offset)
                sums[best] += vector
            centroids[best] = sums[best] / max(float(np.linalg.norm(sums[best])), 1e-12)
            if best not in position:
                position[best] = len(recent_ids)
                recent_ids.append(best)
            recent[position[best]] = centroids[best]
    return groups


def _group(language: str, rows: Sequence[UnansweredQuestion]) -> QuestionGroup:
    examples: list[str] = []
    for row in rows:  # newest first
        text = row.question.strip()
        if text.casefold() not in {e.casefold() for e in examples}:
            examples.append(text)
        if len(examples) == EXAMPLES:
            break
    articles: dict[str, int] = {}
    for row in rows:
        if row.best_article_id:
            articles[row.best_article_id] = articles.get(row.best_article_id, 0) + 1
    best = max(sorted(articles), key=lambda a: articles[a]) if articles else None
    return QuestionGroup(language, len(rows), examples, rows[0].created_at, best)


async def _vectors(
    session: AsyncSession, rows: Sequence[UnansweredQuestion], questions: QuestionVectors
) -> np.ndarray:
    """The rows' embeddings: the stored ones, and the missing ones embedded now and stored,
    so that a question is embedded once, not on every report (thousands take seconds)."""
    missing = [
        row
        for row in rows
        if row.embedding is None or row.embedding_model != questions.model_name(row.language)
    ]
    for language in sorted({row.language for row in missing}):
        mine = [row for row in missing if row.language == language]
        # Embedding is CPU work: off the event loop.
        fresh = await asyncio.to_thread(
            questions.embed_questions, [row.question for row in mine], language
        )
        for row, vector in zip(mine, fresh, strict=True):
            row.embedding = np.asarray(vector, dtype=np.float32).tobytes()
            row.embedding_model = questions.model_name(language)
    vectors = [np.frombuffer(row.embedding or b"", dtype=np.float32) for row in rows]
    if missing:
        await session.commit()
    return vectors_by_row(vectors)


def vectors_by_row(vectors: list[np.ndarray]) -> np.ndarray:
    """One row per question; languages may have models of different sizes, so rows are
    padded to the longest (a language is only ever compared with itself)."""
    width = max(len(v) for v in vectors)
    matrix = np.zeros((len(vectors), width), dtype=np.float32)
    for i, vector in enumerate(vectors):
        matrix[i, : len(vector)] = vector
    return matrix


async def unanswered_groups(
    *,
    session: AsyncSession,
    period: Period,
    language: str | None,
    questions: QuestionVectors,
    similarity: float | None = None,
) -> list[QuestionGroup]:
    """The period's questions grouped; `similarity` overrides every language's own.
    Stores the embeddings it had to compute (commits)."""
    query = select(UnansweredQuestion).where(
        UnansweredQuestion.created_at >= period.since, UnansweredQuestion.created_at < period.until
    )
    if language is not None:
        query = query.where(UnansweredQuestion.language == language)
    rows = list(
        await session.scalars(
            query.order_by(
                UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc()
            ).limit(MAX_QUESTIONS)
        )
    )
    if not rows:
        return []
    vectors = await _vectors(session, rows, questions)
    groups: list[QuestionGroup] = []
    for lang in sorted({row.language for row in rows}):
        mine = [index for index, row in enumerate(rows) if row.language == lang]
        joins = similarity if similarity is not None else questions.group_similarity(lang)
        for members in leader_clusters(vectors[mine], joins):
            groups.append(_group(lang, [rows[mine[i]] for i in sorted(members)]))
    return sorted(groups, key=lambda g: (-g.count, g.language, g.examples[0].casefold()))
