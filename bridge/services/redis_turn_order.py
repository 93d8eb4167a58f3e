"""One turn at a time per conversation over every bridge process.

A customer's messages normally all arrive on the process that holds their socket, whose
in-process locks keep them in arrival order; the Redis lock adds mutual exclusion with a turn
of the same conversation on another process (after a reconnect there). The lock expires after
`ttl_s`, so a process that died holding it blocks the conversation only that long.
"""

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import LockError

from bridge.services.keyed_locks import KeyedLocks


class RedisTurnOrder:
    def __init__(self, redis: Redis, *, prefix: str, ttl_s: float) -> None:
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        self._redis = redis
        self._prefix = f"{prefix}turn:"
        self._ttl = ttl_s
        self._local = KeyedLocks()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with self._local.hold(key):
            lock = self._redis.lock(
                self._prefix + key, timeout=self._ttl, sleep=0.02, blocking_timeout=None
            )
            await lock.acquire()
            try:
                yield
            finally:
                # LockError: it expired meanwhile (a turn longer than ttl_s), nothing is held.
                with contextlib.suppress(LockError):
                    await lock.release()
