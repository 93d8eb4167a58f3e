"""A token bucket for one client's events (a socket's typing indicator): `burst` at once,
then `rate_per_s`. Kept in the process that holds the socket, since it belongs to the socket."""

import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self,
        *,
        rate_per_s: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_s <= 0 or (burst is not None and burst < 1):
            raise ValueError("rate_per_s must be positive and burst at least 1")
        self._rate = rate_per_s
        self._capacity = burst if burst is not None else max(1.0, rate_per_s)
        self._tokens = self._capacity
        self._clock = clock
        self._at = clock()

    def take(self) -> bool:
        """Whether one more event may go now (and counts it)."""
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
