"""Staff pages: the agent console (agents) and the support dashboard (admins), their static
files behind the same sign-in, and the vendored Chart.js (public, like any library)."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from bridge.api.deps import services as services_of
from bridge.api.pages import STATIC, templates
from bridge.api.reports import Admin
from bridge.api.staff_deps import SESSION_COOKIE, require_role
from bridge.services.staff_auth import StaffMember
from bridge.services.staff_sessions import InvalidSession
from knowledge_base.text import LANGUAGES

router = APIRouter(tags=["agent console"])
ChatAgent = Annotated[StaffMember, Depends(require_role("agent"))]
CONSOLE = STATIC / "console"
# Plain names only: nothing can leave the folder.
ASSET = re.compile(r"[a-z_]+\.(js|css)")
MEDIA_TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}


@router.get("/console", response_class=HTMLResponse, include_in_schema=False)
async def console_page(request: Request, lang: str = "en") -> Response:
    """Signed-out visitors are sent to the sign-in page, and come back here after it."""
    services = services_of(request)
    try:
        member = await services.staff_auth.authenticate(request.cookies.get(SESSION_COOKIE))
    except InvalidSession:
        return RedirectResponse("/login?next=/console", status_code=status.HTTP_303_SEE_OTHER)
    if member.role not in ("agent", "admin"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs the agent role")
    await services.presence.touch(member.id)
    language = lang if lang in LANGUAGES else "en"
    agent = {"id": member.id, "display_name": member.display_name, "role": member.role}
    return templates.TemplateResponse(
        request,
        "console.html",
        {"lang": language, "agent": agent},
        headers={"Cache-Control": "no-store"},
    )


@router.get("/console/{name}", include_in_schema=False)
def console_asset(name: str, _member: ChatAgent) -> FileResponse:
    # Plain def: FastAPI runs it in a worker thread, so the file check does not block.
    path: Path = CONSOLE / name
    match = ASSET.fullmatch(name)
    if not match or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return FileResponse(path, media_type=MEDIA_TYPES[match.group(1)])


DASHBOARD = STATIC / "dashboard"
VENDOR = STATIC / "vendor"
CHART_JS = "chart.umd.min.js"  # Chart.js 4.6.1 (MIT), from the npm package's dist folder


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard_page(request: Request, lang: str = "en") -> Response:
    services = services_of(request)
    try:
        member = await services.staff_auth.authenticate(request.cookies.get(SESSION_COOKIE))
    except InvalidSession:
        return RedirectResponse("/login?next=/dashboard", status_code=status.HTTP_303_SEE_OTHER)
    if member.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="the dashboard needs the admin role")
    today = datetime.now(UTC).date()
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "lang": lang if lang in LANGUAGES else "en",
            "member": {"display_name": member.display_name},
            "start": (today - timedelta(days=29)).isoformat(),
            "end": today.isoformat(),
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/dashboard/{name}", include_in_schema=False)
def dashboard_asset(name: str, _admin: Admin) -> FileResponse:
    # Plain def: FastAPI runs it in a worker thread, so the file check does not block.
    path: Path = DASHBOARD / name
    match = ASSET.fullmatch(name)
    if not match or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return FileResponse(path, media_type=MEDIA_TYPES[match.group(1)])


@router.get("/vendor/chart.umd.min.js", include_in_schema=False)
def chart_js() -> FileResponse:
    return FileResponse(VENDOR / CHART_JS, media_type=MEDIA_TYPES["js"])
