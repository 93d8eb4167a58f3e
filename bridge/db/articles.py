"""SQL for knowledge-base articles and their revisions: keyword-only functions; callers own
the transaction.

Every change names the `version` it was made from and is one conditional UPDATE, so of two
writers saving the same article at once exactly one wins and the other is told (None).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import KbArticle, KbRevision, utcnow


@dataclass(frozen=True)
class Published:
    """A change of the published text: the article's new version and its revision number."""

    version: int
    revision: int


async def generation(*, session: AsyncSession) -> int:
    """The newest revision id: it changes whenever what is published changes."""
    return int((await session.execute(select(func.max(KbRevision.id)))).scalar_one() or 0)


async def count(*, session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(KbArticle))).scalar_one())


async def published_texts(*, session: AsyncSession) -> list[tuple[str, str, str]]:
    """(id, language, Markdown) of every published article."""
    rows = await session.execute(
        select(KbArticle.id, KbArticle.lang, KbArticle.published_text)
        .where(KbArticle.state == "published")
        .order_by(KbArticle.id)
    )
    return [(row.id, row.lang, row.published_text or "") for row in rows]


@dataclass(frozen=True)
class ArticleState:
    """An article's row without its texts: what the studio's list needs of every article."""

    id: str
    lang: str
    state: str
    version: int
    has_draft: bool
    updated_at: datetime
    updated_by: str | None


async def states(*, session: AsyncSession) -> list[ArticleState]:
    rows = await session.execute(
        select(
            KbArticle.id,
            KbArticle.lang,
            KbArticle.state,
            KbArticle.version,
            KbArticle.draft_text.is_not(None).label("has_draft"),
            KbArticle.updated_at,
            KbArticle.updated_by,
        ).order_by(KbArticle.id)
    )
    return [ArticleState(*row) for row in rows]


async def listed_texts(*, session: AsyncSession, ids: Sequence[str]) -> dict[str, str]:
    """The text the studio lists each article by: the published one, else the draft."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        rows = await session.execute(
            select(KbArticle.id, KbArticle.published_text, KbArticle.draft_text).where(
                KbArticle.id.in_(ids[start : start + 500])
            )
        )
        found.update((row.id, row.published_text or row.draft_text or "") for row in rows)
    return found


async def get(*, session: AsyncSession, article_id: str) -> KbArticle | None:
    return await session.get(KbArticle, article_id, populate_existing=True)


async def insert(
    *,
    session: AsyncSession,
    article_id: str,
    language: str,
    text: str,
    author: str,
    published: bool,
    action: str = "seed",
) -> None:
    """A new article: published (with its first revision) or a draft; the caller checks
    that the id is free (the primary key refuses a second one anyway)."""
    now = utcnow()
    session.add(
        KbArticle(
            id=article_id,
            lang=language,
            state="published" if published else "draft",
            version=1,
            published_text=text if published else None,
            published_revision=1 if published else None,
            draft_text=None if published else text,
            updated_at=now,
            updated_by=author,
        )
    )
    if published:
        await session.flush()  # the revision's foreign key needs the article row first
        session.add(
            KbRevision(
                article_id=article_id,
                number=1,
                action=action,
                text=text,
                author=author,
                created_at=now,
            )
        )


async def save_draft(
    *, session: AsyncSession, article_id: str, version: int, text: str | None, author: str
) -> int | None:
    """Keep `text` as the unpublished draft (None drops the draft); the new version, or None
    when the article is not at `version` any more."""
    result = await session.execute(
        update(KbArticle)
        .where(KbArticle.id == article_id, KbArticle.version == version)
        .values(draft_text=text, version=version + 1, updated_at=utcnow(), updated_by=author)
    )
    return version + 1 if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def _next_revision(*, session: AsyncSession, article_id: str) -> int:
    found = await session.execute(
        select(func.max(KbRevision.number)).where(KbRevision.article_id == article_id)
    )
    return int(found.scalar_one() or 0) + 1


async def publish(
    *,
    session: AsyncSession,
    article_id: str,
    version: int,
    text: str,
    author: str,
    action: str,
    state: str = "published",
    keep_draft: bool = False,
    restored_from: int | None = None,
) -> Published | None:
    """Make `text` what is served (or, with state archived, what is kept out of sight), with
    a revision; the draft is dropped unless `keep_draft`. None: not at `version` any more."""
    now = utcnow()
    values: dict[str, object] = {
        "published_text": text,
        "state": state,
        "version": version + 1,
        "updated_at": now,
        "updated_by": author,
    }
    if not keep_draft:
        values["draft_text"] = None
    result = await session.execute(
        update(KbArticle)
        .where(KbArticle.id == article_id, KbArticle.version == version)
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    number = await _next_revision(session=session, article_id=article_id)
    session.add(
        KbRevision(
            article_id=article_id,
            number=number,
            action=action,
            text=text,
            author=author,
            restored_from=restored_from,
            created_at=now,
        )
    )
    await session.execute(
        update(KbArticle).where(KbArticle.id == article_id).values(published_revision=number)
    )
    return Published(version=version + 1, revision=number)


@dataclass(frozen=True)
class RevisionRow:
    number: int
    action: str
    author: str
    created_at: datetime
    restored_from: int | None
    text: str


async def revisions(*, session: AsyncSession, article_id: str) -> list[RevisionRow]:
    """The article's revisions, newest first."""
    rows = await session.scalars(
        select(KbRevision)
        .where(KbRevision.article_id == article_id)
        .order_by(KbRevision.number.desc())
    )
    return [
        RevisionRow(r.number, r.action, r.author, r.created_at, r.restored_from, r.text)
        for r in rows
    ]


async def revision(*, session: AsyncSession, article_id: str, number: int) -> RevisionRow | None:
    row = await session.scalar(
        select(KbRevision).where(KbRevision.article_id == article_id, KbRevision.number == number)
    )
    if row is None:
        return None
    return RevisionRow(
        row.number, row.action, row.author, row.created_at, row.restored_from, row.text
    )
