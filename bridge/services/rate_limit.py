"""Sliding-window rate limits kept in this process (the in-memory RateLimiter): customer
messages, staff sign-in failures."""

import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(
        self, *, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit <= 0 or window_s <= 0:
            raise ValueError("limit and window_s must be positive")
        self._limit = limit
        self._window = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    async def retry_after(self, key: str) -> float:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self._window:
            hits.popleft()
        if len(hits) >= self._limit:
            return self._window - (now - hits[0])
        hits.append(now)
        self._prune(now)
        return 0.0

    async def refund(self, key: str) -> None:
        hits = self._hits.get(key)
        if hits:
            hits.pop()

    async def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _prune(self, now: float) -> None:
        # Keep memory bounded by conversations active within the window.
        if len(self._hits) > 10_000:
            for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= self._window]:
                del self._hits[key]
