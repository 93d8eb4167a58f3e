"""The conversations view's page (`/console/conversations`): every conversation, filtered and
searched, and one opened read-only (`?open=<id>`, read by the page's script). Agents and
admins, like the console; its data comes from bridge/api/conversation_history.py.

Registered before console_pages, whose `/console/{name}` serves the scripts and styles
(conversations.js, conversations.css ...) and would otherwise take this path for an asset.
"""

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bridge.api.deps import services as services_of
from bridge.api.pages import templates
from bridge.api.staff_deps import SESSION_COOKIE
from bridge.db.conversation_search import NPS_FILTERS, STATUSES
from bridge.services.conversation_search import ConversationHistory
from bridge.services.staff_sessions import InvalidSession
from knowledge_base.text import LANGUAGES

router = APIRouter(tags=["conversations view"])
PATH = "/console/conversations"


@router.get(PATH, response_class=HTMLResponse, include_in_schema=False)
async def conversations_page(request: Request, lang: str = "en") -> Response:
    """Signed-out visitors are sent to the sign-in page and come back here (with `?open=`)."""
    services = services_of(request)
    try:
        member = await services.staff_auth.authenticate(request.cookies.get(SESSION_COOKIE))
    except InvalidSession:
        back = f"{PATH}?{request.url.query}" if request.url.query else PATH
        return RedirectResponse(
            f"/login?{urlencode({'next': back})}", status_code=status.HTTP_303_SEE_OTHER
        )
    if member.role not in ("agent", "admin"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs the agent role")
    # The agent filter's choices: everyone who ever could take chats, disabled accounts too,
    # so that their past conversations can still be listed.
    staff = await ConversationHistory(services.sessions).chat_staff()
    return templates.TemplateResponse(
        request,
        "console_conversations.html",
        {
            "lang": lang if lang in LANGUAGES else "en",
            "member": {"display_name": member.display_name},
            "staff": [{"id": a.id, "name": a.display_name} for a in staff],
            "statuses": STATUSES,
            "nps_filters": NPS_FILTERS,
            "languages": LANGUAGES,
        },
        headers={"Cache-Control": "no-store"},
    )
