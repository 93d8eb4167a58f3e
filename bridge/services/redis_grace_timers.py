"""Agents' grace timers in Redis: they outlive the process that started them.

A timer is the agent's member in a sorted set, scored by when it is due (plus their display
name in a hash). Every bridge process sweeps the set every `poll_s`; the one whose ZREM of a
due member succeeds runs it, so each timer ends exactly once even with several processes and
even when the process that started it has died or restarted since.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bridge.services.ports import DueCallback

log = logging.getLogger(__name__)


class RedisGraceTimers:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        poll_s: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if poll_s <= 0:
            raise ValueError("poll_s must be positive")
        self._redis = redis
        self._due = f"{prefix}grace"
        self._names = f"{prefix}grace-names"
        self._poll = poll_s
        self._clock = clock
        self._on_due: DueCallback | None = None
        self._task: asyncio.Task[None] | None = None

    def bind(self, on_due: DueCallback) -> None:
        self._on_due = on_due

    async def start(self, agent_id: int, display_name: str, delay_s: float) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._names, str(agent_id), display_name)
            pipe.zadd(self._due, {str(agent_id): self._clock() + delay_s})
            await pipe.execute()

    async def cancel(self, agent_id: int) -> None:
        await self._redis.zrem(self._due, str(agent_id))

    async def run(self) -> None:
        self._task = asyncio.create_task(self._sweep_forever())

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def sweep(self) -> int:
        """Run the timers that are due and that no other process took first; how many ran."""
        due = await self._redis.zrangebyscore(self._due, "-inf", self._clock())
        ran = 0
        for member in map(str, due):  # decode_responses: str already
            if not await self._redis.zrem(self._due, member):
                continue  # another process took it
            name = str(await self._redis.hget(self._names, member) or "")
            if self._on_due is not None:
                ran += 1
                try:
                    await self._on_due(int(member), name)
                except Exception:  # one agent's failure must not stop the others' timers
                    log.exception("grace timer of agent %s failed", member)
        return ran

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except RedisError as exc:
                log.warning("could not sweep the grace timers in Redis: %s", exc)
            await asyncio.sleep(self._poll)
