"""The Markdown files and the article store: the seed a new install publishes, `supportbot kb
import` (changed files become revisions), and `supportbot kb export` (byte for byte)."""

import asyncio
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import articles as repo
from bridge.services.article_store import ArticleStore, article_path
from knowledge_base.articles import (
    Article,
    ArticleProblem,
    check_links,
    load_articles,
    read_articles,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportReport:
    added: list[str]
    changed: list[str]
    unchanged: int
    problems: list[ArticleProblem]


async def _insert_published(
    session: AsyncSession, article: Article, *, author: str, action: str
) -> None:
    await repo.insert(
        session=session,
        article_id=article.id,
        language=article.lang,
        text=article.text,
        author=author,
        published=True,
        action=action,
    )


async def seed(store: ArticleStore, directory: Path, *, author: str = "seed") -> int:
    """Publish the folder's valid articles when the database holds none (a new install); the
    number added. Two hosts seeding at once: one wins, the other adds nothing."""
    async with store.sessions() as session:
        if await repo.count(session=session):
            return 0
    if not await asyncio.to_thread(directory.is_dir):
        return 0
    articles, problems = await asyncio.to_thread(load_articles, directory)
    for problem in problems:
        log.warning("not seeded: %s", problem)
    try:
        async with store.sessions.begin() as session:
            for article in articles:
                await _insert_published(session, article, author=author, action="seed")
    except IntegrityError:
        return 0  # another process seeded first
    return len(articles)


async def import_files(store: ArticleStore, directory: Path, *, author: str) -> ImportReport:
    """Publish each valid file whose text differs from the published one (a revision, so the
    replaced text can be restored); files with problems change nothing."""
    files, problems = await asyncio.to_thread(read_articles, directory)
    # Links may point to published articles as well as to the folder's.
    _, published = await store.published()
    by_id = {a.id: a for a in published} | {a.id: a for a in files}
    _, broken = check_links(list(by_id.values()))
    imported = {a.path for a in files}
    problems += [p for p in broken if p.path in imported]
    left_out = {p.path for p in problems}
    added: list[str] = []
    changed: list[str] = []
    unchanged = 0
    async with store.sessions.begin() as session:
        for article in (a for a in files if a.path not in left_out):
            row = await repo.get(session=session, article_id=article.id)
            if row is None:
                await _insert_published(session, article, author=author, action="import")
                added.append(article.id)
            elif row.lang != article.lang:
                reason = f"{article.id!r} is a {row.lang} article already"
                problems.append(ArticleProblem(article.path, 1, reason))
            elif row.published_text == article.text and row.state == "published":
                unchanged += 1
            else:
                await repo.publish(
                    session=session,
                    article_id=article.id,
                    version=row.version,
                    text=article.text,
                    author=author,
                    action="import",
                    keep_draft=True,
                )
                changed.append(article.id)
    return ImportReport(added, changed, unchanged, problems)


async def export(store: ArticleStore, directory: Path) -> int:
    """Write every published article to `directory/<lang>/<id>.md`, byte for byte as stored
    (each file replaced atomically); the number written."""
    async with store.sessions() as session:
        rows = await repo.published_texts(session=session)
    await asyncio.to_thread(_write_files, directory, rows)
    return len(rows)


def _write_files(directory: Path, rows: Sequence[tuple[str, str, str]]) -> None:
    for article_id, language, text in rows:
        target = directory / article_path(language, article_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
        os.replace(temporary, target)
