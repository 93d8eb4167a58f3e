"""Staff sign-in and session checks: passwords, throttling, and who a session belongs to.

Every refusal a caller could learn from looks the same: an unknown email is verified against a
dummy hash (so it takes as long as a wrong password), and the throttle counts unknown and known
emails alike. Argon2 is CPU-bound, so it runs in a worker thread, off the event loop.
"""

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import users
from bridge.db.models import User
from bridge.services.passwords import WeakPassword, hash_password, needs_rehash, verify_password
from bridge.services.ports import RateLimiter
from bridge.services.rate_limit import SlidingWindowLimiter
from bridge.services.staff_sessions import InvalidSession, IssuedSession, StaffSessionTokens

LOGIN_FAILURES_PER_EMAIL = 5
LOGIN_FAILURES_PER_IP = 5
LOGIN_WINDOW_S = 15 * 60


@dataclass(frozen=True)
class StaffMember:
    """The signed-in user, as loaded for this request."""

    id: int
    email: str
    display_name: str
    role: str


@dataclass(frozen=True)
class SignedIn:
    member: StaffMember
    session: IssuedSession


class SignInRefused(Exception):
    """Base of the reasons a sign-in fails."""


class BadCredentials(SignInRefused):
    """Unknown email or wrong password (deliberately not told apart)."""


class AccountDisabled(SignInRefused):
    """The password was right but the account is disabled."""


class TooManyAttempts(SignInRefused):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many failed sign-ins; retry in {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


def _member(user: User) -> StaffMember:
    return StaffMember(id=user.id, email=user.email, display_name=user.display_name, role=user.role)


class StaffAuth:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        tokens: StaffSessionTokens,
        failures_per_email: int = LOGIN_FAILURES_PER_EMAIL,
        failures_per_ip: int = LOGIN_FAILURES_PER_IP,
        window_s: float = LOGIN_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        by_email: RateLimiter | None = None,
        by_ip: RateLimiter | None = None,
    ) -> None:
        self._sessions = sessions
        self.tokens = tokens
        # Shared by every bridge process when they are Redis limiters (see shared_state.py);
        # the in-process default counts this process's failures only.
        self._by_email = by_email or SlidingWindowLimiter(
            limit=failures_per_email, window_s=window_s, clock=clock
        )
        self._by_ip = by_ip or SlidingWindowLimiter(
            limit=failures_per_ip, window_s=window_s, clock=clock
        )
        self._dummy_hash: str | None = None

    async def sign_in(self, *, email: str, password: str, client_ip: str) -> SignedIn:
        """Check the credentials; raises `BadCredentials`, `AccountDisabled`, `TooManyAttempts`.

        Each attempt is counted before the password is checked and given back when it succeeds,
        so parallel guesses cannot slip past the limit while Argon2 runs.
        """
        email_key, ip_key = f"email:{email.strip().lower()}", f"ip:{client_ip}"
        wait = await self._by_ip.retry_after(ip_key)
        if wait > 0:
            raise TooManyAttempts(wait)
        wait = await self._by_email.retry_after(email_key)
        if wait > 0:
            await self._by_ip.refund(ip_key)
            raise TooManyAttempts(wait)

        async with self._sessions() as session:
            user = await users.get_user_by_email(session=session, email=email)
            if user is None:
                await asyncio.to_thread(verify_password, password, await self._dummy())
                raise BadCredentials()
            if not await asyncio.to_thread(verify_password, password, user.password_hash):
                raise BadCredentials()
            if user.disabled:
                raise AccountDisabled()
            if needs_rehash(user.password_hash):
                await self._rehash(session, user, password)
            signed_in = SignedIn(
                _member(user), self.tokens.issue(user_id=user.id, password_hash=user.password_hash)
            )
        await self._by_email.reset(email_key)
        await self._by_ip.refund(ip_key)
        return signed_in

    async def authenticate(self, token: str | None) -> StaffMember:
        """The enabled user a session token belongs to, read now; raises `InvalidSession`."""
        if not token:
            raise InvalidSession("no session")
        claims = self.tokens.read(token)
        async with self._sessions() as session:
            user = await session.get(User, claims.user_id)
        if user is None or user.disabled:
            raise InvalidSession("account gone or disabled", user_id=claims.user_id)
        if not self.tokens.is_current(claims, user.password_hash):
            raise InvalidSession("password changed since sign-in", user_id=claims.user_id)
        return _member(user)

    async def _rehash(self, session: AsyncSession, user: User, password: str) -> None:
        try:
            user.password_hash = await asyncio.to_thread(hash_password, password)
        except WeakPassword:
            return  # set before today's policy: keep the old hash until the password changes
        await session.commit()

    async def _dummy(self) -> str:
        # Made with the current parameters, so verifying against it costs what a real one does.
        if self._dummy_hash is None:
            self._dummy_hash = await asyncio.to_thread(hash_password, secrets.token_urlsafe(32))
        return self._dummy_hash
