"""The studio's article API (`/api/studio/...`, editors and admins, CSRF on every change):
create, save a draft, preview, publish, archive, restore a revision, add customers' questions,
and "test a question" against a draft. Every change names the version it was made from; an
older one gets 409 with the article as it is now, so the editor can show both texts.

A publish is indexed on this host before the answer (`indexed`), and reaches the other hosts'
bots through their own sync (index_sync.py).
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bridge.api.deps import ServicesDep
from bridge.api.params import ArticleIdPath, ArticleVersion, NoNul, RevisionNumber
from bridge.api.staff_deps import CsrfChecked, require_role
from bridge.schemas import Language
from bridge.services.article_store import (
    ArticleExists,
    ArticleInvalid,
    ArticleNotFound,
    EditConflict,
    NotAllowed,
    WorkingCopy,
)
from bridge.services.draft_trial import try_draft
from bridge.services.staff_auth import StaffMember
from bridge.web.markdown import render_article
from knowledge_base.article_text import ArticleFields
from knowledge_base.articles import ID_PATTERN, MAX_FILE_BYTES, ArticleProblem
from knowledge_base.index_store import KBIndexError
from knowledge_base.search import SearchResult

router = APIRouter(prefix="/api/studio", tags=["studio"])
Writer = Annotated[StaffMember, Depends(require_role("editor"))]
SLUG_RULE = "the URL slug may hold only a-z, 0-9 and '-' (no '/', '..' or spaces), 1-80 long"
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoNul]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), NoNul]


def _slug(value: str | None) -> str | None:
    if value is not None and not ID_PATTERN.fullmatch(value):
        raise ValueError(SLUG_RULE)
    return value


class ArticleIn(BaseModel):
    """The editor's form: front matter as fields, and the Markdown body."""

    model_config = ConfigDict(extra="forbid")

    # The validator explains the rule; the pattern tells API clients (and the fuzzer) it.
    id: str = Field(max_length=200, json_schema_extra={"pattern": f"^{ID_PATTERN.pattern}$"})
    lang: Language
    title: Annotated[str, NoNul] = Field("", max_length=300)
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    questions: list[Line] = Field(default_factory=list, max_length=200)
    translation_of: str | None = Field(None, max_length=200)
    body: Annotated[str, NoNul] = Field(
        "",
        max_length=MAX_FILE_BYTES,
        description=f"Markdown; the whole article may be at most {MAX_FILE_BYTES} bytes.",
    )

    _check_id = field_validator("id")(_slug)
    _check_source = field_validator("translation_of")(_slug)

    def fields(self) -> ArticleFields:
        return ArticleFields(
            id=self.id,
            title=" ".join(self.title.split()),
            lang=self.lang,
            tags=tuple(dict.fromkeys(self.tags)),
            questions=tuple(dict.fromkeys(" ".join(q.split()) for q in self.questions)),
            body=self.body,
            translation_of=self.translation_of or None,
        )


class Change(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: ArticleVersion
    article: ArticleIn


class VersionOnly(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: ArticleVersion


class QuestionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[Line] = Field(min_length=1, max_length=50)


class TrialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=1000)
    language: Language
    article: ArticleIn | None = None


def _problems(problems: list[ArticleProblem]) -> list[dict[str, Any]]:
    return [{"line": p.line, "reason": p.reason} for p in problems]


def _copy_json(copy: WorkingCopy) -> dict[str, Any]:
    fields = copy.fields()
    return {
        "id": copy.id,
        "lang": copy.lang,
        "state": copy.state,
        "version": copy.version,
        "has_draft": copy.has_draft,
        "published_revision": copy.published_revision,
        "updated_at": copy.updated_at.isoformat(),
        "updated_by": copy.updated_by,
        "text": copy.text,
        "fields": {
            "id": fields.id,
            "lang": fields.lang,
            "title": fields.title,
            "tags": list(fields.tags),
            "questions": list(fields.questions),
            "translation_of": fields.translation_of,
            "body": fields.body,
        },
    }


class Problem(BaseModel):
    line: int
    reason: str


class Problems(BaseModel):
    message: str
    problems: list[Problem]


class Invalid(BaseModel):
    """422: the article's problems, or FastAPI's list of field errors."""

    detail: Problems | list[dict[str, Any]]


_INVALID: dict[int | str, dict[str, Any]] = {
    status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": Invalid}
}


def _invalid(exc: ArticleInvalid) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail={"message": "the article has problems", "problems": _problems(exc.problems)},
    )


@contextmanager
def _store_errors() -> Iterator[None]:
    """The store's refusals as HTTP answers: 404, 409 (a conflict carries the article as it
    is now, for the editor to show beside the writer's text) and 422 (with the problems)."""
    try:
        yield
    except ArticleNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except EditConflict as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail={"message": str(exc), "current": _copy_json(exc.current)},
        ) from exc
    except (ArticleExists, NotAllowed) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
    except ArticleInvalid as exc:
        raise _invalid(exc) from exc


@router.post("/articles", status_code=status.HTTP_201_CREATED, responses=_INVALID)
async def create_article(
    body: ArticleIn, services: ServicesDep, member: Writer, _csrf: CsrfChecked
) -> dict[str, Any]:
    """A new article, saved as a draft (it reaches nobody until it is published)."""
    with _store_errors():
        copy = await services.articles.create(body.fields(), author=member.email)
    return _copy_json(copy)


@router.get("/articles/{article_id}")
async def get_article(
    article_id: ArticleIdPath, services: ServicesDep, _member: Writer
) -> dict[str, Any]:
    with _store_errors():
        return _copy_json(await services.articles.open(article_id))


