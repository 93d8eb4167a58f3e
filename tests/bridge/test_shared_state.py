"""One contract for every shared-state port, run against the in-memory implementation and the
Redis one (the real server). "Two processes" are two instances on one Redis prefix; in memory
they are one instance, which is what one process sees."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from bridge.services.agent_sockets import AgentSockets
from bridge.services.connections import LocalConnections
from bridge.services.customer_presence import CustomerPresence
from bridge.services.grace_timers import LocalGraceTimers
from bridge.services.handoff_views import Agent
from bridge.services.hub import Hub
from bridge.services.keyed_locks import KeyedLocks
from bridge.services.ports import (
    AgentPresence,
    Connections,
    EventBus,
    GraceTimers,
    RateLimiter,
    TurnOrder,
)
from bridge.services.presence import Presence
from bridge.services.rate_limit import SlidingWindowLimiter
from bridge.services.redis_connections import RedisConnections
from bridge.services.redis_event_bus import RedisEventBus
from bridge.services.redis_grace_timers import RedisGraceTimers
from bridge.services.redis_presence import RedisPresence
from bridge.services.redis_rate_limit import RedisSlidingWindowLimiter
from bridge.services.redis_turn_order import RedisTurnOrder
from bridge.services.shared_state import build_shared_state
from tests.conftest import make_settings


@dataclass
class Clock:
    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Kind:
    """Makes the ports of one kind; `process(n)` for Redis is a separate instance each time."""

    name: str
    redis: Redis | None
    prefix: str
    clock: Clock
    stack: AsyncExitStack

    @property
    def shared(self) -> bool:
        return self.redis is not None

    def limiter(self, limit: int, window_s: float) -> RateLimiter:
        if self.redis is None:
            return SlidingWindowLimiter(limit=limit, window_s=window_s, clock=self.clock)
        return RedisSlidingWindowLimiter(
            self.redis, prefix=self.prefix, limit=limit, window_s=window_s, clock=self.clock
        )

    async def presence(self) -> AgentPresence:
        if self.redis is None:
            return Presence(away_after_s=300, offline_after_s=900, clock=self.clock)
        return RedisPresence(
            self.redis, prefix=self.prefix, away_after_s=300, offline_after_s=900, clock=self.clock
        )

    async def connections(self) -> Connections:
        if self.redis is None:
            return LocalConnections()
        found = RedisConnections(
            self.redis, prefix=self.prefix, ttl_s=30, heartbeat_s=10, clock=self.clock
        )
        await found.start()
        self.stack.push_async_callback(found.aclose)
        return found

    async def bus(self) -> EventBus:
        if self.redis is None:
            return Hub()
        found = RedisEventBus(self.redis, prefix=self.prefix)
        await found.start()
        self.stack.push_async_callback(found.aclose)
        return found

    async def turns(self) -> TurnOrder:
        if self.redis is None:
            return KeyedLocks()
        return RedisTurnOrder(self.redis, prefix=self.prefix, ttl_s=30)

    async def timers(self) -> GraceTimers:
        if self.redis is None:
            found: GraceTimers = LocalGraceTimers()
        else:
            redis_timers = RedisGraceTimers(self.redis, prefix=self.prefix, poll_s=0.05)
            await redis_timers.run()
            found = redis_timers
        self.stack.push_async_callback(found.aclose)
        return found

    async def pair(self, make: Callable[[], Awaitable[Any]]) -> tuple[Any, Any]:
        """What two processes hold: one instance in memory, two on one Redis prefix."""
        first = await make()
        second = await make() if self.shared else first
        return first, second


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def kind(request: pytest.FixtureRequest) -> AsyncIterator[Kind]:
    async with AsyncExitStack() as stack:
        redis = None
        prefix = ""
        if request.param == "redis":
            url = request.getfixturevalue("redis_url")
            prefix = request.getfixturevalue("redis_prefix")
            redis = Redis.from_url(url, decode_responses=True)
            stack.push_async_callback(redis.aclose)
        yield Kind(request.param, redis, prefix, Clock(), stack)


async def _next(subscription: Any) -> Any:
    return await asyncio.wait_for(subscription.queue.get(), 5.0)


# --- rate limits ----------------------------------------------------------------------------


async def test_the_window_slides_and_is_counted_per_key(kind: Kind) -> None:
    limiter = kind.limiter(limit=2, window_s=10)
    assert await limiter.retry_after("a") == 0
    assert await limiter.retry_after("a") == 0
    assert await limiter.retry_after("a") == pytest.approx(10)
    assert await limiter.retry_after("b") == 0  # per key
    kind.clock.now += 4
    assert await limiter.retry_after("a") == pytest.approx(6)
    kind.clock.now += 6  # the first hit has left the window
    assert await limiter.retry_after("a") == 0


async def test_a_refund_gives_back_a_hit_and_a_reset_all(kind: Kind) -> None:
    limiter = kind.limiter(limit=2, window_s=60)
    await limiter.retry_after("k")
    await limiter.retry_after("k")
    await limiter.refund("k")
    assert await limiter.retry_after("k") == 0
    assert await limiter.retry_after("k") > 0
    await limiter.reset("k")
    assert await limiter.retry_after("k") == 0


async def test_processes_share_the_limit_and_parallel_hits_cannot_overtake_it(kind: Kind) -> None:
    first = kind.limiter(limit=5, window_s=60)
    second = kind.limiter(limit=5, window_s=60) if kind.shared else first
    waits = await asyncio.gather(*(limiter.retry_after("conv") for limiter in [first, second] * 10))
    assert sum(1 for wait in waits if wait == 0) == 5


def test_limits_refuse_bad_arguments() -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(limit=0, window_s=1)
    with pytest.raises(ValueError):
        RedisSlidingWindowLimiter(Redis(), prefix="p:", limit=3, window_s=0)


# --- agent presence -------------------------------------------------------------------------


async def test_presence_ages_from_online_to_away_to_offline(kind: Kind) -> None:
    presence, elsewhere = await kind.pair(kind.presence)
    clock = kind.clock
    base = clock.now
    assert await presence.status(1) == "offline"
    await presence.set_status(1, "online")
    await elsewhere.touch(2)  # signed in before a restart: online on their first request
    assert await elsewhere.online_agents() == {1, 2}
    clock.now = base + 299
    await presence.touch(2)
    assert await elsewhere.status(1) == "online"
    clock.now = base + 300
    assert await elsewhere.status(1) == "away"
    assert await presence.online_agents() == {2}
    clock.now = base + 900
    assert await presence.status(1) == "offline"
    await elsewhere.touch(1)  # activity brings back the chosen status
    assert await presence.status(1) == "online"
    await presence.set_status(1, "away")
    await elsewhere.touch(1)
    assert await elsewhere.status(1) == "away"  # activity does not override a choice
    await presence.set_status(2, "offline")
    await elsewhere.touch(2)
    assert await presence.status(2) == "offline"
    await presence.set_status(3, "online")
    await elsewhere.forget(3)
    assert await presence.online_agents() == frozenset()


def test_presence_validates_its_limits() -> None:
    with pytest.raises(ValueError, match="positive"):
        Presence(away_after_s=0, offline_after_s=10)
    with pytest.raises(ValueError, match="not be shorter"):
        RedisPresence(Redis(), prefix="p:", away_after_s=10, offline_after_s=5)


# --- open sockets ---------------------------------------------------------------------------


async def test_sockets_are_counted_over_processes(kind: Kind) -> None:
    here, there = await kind.pair(kind.connections)
    assert await here.count("customer:c1") == 0
    assert await here.opened("customer:c1") == 1
    assert await there.opened("customer:c1") == 2
    assert await there.count("customer:c1") == 2
    assert await here.closed("customer:c1") == 1
    assert await there.closed("customer:c1") == 0
    assert await here.count("customer:c1") == 0
    assert await here.count("customer:other") == 0


@pytest.mark.redis
async def test_the_sockets_of_a_dead_process_stop_counting(
    redis_url: str, redis_prefix: str
) -> None:
    clock = Clock()
    async with Redis.from_url(redis_url, decode_responses=True) as redis:
        alive = RedisConnections(redis, prefix=redis_prefix, ttl_s=30, heartbeat_s=10, clock=clock)
        dead = RedisConnections(redis, prefix=redis_prefix, ttl_s=30, heartbeat_s=10, clock=clock)
        await alive.opened("agent:7")
        await dead.opened("agent:7")  # then its process is killed: no heartbeat, no close
        for _ in range(4):
            clock.now += 10
            await alive.renew()
        assert await alive.count("agent:7") == 1
        with pytest.raises(ValueError):
            RedisConnections(redis, prefix=redis_prefix, ttl_s=10, heartbeat_s=10)


# --- the event bus --------------------------------------------------------------------------


async def test_events_reach_every_subscriber_of_their_key_in_order_once(kind: Kind) -> None:
    here, there = await kind.pair(kind.bus)
    local, remote, other = here.subscribe("c1"), there.subscribe("c1"), there.subscribe("c2")
    for n in range(100):
        here.publish("c1", {"type": "message", "n": n})
    assert [(await _next(local))["n"] for _ in range(100)] == list(range(100))
    assert [(await _next(remote))["n"] for _ in range(100)] == list(range(100))
    there.publish("c2", {"type": "done"})
    assert await _next(other) == {"type": "done"}
    await asyncio.sleep(0.1)
    assert local.queue.empty() and remote.queue.empty()  # nothing twice
    assert here.may_have_subscribers("c1")
    local.close()
    remote.close()
    if not kind.shared:
        assert not here.may_have_subscribers("c1")


async def test_a_subscriber_that_falls_behind_is_told_to_reconnect(kind: Kind) -> None:
    bus = await kind.bus()
    slow, fast = bus.subscribe("c"), bus.subscribe("c")
    for n in range(300):  # nobody drains `slow`
        bus.publish("c", {"n": n})
        while not fast.queue.empty():
            fast.queue.get_nowait()
    assert slow.queue.get_nowait() is None  # then it replays from the database
    fast.close()


# --- customer presence, built on sockets and the bus ----------------------------------------


async def test_agents_hear_gone_only_when_the_last_customer_socket_closes(kind: Kind) -> None:
    bus_a, bus_b = await kind.pair(kind.bus)
    sockets_a, sockets_b = await kind.pair(kind.connections)
    on_a, on_b = CustomerPresence(bus_a, sockets_a), CustomerPresence(bus_b, sockets_b)
    agent = bus_b.subscribe("c1")
    await on_a.joined("c1")  # a tab on process A
    assert await _next(agent) == {
        "type": "customer_presence",
        "conversation_id": "c1",
        "present": True,
    }
    await on_b.joined("c1")  # the reconnect, or a second tab, lands on B
    await on_a.left("c1")
    assert await on_b.present("c1")
    await on_b.left("c1")
    assert await _next(agent) == {
        "type": "customer_presence",
        "conversation_id": "c1",
        "present": False,
    }
    assert not await on_a.present("c1")
    agent.close()


# --- turn order -----------------------------------------------------------------------------


async def test_turns_of_one_conversation_run_one_at_a_time_in_order(kind: Kind) -> None:
    first, second = await kind.pair(kind.turns)
    inside: list[str] = []
    finished: list[int] = []

    async def turn(n: int, turns: TurnOrder, key: str) -> None:
        async with turns.hold(key):
            inside.append(key)
            assert inside.count(key) == 1, "two turns of one conversation at once"
            await asyncio.sleep(0.01)
            inside.remove(key)
            if key == "c1":
                finished.append(n)

    tasks = []
    for n in range(20):
        tasks.append(asyncio.create_task(turn(n, first, "c1")))
        tasks.append(asyncio.create_task(turn(n, second, "c2")))
        await asyncio.sleep(0)  # they arrive one after another
    await asyncio.gather(*tasks)
    assert finished == list(range(20))


async def test_two_processes_never_hold_one_conversation_at_once(kind: Kind) -> None:
    first, second = await kind.pair(kind.turns)
    holders = 0
    most = 0

    async def turn(turns: TurnOrder) -> None:
        nonlocal holders, most
        async with turns.hold("c"):
            holders += 1
            most = max(most, holders)
            await asyncio.sleep(0.005)
            holders -= 1

    await asyncio.gather(*(turn(first if n % 2 else second) for n in range(30)))
    assert most == 1


# --- grace timers ---------------------------------------------------------------------------


class Calls:
    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []

    async def __call__(self, agent_id: int, display_name: str) -> None:
        self.seen.append((agent_id, display_name))


async def test_a_grace_timer_ends_once_unless_cancelled(kind: Kind) -> None:
    here, there = await kind.pair(kind.timers)
    calls = Calls()
    here.bind(calls)
    there.bind(calls)
    await here.start(1, "Anna", 0.2)
    await here.start(2, "Ben", 0.2)
    await there.cancel(2)  # Ben came back, on whichever process
    await asyncio.sleep(0.6)
    assert calls.seen == [(1, "Anna")]


@pytest.mark.redis
async def test_a_grace_timer_outlives_the_process_that_started_it(
    redis_url: str, redis_prefix: str
) -> None:
    async with Redis.from_url(redis_url, decode_responses=True) as redis:
        dying = RedisGraceTimers(redis, prefix=redis_prefix, poll_s=0.05)
        dying.bind(Calls())
        await dying.start(7, "Anna", 0.1)
        # The process is killed before the timer ends; a restarted one takes it over.
        restarted = RedisGraceTimers(redis, prefix=redis_prefix, poll_s=0.05)
        calls = Calls()
        restarted.bind(calls)
        await asyncio.sleep(0.2)
        assert await restarted.sweep() == 1
        assert calls.seen == [(7, "Anna")]
        assert await restarted.sweep() == 0  # once
        with pytest.raises(ValueError):
            RedisGraceTimers(redis, prefix=redis_prefix, poll_s=0)


async def test_an_agent_who_reconnects_elsewhere_keeps_their_chats(kind: Kind) -> None:
    connections_a, connections_b = await kind.pair(kind.connections)
    timers_a, timers_b = await kind.pair(kind.timers)
    gone: list[Agent] = []

    async def requeue(agent: Agent) -> None:
        gone.append(agent)

    on_a = AgentSockets(connections_a, timers_a, requeue)
    on_b = AgentSockets(connections_b, timers_b, requeue)
    anna, ben = Agent(1, "Anna"), Agent(2, "Ben")
    await on_a.opened(anna.id)
    await on_a.opened(ben.id)
    await on_a.closed(anna, 0.2)  # process A's socket drops ...
    await on_b.opened(anna.id)  # ... and Anna's console reconnects to B
    await on_a.closed(ben, 0.2)  # Ben does not come back
    await asyncio.sleep(0.6)
    assert gone == [ben]


# --- choosing the kind ----------------------------------------------------------------------


async def test_redis_url_chooses_the_redis_ports(redis_url: str, redis_prefix: str) -> None:
    memory = build_shared_state(make_settings("sqlite+aiosqlite:///:memory:", None))
    assert isinstance(memory.bus, Hub) and memory.redis is None
    shared = build_shared_state(
        make_settings(
            "sqlite+aiosqlite:///:memory:", None, redis_url=redis_url, redis_prefix=redis_prefix
        )
    )
    await shared.start()
    try:
        assert await shared.is_ready() is True
        assert await memory.is_ready() is None
        assert isinstance(shared.bus, RedisEventBus)
        assert isinstance(shared.presence, RedisPresence)
        assert isinstance(shared.turns, RedisTurnOrder)
    finally:
        await shared.aclose()
