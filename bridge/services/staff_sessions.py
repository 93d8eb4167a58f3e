"""Signed, expiring staff session tokens (the `sb_session` cookie's value).

Same JWT scheme and secret as the customer tokens (bridge.services.tokens) but another
audience, so a customer token can never pass as a staff session, nor the other way round.
Sessions are stateless (no table): the token carries the user id, a random session id and a
*session version* derived from the user's password hash, so changing a password ends every
session of that user; the user row is re-read on every request, so disabling or deleting an
account ends its sessions at once.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

_AUDIENCE = "staff-session"
_ALGORITHM = "HS256"


class InvalidSession(Exception):
    """The session token is missing, malformed, forged, expired, for another audience, or
    stale; `user_id` names the account when the token itself was genuine."""

    def __init__(self, reason: str, *, user_id: int | None = None) -> None:
        super().__init__(reason)
        self.user_id = user_id


@dataclass(frozen=True)
class SessionClaims:
    user_id: int
    version: str
    session_id: str
    expires_at: datetime


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime


class StaffSessionTokens:
    def __init__(self, *, secret: str, ttl_s: int) -> None:
        if not secret:
            raise ValueError("secret must not be empty")
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        self._secret = secret
        self.ttl_s = ttl_s

    def version(self, password_hash: str) -> str:
        """The session version of an account: keyed, so the token reveals nothing of the hash."""
        digest = hmac.new(
            self._secret.encode(), b"staff-session-version\0" + password_hash.encode(), "sha256"
        )
        return digest.hexdigest()[:32]

    def issue(
        self, *, user_id: int, password_hash: str, now: datetime | None = None
    ) -> IssuedSession:
        issued = now or datetime.now(UTC)
        expires = issued + timedelta(seconds=self.ttl_s)
        claims = {
            "sub": str(user_id),
            "aud": _AUDIENCE,
            "ver": self.version(password_hash),
            "jti": secrets.token_urlsafe(16),
            "iat": issued,
            "exp": expires,
        }
        return IssuedSession(jwt.encode(claims, self._secret, algorithm=_ALGORITHM), expires)

    def read(self, token: str) -> SessionClaims:
        """The claims of a genuine, unexpired staff session token; raises InvalidSession.

        The caller still has to compare `version` with the account's current one.
        """
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["sub", "aud", "ver", "jti", "exp"]},
            )
            return SessionClaims(
                user_id=int(claims["sub"]),
                version=str(claims["ver"]),
                session_id=str(claims["jti"]),
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidSession("session expired") from exc
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidSession("session invalid") from exc

    def is_current(self, claims: SessionClaims, password_hash: str) -> bool:
        return hmac.compare_digest(claims.version, self.version(password_hash))

    # CSRF tokens. A double-submit token that is any value the cookie holds can be planted by
    # whoever can set a cookie for the site (a sibling subdomain, a man in the middle on http)
    # and then sent back in the header. These are bound: to the session they protect, or, before
    # there is one, signed with the secret, so a made-up value never passes.

    def csrf_token(self, session_token: str) -> str:
        """The CSRF token of a session: only someone who holds the session can know it."""
        return self._mac(b"staff-csrf\0" + session_token.encode())

    def pre_session_csrf(self) -> str:
        """A token for the sign-in form, before any session exists."""
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._mac(b'staff-pre-session-csrf' + nonce.encode())}"

    def is_pre_session_csrf(self, value: str) -> bool:
        nonce, _, mac = value.partition(".")
        expected = self._mac(b"staff-pre-session-csrf" + nonce.encode())
        return bool(nonce) and hmac.compare_digest(mac.encode(), expected.encode())

    def _mac(self, message: bytes) -> str:
        return hmac.new(self._secret.encode(), message, "sha256").hexdigest()[:43]