@router.put("/articles/{article_id}/draft", responses=_INVALID)
async def save_draft(
    article_id: ArticleIdPath,
    body: Change,
    services: ServicesDep,
    member: Writer,
    _csrf: CsrfChecked,
) -> dict[str, Any]:
    """Keep the text as the draft, valid or not (the answer lists its problems)."""
    with _store_errors():
        copy = await services.articles.save_draft(
            article_id, version=body.version, fields=body.article.fields(), author=member.email
        )
    return {**_copy_json(copy), "problems": await _check(services, body.article)}


async def _check(services: ServicesDep, article: ArticleIn) -> list[dict[str, Any]]:
    """What `supportbot kb validate` would say of the article, links to others included."""
    try:
        _text, parsed = services.articles.check(article.fields())
    except ArticleInvalid as exc:
        return _problems(exc.problems)
    return _problems(await services.articles.links_check(parsed))


@router.post("/preview")
async def preview(
    body: ArticleIn, services: ServicesDep, _member: Writer, _csrf: CsrfChecked
) -> dict[str, Any]:
    """The body as the help center would show it, and the article's problems."""
    html = await asyncio.to_thread(render_article, body.body)
    return {"html": html, "problems": await _check(services, body)}


@router.post("/articles/{article_id}/publish", responses=_INVALID)
async def publish(
    article_id: ArticleIdPath,
    body: Change,
    services: ServicesDep,
    member: Writer,
    _csrf: CsrfChecked,
) -> dict[str, Any]:
    with _store_errors():
        done = await services.articles.publish(
            article_id, version=body.version, fields=body.article.fields(), author=member.email
        )
    return {**await _published(services, article_id), "revision": done.revision}


async def _published(services: ServicesDep, article_id: str) -> dict[str, Any]:
    """The article after a change of what is published, once this host has indexed it."""
    try:
        synced = await services.index_sync.sync()
    except (KBIndexError, ValueError, OSError) as exc:
        indexed: dict[str, Any] = {"ok": False, "error": str(exc)}
    else:
        indexed = {"ok": True, "seconds": round(synced.seconds, 2) if synced else 0.0}
    return {**_copy_json(await services.articles.open(article_id)), "indexed": indexed}


@router.post("/articles/{article_id}/archive", responses=_INVALID)
async def archive(
    article_id: ArticleIdPath,
    body: VersionOnly,
    services: ServicesDep,
    member: Writer,
    _csrf: CsrfChecked,
) -> dict[str, Any]:
    """Out of the bot, the help center and the sitemap; the text and history are kept."""
    with _store_errors():
        await services.articles.archive(article_id, version=body.version, author=member.email)
    return await _published(services, article_id)


@router.get("/articles/{article_id}/revisions")
async def revisions(
    article_id: ArticleIdPath, services: ServicesDep, _member: Writer
) -> list[dict[str, Any]]:
    return [
        {
            "number": r.number,
            "action": r.action,
            "author": r.author,
            "created_at": r.created_at.isoformat(),
            "restored_from": r.restored_from,
        }
        for r in await services.articles.revisions(article_id)
    ]


@router.post("/articles/{article_id}/revisions/{number}/restore", responses=_INVALID)
async def restore(
    article_id: ArticleIdPath,
    number: RevisionNumber,
    body: VersionOnly,
    services: ServicesDep,
    member: Writer,
    _csrf: CsrfChecked,
) -> dict[str, Any]:
    """Publish an old revision's text again (as a new revision: nothing is lost)."""
    with _store_errors():
        done = await services.articles.restore(
            article_id, number, version=body.version, author=member.email
        )
    return {**await _published(services, article_id), "revision": done.revision}


@router.post("/articles/{article_id}/questions", responses=_INVALID)
async def add_questions(
    article_id: ArticleIdPath,
    body: QuestionsIn,
    services: ServicesDep,
    member: Writer,
    _csrf: CsrfChecked,
) -> dict[str, Any]:
    """Customers' questions (an unanswered group's) added to the article's example questions:
    published at once, or added to the writer's draft when the article has one."""
    with _store_errors():
        copy, done = await services.articles.add_questions(
            article_id, body.questions, author=member.email
        )
    if done is None:
        return {**_copy_json(copy), "published": False}
    return {**await _published(services, article_id), "published": True}


def _result_json(result: SearchResult) -> dict[str, Any]:
    return {
        "decision": result.decision,
        "fell_back": result.fell_back,
        "hits": [
            {
                "article_id": hit.article_id,
                "title": hit.title,
                "score": round(hit.score, 4),
                "dense": round(hit.dense, 4),
                "lexical": round(hit.lexical, 3),
                "quoted": hit.chunk.text[:400],
            }
            for hit in result.hits
        ],
    }


@router.post("/test", responses=_INVALID)
async def test_question(
    body: TrialIn, services: ServicesDep, _member: Writer, _csrf: CsrfChecked
) -> dict[str, Any]:
    """What the bot answers now, and what it would answer were the draft published."""
    question = " ".join(body.question.split())
    try:
        if body.article is None:
            now = await services.search_articles(question, language=body.language, top_k=3)
            return {"published": _result_json(now), "with_draft": None}
        try:
            _text, draft = services.articles.check(body.article.fields())
        except ArticleInvalid as exc:
            raise _invalid(exc) from exc
        _, published = await services.articles.published()
        trial = await asyncio.to_thread(
            lambda: try_draft(
                knowledge_base=services.knowledge_base(),
                settings=services.kb_settings,
                published=published,
                draft=draft,
                question=question,
                language=body.language,
            )
        )
    except KBIndexError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from exc
    return {
        "published": _result_json(trial.published),
        "with_draft": _result_json(trial.with_draft),
    }
