"""The content writers' studio (`/studio`, editors and admins): every article with its
translations side by side, what needs work, and readers' votes over the last 30 days; and
"test a question": what the bot would answer from the published articles (its decision, the
article and the section it would quote, the scores, the runner-up)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bridge.api.deps import ServicesDep
from bridge.api.pages import templates
from bridge.api.staff_deps import SESSION_COOKIE
from bridge.schemas import Language
from bridge.services.staff_auth import StaffMember
from bridge.services.staff_sessions import InvalidSession
from bridge.services.studio import Show, gaps
from bridge.web.studio_strings import STUDIO_STRINGS
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
    q: Annotated[str, Query(max_length=1000)] = "",
    qlang: Language = "en",
) -> Response:
    """Signed-out visitors are sent to the sign-in page, and come back here after it."""
    member = await _writer(request, services)
    if not isinstance(member, StaffMember):
        return member
    language = lang if lang in LANGUAGES else "en"
    overview = await services.studio.overview(tag=tag.strip(), show=show)
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
        },
        headers={"Cache-Control": "no-store"},
    )
