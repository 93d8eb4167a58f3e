"""The bridge's shared state, behind ports: in memory for one process (the default), in Redis
when several bridge processes serve one shop (`REDIS_URL`). Both kinds pass one contract test
suite (tests/bridge/test_shared_state.py).

Methods that may cross the network are async; `EventBus.publish` stays synchronous because
events must leave in the order they were published, from code that must not wait for the
network (a Redis bus sends them from one queue per process).
"""

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol

Event = dict[str, Any]
PresenceStatus = Literal["online", "away", "offline"]


class Subscription(Protocol):
    """A websocket's feed of one key's events; `None` in the queue: fell behind, reconnect."""

    key: str

    @property
    def queue(self) -> Any: ...  # asyncio.Queue[Event | None]

    def close(self) -> None: ...


class EventBus(Protocol):
    """Fan-out of conversation events (and queue snapshots) to every websocket watching them,
    on whichever process holds the socket."""

    def publish(self, key: str, event: Event) -> None: ...

    def subscribe(self, key: str) -> Subscription: ...

    def may_have_subscribers(self, key: str) -> bool:
        """False only when nobody anywhere can be listening (skip building the event)."""
        ...


class RateLimiter(Protocol):
    """A sliding window of counted hits per key, shared by every process that uses it."""

    async def retry_after(self, key: str) -> float:
        """0 when `key` may go ahead now (and the hit is counted), else seconds to wait."""
        ...

    async def refund(self, key: str) -> None:
        """Take back the latest counted hit: for limits that count only what went wrong."""
        ...

    async def reset(self, key: str) -> None: ...


class AgentPresence(Protocol):
    """Which agents are online, away or offline (see presence.py for the ageing rules)."""

    async def touch(self, user_id: int) -> None: ...

    async def set_status(self, user_id: int, status: PresenceStatus) -> None: ...

    async def forget(self, user_id: int) -> None: ...

    async def status(self, user_id: int) -> PresenceStatus: ...

    async def online_agents(self) -> frozenset[int]: ...


class Connections(Protocol):
    """Open websockets per key (a conversation's customer sockets, an agent's consoles),
    counted over every process; `opened`/`closed` return the count after the change."""

    async def opened(self, key: str) -> int: ...

    async def closed(self, key: str) -> int: ...

    async def count(self, key: str) -> int: ...


class TurnOrder(Protocol):
    """One turn at a time per conversation, in arrival order, whichever process relays it."""

    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...


class GraceTimers(Protocol):
    """Timers per agent that end in `on_due(agent_id, display_name)` unless cancelled: an
    agent whose consoles all closed gets their chats requeued after the grace period."""

    def bind(self, on_due: "DueCallback") -> None: ...

    async def start(self, agent_id: int, display_name: str, delay_s: float) -> None: ...

    async def cancel(self, agent_id: int) -> None: ...

    async def aclose(self) -> None: ...


DueCallback = Callable[[int, str], Awaitable[object]]
