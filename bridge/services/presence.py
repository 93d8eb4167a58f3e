"""Who of the agents is online, away or offline, kept in this process.

An agent's shown status is what they chose (`online`, `away`, `offline`), aged by their last
activity: quiet for `away_after_s` shows as away, for `offline_after_s` as offline, so a closed
laptop never keeps a customer waiting for nobody. Any authenticated request counts as activity.

In process on purpose (one bridge instance by default): with several instances each one sees
only the agents whose requests it served; the scale-out set-up moves this to Redis.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

PresenceStatus = Literal["online", "away", "offline"]


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
        if away_after_s <= 0 or offline_after_s <= 0:
            raise ValueError("away_after_s and offline_after_s must be positive")
        if offline_after_s < away_after_s:
            raise ValueError("offline_after_s must not be shorter than away_after_s")
        self._away_after = away_after_s
        self._offline_after = offline_after_s
        self._clock = clock
        self._entries: dict[int, _Entry] = {}

    def touch(self, user_id: int) -> None:
        """Record activity; someone not known yet (signed in before a restart) comes online."""
        now = self._clock()
        entry = self._entries.get(user_id)
        if entry is None:
            self._entries[user_id] = _Entry("online", now)
        else:
            entry.last_active = now

    def set_status(self, user_id: int, status: PresenceStatus) -> None:
        """The agent's own choice; choosing is also activity."""
        self._entries[user_id] = _Entry(status, self._clock())

    def forget(self, user_id: int) -> None:
        """Signed out, disabled or deleted: offline at once."""
        self._entries.pop(user_id, None)

    def status(self, user_id: int) -> PresenceStatus:
        entry = self._entries.get(user_id)
        if entry is None or entry.chosen == "offline":
            return "offline"
        quiet = self._clock() - entry.last_active
        if quiet >= self._offline_after:
            return "offline"
        if quiet >= self._away_after:
            return "away"
        return entry.chosen

    def online_agents(self) -> frozenset[int]:
        """The ids of the agents online now: whether anyone can take a handed-off chat.

        Disabled or deleted accounts are dropped on their next request (`forget`); callers
        that must be certain load the users too.
        """
        return frozenset(user_id for user_id in self._entries if self.status(user_id) == "online")
