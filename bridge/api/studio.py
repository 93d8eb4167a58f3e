"""The content writers' studio (`/studio`, editors and admins): every article with its
translations side by side, what needs work, and readers' votes over the last 30 days; and
"test a question": what the bot would answer from the published articles (its decision, the
article and the section it would quote, the scores, the runner-up)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from bridge.api.deps import ServicesDep
from bridge.api.pages import JAVASCRIPT, STATIC, templates
from bridge.api.staff_deps import SESSION_COOKIE
from bridge.schemas import Language
from bridge.services.article_store import ArticleNotFound, WorkingCopy
from bridge.services.revision_diff import revision_diffs
from bridge.services.staff_auth import StaffMember
from bridge.services.staff_sessions import InvalidSession
from bridge.services.studio import Show, State, gaps
from bridge.web.studio_strings import STUDIO_STRINGS
from knowledge_base.article_text import ArticleFields
from knowledge_base.index_store import KBIndexError
from knowledge_base.search import SearchResult
from knowledge_base.text import LANGUAGES

router = APIRouter(tags=["studio"])
WRITERS = frozenset({"editor", "admin"})


async def _writer(request: Request, services: ServicesDep) -> StaffMember | Response:
    """The signed-in editor or admin; a signed-out visitor is sent to sign in and back."""
    try:
        member = await services.staff_auth.authenticate(request.cookies.get(SESSION_COOKIE))
    except InvalidSession:
        back = request.url.path
        return RedirectResponse(f"/login?next={back}", status_code=status.HTTP_303_SEE_OTHER)
    if member.role not in WRITERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs the editor role")
    return member


@router.get("/studio", response_class=HTMLResponse, include_in_schema=False)
async def studio_page(
    request: Request,
    services: ServicesDep,
    lang: str = "en",
    tag: Annotated[str, Query(max_length=100)] = "",
    show: Show = "all",
    state: State = "any",
    has: Language | Literal[""] = "",
    q: Annotated[str, Query(max_length=1000)] = "",
    qlang: Language = "en",
) -> Response:
    """Signed-out visitors are sent to the sign-in page, and come back here after it."""
    member = await _writer(request, services)
    if not isinstance(member, StaffMember):
        return member
    language = lang if lang in LANGUAGES else "en"
    overview = await services.studio.overview(tag=tag.strip(), show=show, state=state, language=has)
    question = " ".join(q.split())
    tested: SearchResult | None = None
    unavailable = False
    if question:
        try:
            tested = await services.search_articles(question, language=qlang, top_k=3)
        except KBIndexError:
            unavailable = True
    t = STUDIO_STRINGS[language]
    return templates.TemplateResponse(
        request,
        "studio.html",
        {
            "lang": language,
            "t": t,
            "languages": LANGUAGES,
            "overview": overview,
            "tag": tag.strip(),
            "show": show,
            "shows": ("all", "needs_work", "missing", "outdated", "stale"),
            "state": state,
            "has": has,
            "states": ("any", "draft", "published", "archived", "changed"),
            "stale_note": t["stale_note"].format(days=overview.review_after_days),
            "question": question,
            "qlang": qlang,
            "tested": tested,
            "search_unavailable": unavailable,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/studio/gaps", response_class=HTMLResponse, include_in_schema=False)
async def gaps_page(request: Request, services: ServicesDep, lang: str = "en") -> Response:
    """The last 30 days' unanswered questions by meaning, each tried again against the
    articles as they are now: the groups still unanswered are the to-do list."""
    member = await _writer(request, services)
    if not isinstance(member, StaffMember):
        return member
    language = lang if lang in LANGUAGES else "en"
    found = await gaps(services.sessions, services.knowledge_base())
    return templates.TemplateResponse(
        request,
        "studio_gaps.html",
        {
            "lang": language,
            "t": STUDIO_STRINGS[language],
            "todo": [g for g in found if not g.answered],
            "done": [g for g in found if g.answered],
            "targets": await _targets(services),
            "js_strings": _js_strings(language),
        },
        headers={"Cache-Control": "no-store"},
    )


def _js_strings(language: str) -> dict[str, str]:
    return STUDIO_STRINGS[language]


async def _targets(services: ServicesDep) -> dict[str, list[tuple[str, str]]]:
    """Per language, the articles a gap's questions can be added to: (id, title)."""
    library = await services.articles.library()
    return {
        language: [(a.id, a.title) for a in library.in_language(language)] for language in LANGUAGES
    }


