"""Knowledge-base articles kept in the database: what is published (the bot, the help center
and the sitemap serve only that), writers' drafts, and a revision for every change of what is
published. The database is shared by every host, so a publish anywhere reaches every host's
index (index_sync.py); the Markdown files in `KB_ARTICLES_DIR` are the seed and the export
format (article_files.py).

Every change names the version it was made from; a change made from an older version is
refused with both texts (EditConflict), never written over the other writer's.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import articles as repo
from bridge.db.models import KbArticle
from knowledge_base.article_text import ArticleFields, compose, read_fields
from knowledge_base.articles import (
    ID_PATTERN,
    MAX_FILE_BYTES,
    Article,
    ArticleError,
    ArticleProblem,
    check_links,
    parse_article_bytes,
)
from knowledge_base.library import Library, build_library

log = logging.getLogger(__name__)


def article_path(language: str, article_id: str) -> Path:
    """Where the article is exported, and the name its problems carry."""
    return Path(language) / f"{article_id}.md"


def parse_stored(article_id: str, language: str, text: str) -> Article:
    """A stored text as an Article; raises ArticleError."""
    return parse_article_bytes(text.encode("utf-8"), article_path(language, article_id))


class ArticleNotFound(LookupError):
    def __init__(self, article_id: str) -> None:
        super().__init__(f"no article {article_id!r}")


class ArticleExists(Exception):
    def __init__(self, article_id: str) -> None:
        super().__init__(f"an article {article_id!r} exists already: choose another URL slug")


class ArticleInvalid(Exception):
    """The text cannot be published (or saved): each problem with its line and reason."""

    def __init__(self, problems: Sequence[ArticleProblem]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = list(problems)


class NotAllowed(Exception):
    """A change the state of the articles does not allow; the message says why."""


@dataclass(frozen=True)
class WorkingCopy:
    """An article as the studio shows it: its state, version, published text and draft."""

    id: str
    lang: str
    state: str  # draft | published | archived
    version: int
    published_text: str | None
    published_revision: int | None
    draft_text: str | None
    updated_at: datetime
    updated_by: str | None

    @property
    def text(self) -> str:
        """What the writer works on: the draft, else the published text."""
        return self.draft_text or self.published_text or ""

    @property
    def has_draft(self) -> bool:
        return self.draft_text is not None

    def fields(self) -> ArticleFields:
        return read_fields(self.text, article_id=self.id, language=self.lang)


class EditConflict(Exception):
    """Someone else changed the article since the writer opened it."""

    def __init__(self, current: WorkingCopy) -> None:
        super().__init__(
            f"{current.updated_by or 'someone'} changed {current.id!r} since you opened it "
            f"(now version {current.version})"
        )
        self.current = current


def _copy(row: KbArticle) -> WorkingCopy:
    return WorkingCopy(
        id=row.id,
        lang=row.lang,
        state=row.state,
        version=row.version,
        published_text=row.published_text,
        published_revision=row.published_revision,
        draft_text=row.draft_text,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class ArticleStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, today: Callable[[], date] | None = None
    ) -> None:
        self._sessions = sessions
        self._today = today or utc_today
        self._cache_lock = asyncio.Lock()
        self._cached: tuple[int, list[Article], Library] | None = None
        self._texts: dict[str, tuple[int, str]] = {}  # id -> (version, listed text)

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """The database, for the file commands (article_files.py) to write in one transaction."""
        return self._sessions

    # --- what is published ---------------------------------------------------------------

    async def generation(self) -> int:
        async with self._sessions() as session:
            return await repo.generation(session=session)

    async def published(self) -> tuple[int, list[Article]]:
        """The published set's generation and its articles (cached until it changes)."""
        generation, articles, _ = await self._current()
        return generation, articles

    async def library(self) -> Library:
        """The published articles as readers browse them."""
        return (await self._current())[2]

    async def _current(self) -> tuple[int, list[Article], Library]:
        async with self._cache_lock:
            async with self._sessions() as session:
                generation = await repo.generation(session=session)
                if self._cached is not None and self._cached[0] == generation:
                    return self._cached
                rows = await repo.published_texts(session=session)
            articles = await asyncio.to_thread(_parse_published, rows)
            library = build_library(articles)
            self._cached = (generation, articles, library)
            return self._cached

    # --- the studio -------------------------------------------------------------------------

    async def listed(self) -> list[tuple[repo.ArticleState, str]]:
        """Every article's state, and the text it is listed by (published, else the draft):
        only texts changed since the last call are read (a change always bumps the version)."""
        async with self._sessions() as session:
            states = await repo.states(session=session)
            stale = [s.id for s in states if self._texts.get(s.id, (0, ""))[0] != s.version]
            fresh = await repo.listed_texts(session=session, ids=stale) if stale else {}
        versions = {s.id: s.version for s in states}
        self._texts = {
            i: (versions[i], fresh[i]) if i in fresh else self._texts[i] for i in versions
        }
        return [(state, self._texts[state.id][1]) for state in states]

    async def open(self, article_id: str) -> WorkingCopy:
        async with self._sessions() as session:
            row = await repo.get(session=session, article_id=article_id)
            if row is None:
                raise ArticleNotFound(article_id)
            return _copy(row)

    def check(self, fields: ArticleFields) -> tuple[str, Article]:
        """The Markdown the fields make, and the article it is; raises ArticleInvalid."""
        text = compose(fields, updated=self._today())
        _refuse_too_big(fields, text)
        try:
            return text, parse_stored(fields.id, fields.lang, text)
        except ArticleError as exc:
            raise ArticleInvalid([exc.problem]) from exc

    async def links_check(self, article: Article) -> list[ArticleProblem]:
        """The problems `article` would have among the published ones (translation links,
        a url another article has)."""
        _, published = await self.published()
        others = [a for a in published if a.id != article.id]
        _, problems = check_links([*others, article])
        return [p for p in problems if p.path == article.path]

    async def create(self, fields: ArticleFields, *, author: str) -> WorkingCopy:
        """A new draft, finished or not (the editor lists its problems until it is publishable);
        raises ArticleExists, or ArticleInvalid for a bad slug or an article too big."""
        if not ID_PATTERN.fullmatch(fields.id):
            problem = "the URL slug may hold only a-z, 0-9 and '-', 1-80 characters"
            raise ArticleInvalid([ArticleProblem(article_path(fields.lang, "new"), 1, problem)])
        text = compose(fields, updated=self._today())
        _refuse_too_big(fields, text)
        try:
            async with self._sessions.begin() as session:
                if await repo.get(session=session, article_id=fields.id) is not None:
                    raise ArticleExists(fields.id)
                await repo.insert(
                    session=session,
                    article_id=fields.id,
                    language=fields.lang,
                    text=text,
                    author=author,
                    published=False,
                )
        except IntegrityError as exc:  # created by someone else in between
            raise ArticleExists(fields.id) from exc
        return await self.open(fields.id)

    def _same_article(self, current: WorkingCopy, fields: ArticleFields) -> ArticleFields:
        # The slug and language are the article's identity: links and translations use them.
        return replace(fields, id=current.id, lang=current.lang)

    async def save_draft(
        self, article_id: str, *, version: int, fields: ArticleFields, author: str
    ) -> WorkingCopy:
        """Keep the writer's text as the draft, valid or not yet (the editor shows its
        problems); raises EditConflict or ArticleNotFound."""
        current = await self.open(article_id)
        fields = self._same_article(current, fields)
        text = compose(fields, updated=self._today())
        _refuse_too_big(fields, text)
        async with self._sessions.begin() as session:
            saved = await repo.save_draft(
                session=session, article_id=article_id, version=version, text=text, author=author
            )
        if saved is None:
            raise EditConflict(await self.open(article_id))
        return await self.open(article_id)

    async def publish(
        self, article_id: str, *, version: int, fields: ArticleFields, author: str
    ) -> repo.Published:
        """Make the fields' text the published article; raises ArticleInvalid (nothing is
        written), EditConflict or ArticleNotFound."""
        current = await self.open(article_id)
        text, article = self.check(self._same_article(current, fields))
        problems = await self.links_check(article)
        if problems:
            raise ArticleInvalid(problems)
        return await self._publish(current, version, text, author, action="publish")

    async def _publish(
        self,
        current: WorkingCopy,
        version: int,
        text: str,
        author: str,
        *,
        action: str,
        state: str = "published",
        restored_from: int | None = None,
        keep_draft: bool = False,
    ) -> repo.Published:
        async with self._sessions.begin() as session:
            done = await repo.publish(
                session=session,
                article_id=current.id,
                version=version,
                text=text,
                author=author,
                action=action,
                state=state,
                restored_from=restored_from,
                keep_draft=keep_draft,
            )
        if done is None:
            raise EditConflict(await self.open(current.id))
        return done

    async def archive(self, article_id: str, *, version: int, author: str) -> repo.Published:
        """Take a published article out of the bot, the help center and the sitemap (its text
        and history are kept; publishing it again brings it back)."""
        current = await self.open(article_id)
        if current.state != "published" or current.published_text is None:
            raise NotAllowed(f"{article_id!r} is not published")
        _, published = await self.published()
        translations = sorted(a.id for a in published if a.translation_of == article_id)
        if translations:
            raise NotAllowed(
                f"{', '.join(translations)} translate {article_id!r}: archive "
                "them first, or link them to another article"
            )
        return await self._publish(
            current,
            version,
            current.published_text,
            author,
            action="archive",
            state="archived",
            keep_draft=True,
        )

    async def restore(
        self, article_id: str, number: int, *, version: int, author: str
    ) -> repo.Published:
        """Publish revision `number`'s text again, as a new revision (nothing is lost: the text
        it replaces stays in the history); raises ArticleInvalid when its links no longer
        hold among today's articles."""
        current = await self.open(article_id)
        old = await self.revision(article_id, number)
        article = parse_stored(current.id, current.lang, old.text)
        problems = await self.links_check(article)
        if problems:
            raise ArticleInvalid(problems)
        return await self._publish(
            current, version, old.text, author, action="restore", restored_from=number
        )

    async def add_questions(
        self, article_id: str, questions: Sequence[str], *, author: str
    ) -> tuple[WorkingCopy, repo.Published | None]:
        """Add customers' questions to the article's example questions (those it has are
        skipped). Published at once when the article has no draft (a new revision); otherwise
        added to the draft, for the writer to publish with the rest of it."""
        current = await self.open(article_id)
        fields = current.fields()
        have = {q.casefold() for q in fields.questions}
        added: list[str] = []
        for question in (" ".join(q.split()) for q in questions):
            if question and question.casefold() not in have:
                have.add(question.casefold())
                added.append(question)
        fields = replace(fields, questions=fields.questions + tuple(added))
        if current.has_draft or current.state != "published":
            return await self.save_draft(
                article_id, version=current.version, fields=fields, author=author
            ), None
        done = await self.publish(article_id, version=current.version, fields=fields, author=author)
        return await self.open(article_id), done

    async def revisions(self, article_id: str) -> list[repo.RevisionRow]:
        async with self._sessions() as session:
            return await repo.revisions(session=session, article_id=article_id)

    async def revision(self, article_id: str, number: int) -> repo.RevisionRow:
        async with self._sessions() as session:
            found = await repo.revision(session=session, article_id=article_id, number=number)
        if found is None:
            raise ArticleNotFound(f"{article_id} revision {number}")
        return found


def _refuse_too_big(fields: ArticleFields, text: str) -> None:
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        problem = f"the article is too big ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})"
        raise ArticleInvalid([ArticleProblem(article_path(fields.lang, fields.id), 1, problem)])


def _parse_published(rows: Sequence[tuple[str, str, str]]) -> list[Article]:
    articles = []
    for article_id, language, text in rows:
        try:
            articles.append(parse_stored(article_id, language, text))
        except ArticleError as exc:  # only a text stored by an older release could fail
            log.error("published article left out: %s", exc)
    valid, problems = check_links(articles)
    for problem in problems:
        log.error("published article left out: %s", problem)
    return valid


def utc_today() -> date:
    return datetime.now(UTC).date()
