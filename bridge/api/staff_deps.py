"""Dependencies of the staff routes: who is signed in, with which role, and the CSRF check.

Staff authenticate with cookies, so every state-changing staff request also needs the CSRF
token: the `sb_csrf` cookie's value sent back in the `X-CSRF-Token` header. Another site can make
a browser send the cookies but cannot read them to fill in the header, and the token is bound to
the session (an HMAC of it), so a value planted in the cookie does not pass either.
"""

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from bridge.api.deps import services as services_of
from bridge.db.users import check_role
from bridge.services.ports import AgentPresence
from bridge.services.staff_auth import StaffAuth, StaffMember
from bridge.services.staff_sessions import InvalidSession

SESSION_COOKIE = "sb_session"
CSRF_COOKIE = "sb_csrf"
# The roles that take customer chats, and so have a presence.
CHAT_ROLES = frozenset({"agent", "admin"})
NOT_SIGNED_IN = "sign in first: no valid staff session"
CSRF_FAILED = "CSRF check failed: send the value of the sb_csrf cookie in the X-CSRF-Token header"


def _staff_auth(request: Request) -> StaffAuth:
    return services_of(request).staff_auth


def _presence(request: Request) -> AgentPresence:
    return services_of(request).presence


StaffAuthDep = Annotated[StaffAuth, Depends(_staff_auth)]
PresenceDep = Annotated[AgentPresence, Depends(_presence)]


async def current_staff(request: Request, auth: StaffAuthDep, presence: PresenceDep) -> StaffMember:
    """The signed-in user, re-read from the database on every request, or 401.

    Every authenticated request of an agent counts as activity for their presence.
    """
    try:
        member = await auth.authenticate(request.cookies.get(SESSION_COOKIE))
    except InvalidSession as exc:
        if exc.user_id is not None:
            await presence.forget(exc.user_id)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=NOT_SIGNED_IN) from exc
    if member.role in CHAT_ROLES:
        await presence.touch(member.id)
    return member


CurrentStaff = Annotated[StaffMember, Depends(current_staff)]


def require_role(*roles: str) -> Callable[[StaffMember], Awaitable[StaffMember]]:
    """A dependency that lets through the signed-in users with one of `roles` (and admins)."""
    if not roles:
        raise ValueError("name at least one role")
    allowed = frozenset(check_role(role) for role in roles) | {"admin"}
    needed = " or ".join(sorted(allowed))

    async def dependency(member: CurrentStaff) -> StaffMember:
        if member.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"this needs the {needed} role")
        return member

    return dependency


def _matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def require_csrf(
    request: Request, auth: StaffAuthDep, x_csrf_token: Annotated[str | None, Header()] = None
) -> None:
    """The header must carry the CSRF token of the request's session (set at sign-in; an
    expired session's token still signs it out)."""
    session = request.cookies.get(SESSION_COOKIE)
    if not session or not _matches(auth.tokens.csrf_token(session), x_csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=CSRF_FAILED)


def require_sign_in_csrf(
    request: Request, auth: StaffAuthDep, x_csrf_token: Annotated[str | None, Header()] = None
) -> None:
    """Signing in works without a session: the pre-session token the sign-in page set, signed
    by the bridge and echoed in the header (or the token of the session the browser still has)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session and _matches(auth.tokens.csrf_token(session), x_csrf_token):
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    if (
        not cookie
        or not _matches(cookie, x_csrf_token)
        or not auth.tokens.is_pre_session_csrf(cookie)
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=CSRF_FAILED)


CsrfChecked = Annotated[None, Depends(require_csrf)]
SignInCsrfChecked = Annotated[None, Depends(require_sign_in_csrf)]
