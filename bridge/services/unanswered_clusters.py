"""Unanswered questions grouped by meaning: the content writers' to-do list.

The questions of a period are embedded with the knowledge base's model and grouped per
language by leader clustering: each question joins the group whose centroid is most similar
(cosine at least `similarity`), or starts a new one. Deterministic, one pass, and enough for
the few thousand questions of a period; groups are listed biggest first with their newest
distinct examples. A question is embedded once, by the first report that groups it, and its
vector kept with it. Languages are grouped apart because the English-trained model finds all
Hungarian text alike.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import UnansweredQuestion
from bridge.services.report_period import Period
from knowledge_base.embedding import Embedder

MAX_QUESTIONS = 5000  # newest first: a period's to-do list, not an archive
EXAMPLES = 3
BLOCK = 64  # questions scored against the groups at once


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
    session: AsyncSession, rows: Sequence[UnansweredQuestion], embedder: Embedder
) -> np.ndarray:
    """The rows' embeddings: the stored ones, and the missing ones embedded now and stored,
    so that a question is embedded once, not on every report (thousands take seconds)."""
    missing = [row for row in rows if row.embedding is None or row.embedding_model != embedder.name]
    if missing:
        # Embedding is CPU work: off the event loop.
        fresh = await asyncio.to_thread(embedder.embed, [row.question for row in missing])
        for row, vector in zip(missing, fresh, strict=True):
            row.embedding = np.asarray(vector, dtype=np.float32).tobytes()
            row.embedding_model = embedder.name
    vectors = np.stack([np.frombuffer(row.embedding or b"", dtype=np.float32) for row in rows])
    if missing:
        await session.commit()
    return vectors


async def unanswered_groups(
    *,
    session: AsyncSession,
    period: Period,
    language: str | None,
    embedder: Embedder,
    similarity: float = 0.7,
) -> list[QuestionGroup]:
    """The period's questions grouped. Stores the embeddings it had to compute (commits)."""
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
    vectors = await _vectors(session, rows, embedder)
    groups: list[QuestionGroup] = []
    for lang in sorted({row.language for row in rows}):
        mine = [index for index, row in enumerate(rows) if row.language == lang]
        for members in leader_clusters(vectors[mine], similarity):
            groups.append(_group(lang, [rows[mine[i]] for i in sorted(members)]))
    return sorted(groups, key=lambda g: (-g.count, g.language, g.examples[0].casefold()))
