"""Who of the agents is online, away or offline, kept in this process (the in-memory
AgentPresence; the Redis one shares it between bridge processes).

An agent's shown status is what they chose (`online`, `away`, `offline`), aged by their last
activity: quiet for `away_after_s` shows as away, for `offline_after_s` as offline, so a closed
laptop never keeps a customer waiting for nobody. Any authenticated request counts as activity.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from bridge.services.ports import PresenceStatus


@dataclass(frozen=True)
class Ageing:
    away_after_s: float
    offline_after_s: float

    def __post_init__(self) -> None:
        if self.away_after_s <= 0 or self.offline_after_s <= 0:
            raise ValueError("away_after_s and offline_after_s must be positive")
        if self.offline_after_s < self.away_after_s:
            raise ValueError("offline_after_s must not be shorter than away_after_s")

    def shown(self, chosen: PresenceStatus, quiet_s: float) -> PresenceStatus:
        """What the others see of an agent who chose `chosen` and was quiet for `quiet_s`."""
        if chosen == "offline" or quiet_s >= self.offline_after_s:
            return "offline"
        if quiet_s >= self.away_after_s:
            return "away"
        return chosen


@dataclass
class _Entry:
    chosen: PresenceStatus
    last_active: float


class Presence:
    def __init__(
        self,
        *,
        away_after_s: float,
        offline_after_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ageing = Ageing(away_after_s, offline_after_s)
        self._clock = clock
        self._entries: dict[int, _Entry] = {}

    async def touch(self, user_id: int) -> None:
        """Record activity; someone not known yet (signed in before a restart) comes online."""
        now = self._clock()
        entry = self._entries.get(user_id)
        if entry is None:
            self._entries[user_id] = _Entry("online", now)
        else:
            entry.last_active = now

    async def set_status(self, user_id: int, status: PresenceStatus) -> None:
        """The agent's own choice; choosing is also activity."""
        self._entries[user_id] = _Entry(status, self._clock())

    async def forget(self, user_id: int) -> None:
        """Signed out, disabled or deleted: offline at once."""
        self._entries.pop(user_id, None)

    async def status(self, user_id: int) -> PresenceStatus:
        return self._shown(user_id)

    async def online_agents(self) -> frozenset[int]:
        """The ids of the agents online now: whether anyone can take a handed-off chat.

        Disabled or deleted accounts are dropped on their next request (`forget`); callers
        that must be certain load the users too.
        """
        return frozenset(user_id for user_id in self._entries if self._shown(user_id) == "online")

    def _shown(self, user_id: int) -> PresenceStatus:
        entry = self._entries.get(user_id)
        if entry is None:
            return "offline"
        return self._ageing.shown(entry.chosen, self._clock() - entry.last_active)
