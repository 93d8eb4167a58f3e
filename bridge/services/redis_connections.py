"""Open websockets per key, counted in Redis over every bridge process.

Each socket is a member of its key's sorted set, scored by when it expires; a process renews
its own sockets every `heartbeat_s`, so the sockets of a process that died stop counting after
`ttl_s` instead of keeping a customer "present" (or an agent "connected") for ever.
"""

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RedisConnections:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        ttl_s: float = 30.0,
        heartbeat_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 < heartbeat_s < ttl_s:
            raise ValueError("heartbeat_s must be positive and shorter than ttl_s")
        self._redis = redis
        self._prefix = f"{prefix}sockets:"
        self._process = uuid.uuid4().hex
        self._ttl = ttl_s
        self._heartbeat = heartbeat_s
        self._clock = clock
        self._mine: dict[str, list[str]] = {}  # key -> this process's socket members
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._renew_forever())

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        # A clean stop takes its sockets out at once (they are closed anyway).
        with contextlib.suppress(RedisError):
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, members in self._mine.items():
                    pipe.zrem(self._prefix + key, *members)
                await pipe.execute()
        self._mine.clear()

    async def opened(self, key: str) -> int:
        member = f"{self._process}:{uuid.uuid4().hex[:12]}"
        self._mine.setdefault(key, []).append(member)
        now = self._clock()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(self._prefix + key, "-inf", now)
            pipe.zadd(self._prefix + key, {member: now + self._ttl})
            pipe.expire(self._prefix + key, int(self._ttl) + 1)
            pipe.zcard(self._prefix + key)
            *_, count = await pipe.execute()
        return int(count)

    async def closed(self, key: str) -> int:
        members = self._mine.get(key)
        if not members:
            return await self.count(key)
        member = members.pop()
        if not members:
            del self._mine[key]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(self._prefix + key, member)
            pipe.zcount(self._prefix + key, self._clock(), "+inf")
            _, count = await pipe.execute()
        return int(count)

    async def count(self, key: str) -> int:
        return int(await self._redis.zcount(self._prefix + key, self._clock(), "+inf"))

    async def renew(self) -> None:
        """Push the expiry of this process's sockets forward (the heartbeat does it)."""
        expires = self._clock() + self._ttl
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, members in self._mine.items():
                pipe.zadd(self._prefix + key, dict.fromkeys(members, expires))
                pipe.expire(self._prefix + key, int(self._ttl) + 1)
            await pipe.execute()

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat)
            try:
                await self.renew()
            except RedisError as exc:
                log.warning("could not renew the open sockets in Redis: %s", exc)
