"""The sliding-window rate limit in Redis, shared by every bridge process.

One sorted set per key holds the counted hits (score: time in ms); a Lua script drops the
expired ones, counts and adds in one step, so two processes cannot both take the last slot.
Times come from the caller's wall clock (`time.time`): hosts keep their clocks in sync (NTP),
and tests can drive it.
"""

import time
import uuid
from collections.abc import Callable

from redis.asyncio import Redis

_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1]))
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
return '0'
"""


class RedisSlidingWindowLimiter:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,  # e.g. "supportbot:limit:messages:"
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if limit <= 0 or window_s <= 0:
            raise ValueError("limit and window_s must be positive")
        self._redis = redis
        self._prefix = prefix
        self._limit = limit
        self._window_ms = window_s * 1000
        self._clock = clock
        self._take = redis.register_script(_TAKE)

    async def retry_after(self, key: str) -> float:
        now_ms = self._clock() * 1000
        member = f"{now_ms:.3f}:{uuid.uuid4().hex[:8]}"
        wait_ms = await self._take(
            keys=[self._key(key)], args=[now_ms, self._window_ms, self._limit, member]
        )
        return max(float(wait_ms), 0.0) / 1000

    async def refund(self, key: str) -> None:
        await self._redis.zpopmax(self._key(key))

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._key(key))

    def _key(self, key: str) -> str:
        return f"{self._prefix}{key}"
