"""The demo web page and the widget script."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from bridge.web.demo_strings import DEMO_STRINGS

WEB = Path(__file__).resolve().parent.parent / "web"
templates = Jinja2Templates(directory=WEB / "templates")
router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def demo_page(request: Request, lang: str = "en") -> HTMLResponse:
    language = lang if lang in DEMO_STRINGS else "en"
    return templates.TemplateResponse(
        request, "demo.html", {"lang": language, "t": DEMO_STRINGS[language]}
    )


@router.get("/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    return FileResponse(
        WEB / "static" / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )
