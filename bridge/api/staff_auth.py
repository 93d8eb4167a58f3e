"""Staff sign-in: the login page, and signing in and out with a session cookie.

The login POST is guarded by the same double-submit CSRF token as every other staff request:
GET /login sets a pre-session `sb_csrf` cookie that the page's script echoes in the header, and
a successful sign-in replaces it. One scheme for everything (rather than an Origin or
Sec-Fetch-Site check only here) keeps one code path to get right, and it does not depend on
headers that proxies, privacy tools and older browsers strip; it also stops login CSRF
(signing a victim into the attacker's account).
"""

import contextlib
import math
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from bridge.api.deps import client_ip
from bridge.api.deps import services as services_of
from bridge.api.pages import templates
from bridge.api.params import NoNul
from bridge.api.staff_deps import (
    CHAT_ROLES,
    CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfChecked,
    CurrentStaff,
    PresenceDep,
    SignInCsrfChecked,
    StaffAuthDep,
)
from bridge.db.users import MAX_EMAIL_LENGTH
from bridge.services.passwords import MAX_LENGTH as MAX_PASSWORD_LENGTH
from bridge.services.staff_auth import (
    AccountDisabled,
    BadCredentials,
    StaffMember,
    TooManyAttempts,
)
from bridge.services.staff_sessions import InvalidSession
from bridge.settings import Settings
from bridge.web.staff_strings import LOGIN_STRINGS

router = APIRouter(tags=["staff"])

# Where a sign-in lands without a (valid) `next`: the agent console.
DEFAULT_NEXT = "/console"
MAX_NEXT_LENGTH = 2048
# One message for unknown emails, wrong passwords and disabled accounts alike.
REFUSED = "wrong email or password"
# Login pages must not be cached (a stale pre-session token); bridge.edge.security_headers
# keeps them out of frames.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(min_length=1, max_length=MAX_EMAIL_LENGTH + 2), NoNul]
    password: Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class StaffOut(BaseModel):
    email: str
    display_name: str
    role: str


class SignedInOut(BaseModel):
    user: StaffOut


def safe_next(value: str | None) -> str:
    """`value` when it is a path on this site, else the default: never an open redirect.

    Browsers read `//host`, `/\\host` and paths with tabs or newlines in them as other hosts.
    """
    if (
        not value
        or len(value) > MAX_NEXT_LENGTH
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(character.isspace() or not character.isprintable() for character in value)
    ):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return value


def _settings(request: Request) -> Settings:
    return services_of(request).settings


def _set_cookie(
    response: Response, settings: Settings, name: str, value: str, *, httponly: bool
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=settings.staff_session_ttl_s,
        path="/",
        secure=settings.public_url.startswith("https://"),
        httponly=httponly,
        samesite="lax",
    )


def _out(member: StaffMember) -> SignedInOut:
    return SignedInOut(
        user=StaffOut(email=member.email, display_name=member.display_name, role=member.role)
    )


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
async def login_page(
    request: Request,
    auth: StaffAuthDep,
    lang: str = "en",
    requested_next: Annotated[str | None, Query(alias="next")] = None,
) -> HTMLResponse:
    language = lang if lang in LOGIN_STRINGS else "en"
    next_path = safe_next(requested_next)
    query = {} if next_path == DEFAULT_NEXT else {"next": next_path}
    lang_urls = {code: "/login?" + urlencode({"lang": code, **query}) for code in LOGIN_STRINGS}
    response = templates.TemplateResponse(
        request,
        "staff_login.html",
        {
            "lang": language,
            "t": LOGIN_STRINGS[language],
            "next_path": next_path,
            "lang_urls": lang_urls,
            "refused_detail": REFUSED,
        },
        headers=PAGE_HEADERS,
    )
    # Keep a token the browser already has: another open login tab still holds it.
    csrf = request.cookies.get(CSRF_COOKIE) or ""
    if not auth.tokens.is_pre_session_csrf(csrf):
        csrf = auth.tokens.pre_session_csrf()
    _set_cookie(response, _settings(request), CSRF_COOKIE, csrf, httponly=False)
    return response


@router.post("/api/staff/login")
async def login(
    body: LoginIn,
    _csrf: SignInCsrfChecked,
    request: Request,
    response: Response,
    auth: StaffAuthDep,
    presence: PresenceDep,
) -> SignedInOut:
    try:
        signed_in = await auth.sign_in(
            email=body.email,
            password=body.password,
            client_ip=client_ip(request),
        )
    except TooManyAttempts as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="too many failed sign-ins; try again later",
            headers={"Retry-After": str(math.ceil(exc.retry_after_s))},
        ) from exc
    except BadCredentials as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=REFUSED) from exc
    except AccountDisabled as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=REFUSED) from exc

    settings = _settings(request)
    _set_cookie(response, settings, SESSION_COOKIE, signed_in.session.token, httponly=True)
    # The session's own CSRF token: one planted before sign-in is worthless after it.
    csrf = auth.tokens.csrf_token(signed_in.session.token)
    _set_cookie(response, settings, CSRF_COOKIE, csrf, httponly=False)
    if signed_in.member.role in CHAT_ROLES:
        await presence.set_status(signed_in.member.id, "online")
    return _out(signed_in.member)


@router.post("/api/staff/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    _csrf: CsrfChecked, request: Request, auth: StaffAuthDep, presence: PresenceDep
) -> Response:
    """Clear the cookies; works with an expired session too, so signing out never fails."""
    with contextlib.suppress(InvalidSession):
        await presence.forget(auth.tokens.read(request.cookies.get(SESSION_COOKIE) or "").user_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    secure = _settings(request).public_url.startswith("https://")
    for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=httponly, samesite="lax")
    return response


@router.get("/api/staff/me")
async def me(member: CurrentStaff) -> SignedInOut:
    return _out(member)
