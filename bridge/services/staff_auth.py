"""Staff sign-in and session checks: passwords, throttling, and who a session belongs to.

Every refusal a caller could learn from looks the same: an unknown email is verified against a
dummy hash (so it takes as long as a wrong password), and the throttle counts unknown and known
emails alike. Argon2 is CPU-bound, so it runs in a worker thread, off the event loop.

Throttling never locks an account: a lock-out anyone can trigger with five wrong passwords is a
way to keep an admin out. Instead:
- one address guessing one account is refused after a few failures (`by_source`);
- one address guessing many accounts is refused after more (`by_ip`);
- an account that many addresses guess at (`by_account`) is slowed down, not closed: every
  attempt on it waits `slow_down_s`, one at a time per process, and the right password still
  gets in, from anywhere, with no CAPTCHA.
"""

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import users
from bridge.db.models import User
from bridge.services.keyed_locks import KeyedLocks
from bridge.services.passwords import WeakPassword, hash_password, needs_rehash, verify_password
from bridge.services.ports import RateLimiter
from bridge.services.rate_limit import SlidingWindowLimiter
from bridge.services.staff_sessions import InvalidSession, IssuedSession, StaffSessionTokens

LOGIN_FAILURES_PER_SOURCE = 5  # one address, one account
LOGIN_FAILURES_PER_IP = 20  # one address, any accounts (an office shares one address)
LOGIN_FAILURES_PER_EMAIL = 5  # any addresses, one account: from then on, slowed down
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
        window_s: float = LOGIN_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        by_email: RateLimiter | None = None,
        by_ip: RateLimiter | None = None,
        by_source: RateLimiter | None = None,
        slow_down_s: float = 2.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._sessions = sessions
        self.tokens = tokens
        # Shared by every bridge process when they are Redis limiters (see shared_state.py);
        # the in-process default counts this process's failures only.
        self._by_account = by_email or SlidingWindowLimiter(
            limit=LOGIN_FAILURES_PER_EMAIL, window_s=window_s, clock=clock
        )
        self._by_ip = by_ip or SlidingWindowLimiter(
            limit=LOGIN_FAILURES_PER_IP, window_s=window_s, clock=clock
        )
        self._by_source = by_source or SlidingWindowLimiter(
            limit=LOGIN_FAILURES_PER_SOURCE, window_s=window_s, clock=clock
        )
        self._slow_down_s = slow_down_s
        self._sleep = sleep
        self._slow_lane = KeyedLocks()
        self._dummy_hash: str | None = None

    async def sign_in(self, *, email: str, password: str, client_ip: str) -> SignedIn:
        """Check the credentials; raises `BadCredentials`, `AccountDisabled`, `TooManyAttempts`.

        Each attempt is counted before the password is checked and given back when it succeeds,
        so parallel guesses cannot slip past the limits while Argon2 runs.
        """
        account = email.strip().lower()
        ip_key, source_key = f"ip:{client_ip}", f"source:{client_ip}|{account}"
        wait = await self._by_ip.retry_after(ip_key)
        if wait > 0:
            raise TooManyAttempts(wait)
        wait = await self._by_source.retry_after(source_key)
        if wait > 0:
            await self._by_ip.refund(ip_key)
            raise TooManyAttempts(wait)
        if await self._by_account.retry_after(f"email:{account}") > 0:
            # Under attack from many addresses: slower, one at a time, but never closed.
            async with self._slow_lane.hold(account):
                await self._sleep(self._slow_down_s)
                signed_in = await self._check(email, password)
        else:
            signed_in = await self._check(email, password)
        await self._by_account.reset(f"email:{account}")
        await self._by_source.reset(source_key)
        await self._by_ip.refund(ip_key)
        return signed_in

    async def _check(self, email: str, password: str) -> SignedIn:
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
            return SignedIn(
                _member(user), self.tokens.issue(user_id=user.id, password_hash=user.password_hash)
            )

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
