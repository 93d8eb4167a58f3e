"""Security headers on every answer the bridge gives.

Every page passes a Content-Security-Policy that allows scripts only from the bridge itself (no
inline script, no eval): markup that slipped into a page could not run. Staff pages (console,
dashboard, studio, sign-in) cannot be framed by any site, so a click on them can never be
borrowed (clickjacking). Public pages (the demo, the help center) may be framed, and the widget
is a script other sites load, so nothing here stops it being embedded.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STAFF_PREFIXES = ("/login", "/console", "/dashboard", "/studio", "/staff", "/api/staff")
# FastAPI's interactive docs load Swagger UI from a CDN; they are off in production by default.
DOCS_PATHS = ("/docs", "/redoc")

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def is_staff_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in STAFF_PREFIXES)


def headers_for(path: str, content_type: str) -> dict[str, str]:
    """The headers an answer to `path` of `content_type` gets (those a route set win)."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    staff = is_staff_path(path)
    if content_type.startswith("text/html") and not path.startswith(DOCS_PATHS):
        frame = "; frame-ancestors 'none'" if staff else ""
        headers["Content-Security-Policy"] = PAGE_POLICY + frame
    if staff:
        headers["X-Frame-Options"] = "DENY"
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in headers_for(path, headers.get("content-type", "")).items():
                    headers.setdefault(name, value)
            await send(message)

        await self._app(scope, receive, send_with_headers)
