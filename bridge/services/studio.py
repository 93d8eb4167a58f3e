"""The content writers' studio: each article with its translations side by side, what needs
work (a missing translation, a translation older than its source, an article not reviewed for
`KB_REVIEW_AFTER_DAYS`), how readers rated it over the last 30 days; and the gaps: the last
30 days' unanswered questions grouped by meaning, each question tried again against the
articles as they are now, so a group the new text answers leaves the to-do list."""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import feedback
from bridge.db.articles import ArticleState
from bridge.services.article_store import ArticleStore, article_path, parse_stored
from bridge.services.report_period import Period
from bridge.services.unanswered_clusters import QuestionGroup, unanswered_groups
from knowledge_base.article_text import read_fields
from knowledge_base.articles import Article, ArticleError
from knowledge_base.library import Library, build_library
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import LANGUAGES

FEEDBACK_DAYS = 30
Show = Literal["all", "needs_work", "missing", "outdated", "stale"]
State = Literal["any", "draft", "published", "archived", "changed"]


@dataclass(frozen=True)
class Version:
    article: Article
    stale: bool
    outdated: bool  # a translation older than its source
    helpful: int
    not_helpful: int
    copy: ArticleState | None = None  # its state, version and draft in the store

    @property
    def state(self) -> str:
        return self.copy.state if self.copy else "published"

    @property
    def has_draft(self) -> bool:
        return self.copy is not None and self.copy.has_draft

    @property
    def rate_pct(self) -> float | None:
        votes = self.helpful + self.not_helpful
        return round(100 * self.helpful / votes, 1) if votes else None


@dataclass(frozen=True)
class Family:
    """An article (the source) and its translations."""

    source: Article
    versions: dict[str, Version]
    missing: tuple[str, ...]  # languages without a version

    @property
    def key(self) -> str:
        return self.source.id

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for v in self.versions.values() for t in v.article.tags))

    def in_state(self, state: State) -> bool:
        if state == "any":
            return True
        if state == "changed":
            return any(v.has_draft for v in self.versions.values())
        return any(v.state == state for v in self.versions.values())

    def needs(self, show: Show) -> bool:
        missing = bool(self.missing)
        outdated = any(v.outdated for v in self.versions.values())
        stale = any(v.stale for v in self.versions.values())
        return {
            "all": True,
            "needs_work": missing or outdated or stale,
            "missing": missing,
            "outdated": outdated,
            "stale": stale,
        }[show]


def families(
    library: Library,
    votes: Mapping[str, tuple[int, int]],
    *,
    today: date,
    review_after_days: int,
    tag: str = "",
    show: Show = "all",
    state: State = "any",
    language: str = "",
    copies: Mapping[str, ArticleState] | None = None,
) -> list[Family]:
    """Every article family, sorted by the source article's title."""
    stale_before = today - timedelta(days=review_after_days)
    result: list[Family] = []
    for source_id in library.families:
        source = library.articles[source_id]
        members = library.versions_of(source_id)
        versions = {
            lang: Version(
                article=member,
                stale=member.updated < stale_before,
                outdated=member is not source and member.updated < source.updated,
                helpful=votes.get(member.id, (0, 0))[0],
                not_helpful=votes.get(member.id, (0, 0))[1],
                copy=(copies or {}).get(member.id),
            )
            for lang, member in members.items()
        }
        family = Family(
            source=source,
            versions=versions,
            # An archived translation is as good as none for readers.
            missing=tuple(
                lang
                for lang in LANGUAGES
                if lang not in versions or versions[lang].state == "archived"
            ),
        )
        wanted = (not tag or tag in family.tags) and (not language or language in family.versions)
        if wanted and family.needs(show) and family.in_state(state):
            result.append(family)
    return sorted(result, key=lambda f: f.source.title.casefold())


@dataclass(frozen=True)
class Overview:
    families: list[Family]
    tags: list[str]  # every tag in use, for the filter
    review_after_days: int


class Studio:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        articles: ArticleStore,
        review_after_days: int,
    ) -> None:
        self._sessions = sessions
        self._articles = articles
        self._review_after_days = review_after_days
        self._parsed: dict[str, tuple[int, Article]] = {}  # id -> (version, parsed)
        self._library: tuple[tuple[tuple[str, int], ...], Library] | None = None

    def _parse(self, listed: Sequence[tuple[ArticleState, str]]) -> Library:
        """Every listed article parsed, reusing the parse of an unchanged version (and the
        whole library while no article changed)."""
        key = tuple((state.id, state.version) for state, _text in listed)
        if self._library is not None and self._library[0] == key:
            return self._library[1]
        parsed = {
            state.id: self._parsed[state.id]
            if self._parsed.get(state.id, (0, None))[0] == state.version
            else (state.version, _listed_article(state, text))
            for state, text in listed
        }
        self._parsed = parsed
        library = build_library([article for _version, article in parsed.values()])
        self._library = (key, library)
        return library

    async def overview(
        self, *, tag: str = "", show: Show = "all", state: State = "any", language: str = ""
    ) -> Overview:
        listed = await self._articles.listed()
        copies = {state.id: state for state, _text in listed}
        library = await asyncio.to_thread(self._parse, listed)
        now = datetime.now(UTC)
        async with self._sessions() as session:
            votes = await feedback.votes_by_article(
                session=session, since=now - timedelta(days=FEEDBACK_DAYS)
            )
        return Overview(
            families=families(
                library,
                votes,
                today=now.date(),
                review_after_days=self._review_after_days,
                tag=tag,
                show=show,
                state=state,
                language=language,
                copies=copies,
            ),
            tags=sorted({t for a in library.articles.values() for t in a.tags}),
            review_after_days=self._review_after_days,
        )


def _listed_article(state: ArticleState, text: str) -> Article:
    """The article as the studio lists it; a draft that does not validate yet is listed by
    what can be read of it."""
    try:
        return parse_stored(state.id, state.lang, text)
    except ArticleError:
        fields = read_fields(text, article_id=state.id, language=state.lang)
        return Article(
            id=state.id,
            title=fields.title or state.id,
            lang=state.lang,
            tags=fields.tags,
            url=fields.url,
            updated=state.updated_at.date(),
            questions=fields.questions,
            body=fields.body,
            path=article_path(state.lang, state.id),
            body_line=1,
            content_hash="",
            translation_of=fields.translation_of,
            text=text,
        )


@dataclass(frozen=True)
class Retried:
    question: str
    article_id: str | None  # the article the bot answers it with now; None: still unanswered


@dataclass(frozen=True)
class Gap:
    group: QuestionGroup
    retried: list[Retried]

    @property
    def answered(self) -> bool:
        """Every example question is answered now: the group leaves the to-do list."""
        return all(r.article_id is not None for r in self.retried)


MAX_GAPS = 30  # the biggest groups: each costs a search per example question


async def gaps(
    sessions: async_sessionmaker[AsyncSession], knowledge_base: KnowledgeBase
) -> list[Gap]:
    """The last 30 days' unanswered questions, grouped (the MAX_GAPS biggest groups), each
    question tried again now."""
    today = datetime.now(UTC).date()
    period = Period(today - timedelta(days=FEEDBACK_DAYS - 1), today)
    async with sessions() as session:
        groups = await unanswered_groups(
            session=session, period=period, language=None, questions=knowledge_base
        )

    def retry(group: QuestionGroup) -> list[Retried]:
        tried = []
        for question in group.examples:
            result = knowledge_base.search(question, language=group.language, top_k=1)
            answered = result.decision == "answer" and result.hits and not result.fell_back
            tried.append(Retried(question, result.hits[0].article_id if answered else None))
        return tried

    return [Gap(group, await asyncio.to_thread(retry, group)) for group in groups[:MAX_GAPS]]
