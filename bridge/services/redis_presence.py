"""Agent presence in Redis, shared by every bridge process: one hash, agent id -> the status
they chose and their last activity (wall-clock seconds; hosts keep their clocks in sync).
The ageing rules are the in-memory Presence's (`Ageing`)."""

import time
from collections.abc import Callable
from typing import cast

from redis.asyncio import Redis

from bridge.services.ports import PresenceStatus
from bridge.services.presence import Ageing

# Activity keeps the status the agent chose; someone not known yet comes online. In one step,
# so a status chosen on one process is never overwritten by a touch on another.
_TOUCH = """
local entry = redis.call('HGET', KEYS[1], ARGV[1])
local chosen = 'online'
if entry then chosen = string.match(entry, '^[^|]+') end
redis.call('HSET', KEYS[1], ARGV[1], chosen .. '|' .. ARGV[2])
"""
_STATUSES = ("online", "away", "offline")


class RedisPresence:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        away_after_s: float,
        offline_after_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._key = f"{prefix}presence"
        self._ageing = Ageing(away_after_s, offline_after_s)
        self._clock = clock
        self._touch = redis.register_script(_TOUCH)

    async def touch(self, user_id: int) -> None:
        await self._touch(keys=[self._key], args=[user_id, repr(self._clock())])

    async def set_status(self, user_id: int, status: PresenceStatus) -> None:
        await self._redis.hset(self._key, str(user_id), f"{status}|{self._clock()!r}")

    async def forget(self, user_id: int) -> None:
        await self._redis.hdel(self._key, str(user_id))

    async def status(self, user_id: int) -> PresenceStatus:
        return self._shown(await self._redis.hget(self._key, str(user_id)))

    async def online_agents(self) -> frozenset[int]:
        entries = await self._redis.hgetall(self._key)
        return frozenset(
            int(user_id) for user_id, entry in entries.items() if self._shown(entry) == "online"
        )

    def _shown(self, entry: str | bytes | None) -> PresenceStatus:
        if entry is None:
            return "offline"
        text = entry.decode() if isinstance(entry, bytes) else entry
        chosen, _, last_active = text.partition("|")
        if chosen not in _STATUSES:
            return "offline"
        try:
            quiet = self._clock() - float(last_active)
        except ValueError:
            return "offline"
        return self._ageing.shown(cast(PresenceStatus, chosen), quiet)