def _editor(
    request: Request, language: str, *, heading: str, fields: ArticleFields, **context: Any
) -> Response:
    return templates.TemplateResponse(
        request,
        "studio_editor.html",
        {
            "lang": language,
            "t": STUDIO_STRINGS[language],
            "languages": LANGUAGES,
            "heading": heading,
            "fields": fields,
            "js_strings": _js_strings(language),
            **context,
        },
        headers={"Cache-Control": "no-store"},
    )


async def _sources(services: ServicesDep) -> list[str]:
    """Articles another language's version can translate: published sources."""
    library = await services.articles.library()
    return sorted(a.id for a in library.articles.values() if a.translation_of is None)


@router.get("/studio/new", response_class=HTMLResponse, include_in_schema=False)
async def new_article_page(
    request: Request,
    services: ServicesDep,
    lang: str = "en",
    article_lang: Language = "en",
    question: Annotated[list[str] | None, Query(max_length=50)] = None,
) -> Response:
    """The editor for a new article; `question` prefills its example questions (from a group
    of the unanswered report)."""
    member = await _writer(request, services)
    if not isinstance(member, StaffMember):
        return member
    language = lang if lang in LANGUAGES else "en"
    questions = tuple(dict.fromkeys(" ".join(q.split())[:500] for q in question or () if q.strip()))
    fields = ArticleFields(
        id="", title="", lang=article_lang, tags=(), questions=questions, body=""
    )
    t = STUDIO_STRINGS[language]
    return _editor(
        request,
        language,
        heading=t["new_article_title"],
        fields=fields,
        copy=None,
        sources=await _sources(services),
    )


async def _open(services: ServicesDep, article_id: str) -> WorkingCopy:
    try:
        return await services.articles.open(article_id)
    except ArticleNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc


@router.get("/studio/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
async def editor_page(
    article_id: str, request: Request, services: ServicesDep, lang: str = "en"
) -> Response:
    member = await _writer(request, services)
    if not isinstance(member, StaffMember):
        return member
    language = lang if lang in LANGUAGES else "en"
    copy = await _open(services, article_id)
    return _editor(
        request,
        language,
        heading=f"{STUDIO_STRINGS[language]['edit_title']}: {copy.id}",
        fields=copy.fields(),
        copy=copy,
        sources=await _sources(services),
    )


@router.get(
    "/studio/articles/{article_id}/history", response_class=HTMLResponse, include_in_schema=False
)
async def history_page(
    article_id: str, request: Request, services: ServicesDep, lang: str = "en"
) -> Response:
    """Every revision of what was published: who, when, what changed; restore any of them."""
    member = await _writer(request, services)
    if not isinstance(member, StaffMember):
        return member
    language = lang if lang in LANGUAGES else "en"
    copy = await _open(services, article_id)
    revisions = await services.articles.revisions(article_id)
    return templates.TemplateResponse(
        request,
        "studio_history.html",
        {
            "lang": language,
            "t": STUDIO_STRINGS[language],
            "copy": copy,
            "revisions": revision_diffs(revisions),
            "js_strings": _js_strings(language),
        },
        headers={"Cache-Control": "no-store"},
    )


_ASSETS = {"editor.js", "api.js", "actions.js"}


@router.get("/studio/assets/{name}", include_in_schema=False)
async def studio_asset(name: str, request: Request, services: ServicesDep) -> Response:
    member = await _writer(request, services)
    if not isinstance(member, StaffMember):
        return member
    if name not in _ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return FileResponse(STATIC / "studio" / name, media_type=JAVASCRIPT)


@router.get("/staff/request.js", include_in_schema=False)
async def staff_request_script() -> FileResponse:
    """The staff pages' API helper (no secrets in it: public, like the sign-in page)."""
    return FileResponse(STATIC / "staff" / "request.js", media_type=JAVASCRIPT)


@router.get("/staff/login.js", include_in_schema=False)
async def staff_login_script() -> FileResponse:
    """The sign-in form's script (public, like the sign-in page)."""
    return FileResponse(STATIC / "staff" / "login.js", media_type=JAVASCRIPT)


@router.get("/vendor/markdown-toolbar-element.js", include_in_schema=False)
async def markdown_toolbar() -> FileResponse:
    return FileResponse(STATIC / "vendor" / "markdown-toolbar-element.js", media_type=JAVASCRIPT)
