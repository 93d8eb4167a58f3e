"""Signed, expiring customer tokens: a token opens exactly one conversation."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

_AUDIENCE = "customer"
_ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is malformed, forged, expired or for another audience."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


class CustomerTokens:
    def __init__(self, *, secret: str, ttl_s: int) -> None:
        if not secret:
            raise ValueError("secret must not be empty")
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        self._secret = secret
        self._ttl = timedelta(seconds=ttl_s)

    def issue(self, conversation_id: str, *, now: datetime | None = None) -> IssuedToken:
        issued = now or datetime.now(UTC)
        expires = issued + self._ttl
        claims = {"sub": conversation_id, "aud": _AUDIENCE, "iat": issued, "exp": expires}
        return IssuedToken(jwt.encode(claims, self._secret, algorithm=_ALGORITHM), expires)

    def conversation_id(self, token: str) -> str:
        """The conversation the token opens; raises InvalidToken."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["sub", "exp", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("token invalid") from exc
        return str(claims["sub"])
