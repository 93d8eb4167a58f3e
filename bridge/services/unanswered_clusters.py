"""Unanswered questions grouped by meaning: the content writers' to-do list.

The questions of a period are embedded with the knowledge base's model and grouped per
language by leader clustering: each question joins the group whose centroid is most similar
(cosine at least `similarity`), or starts a new one. Deterministic, one pass, and enough for
the few thousand questions of a period; groups are listed biggest first with their newest
distinct examples. Languages are grouped apart because the English-trained model finds all
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


@dataclass
class QuestionGroup:
    language: str
    count: int
    examples: list[str]  # newest distinct questions first
    last_asked: datetime
    best_article_id: str | None  # what the search came closest to, most often


def leader_clusters(vectors: np.ndarray, similarity: float) -> list[list[int]]:
    """Row indices grouped: each row joins the most similar group centroid >= `similarity`."""
    if not 0 < similarity <= 1:
        raise ValueError("similarity must be in (0, 1]")
    groups: list[list[int]] = []
    sums: list[np.ndarray] = []
    for row, vector in enumerate(vectors):
        best, best_score = -1, similarity
        for index, total in enumerate(sums):
            centroid = total / max(float(np.linalg.norm(total)), 1e-12)
            score = float(centroid @ vector)
            if score >= best_score:
                best, best_score = index, score
        if best < 0:
            groups.append([row])
            sums.append(vector.astype(np.float64).copy())
        else:
            groups[best].append(row)
            sums[best] += vector
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


async def unanswered_groups(
    *,
    session: AsyncSession,
    period: Period,
    language: str | None,
    embedder: Embedder,
    similarity: float = 0.7,
) -> list[QuestionGroup]:
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
    groups: list[QuestionGroup] = []
    for lang in sorted({row.language for row in rows}):
        mine = [row for row in rows if row.language == lang]
        # Embedding is CPU work: off the event loop.
        vectors = await asyncio.to_thread(embedder.embed, [row.question for row in mine])
        for members in leader_clusters(vectors, similarity):
            groups.append(_group(lang, [mine[i] for i in sorted(members)]))
    return sorted(groups, key=lambda g: (-g.count, g.language, g.examples[0].casefold()))
