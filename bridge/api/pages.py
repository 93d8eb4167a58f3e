"""The demo web page, the widget's loader script, the widget's ES modules and the modules
the widget shares with the staff pages (static/shared: DOM helpers, ids, the socket)."""

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from bridge.api.deps import ServicesDep
from bridge.web import demo_customer
from bridge.web.demo_strings import DEMO_STRINGS

WEB = Path(__file__).resolve().parent.parent / "web"
STATIC = WEB / "static"
templates = Jinja2Templates(directory=WEB / "templates")
router = APIRouter(tags=["pages"])

JAVASCRIPT = "text/javascript; charset=utf-8"
# Short, so a deploy reaches embedding sites within minutes without cache-busting URLs.
SCRIPT_CACHE = {"Cache-Control": "public, max-age=300"}
# Module names are plain words: no dots or slashes, so a name can never leave the folder.
MODULE_NAME = re.compile(r"[a-z_]+\.js")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def demo_page(
    request: Request, services: ServicesDep, lang: str = "en", signed_in: str | None = None
) -> HTMLResponse:
    """`signed_in=anna`: the variant with a signed-in customer (bridge.web.demo_customer)."""
    language = lang if lang in DEMO_STRINGS else "en"
    customer = demo_customer.signed_in(
        signed_in,
        secret=services.settings.identity_secret,
        environment=services.settings.environment,
        language=language,
    )
    return templates.TemplateResponse(
        request,
        "demo.html",
        {"lang": language, "t": DEMO_STRINGS[language], "customer": customer},
    )


@router.get("/demo.js", include_in_schema=False)
async def demo_script() -> FileResponse:
    return FileResponse(STATIC / "demo.js", media_type=JAVASCRIPT, headers=SCRIPT_CACHE)


@router.get("/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    return FileResponse(STATIC / "widget.js", media_type=JAVASCRIPT, headers=SCRIPT_CACHE)


@router.get("/widget/{name}", include_in_schema=False)
async def widget_module(name: str) -> FileResponse:
    """One of the ES modules that widget.js imports (resolved against its own URL)."""
    path = STATIC / "widget" / name
    if not MODULE_NAME.fullmatch(name) or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, media_type=JAVASCRIPT, headers=SCRIPT_CACHE)


@router.get("/shared/{name}", include_in_schema=False)
async def shared_module(name: str) -> FileResponse:
    """A module both the widget and the staff pages import (`../shared/<name>` from either):
    public, like the widget's, since an embedding page loads it from any origin."""
    path = STATIC / "shared" / name
    if not MODULE_NAME.fullmatch(name) or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, media_type=JAVASCRIPT, headers=SCRIPT_CACHE)
