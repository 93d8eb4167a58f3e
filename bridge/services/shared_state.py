"""The shared-state ports a bridge process uses: in memory by default, in Redis when
`REDIS_URL` is set (several bridge processes behind one load balancer)."""

import asyncio
import contextlib
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bridge.services.connections import LocalConnections
from bridge.services.grace_timers import LocalGraceTimers
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
from bridge.services.staff_auth import (
    LOGIN_FAILURES_PER_EMAIL,
    LOGIN_FAILURES_PER_IP,
    LOGIN_FAILURES_PER_SOURCE,
    LOGIN_WINDOW_S,
)
from bridge.settings import Settings

# A reader votes on a few articles; more from one address is a script skewing the figures.
HELP_VOTES_PER_IP = 30
HELP_VOTE_WINDOW_S = 600.0


@dataclass
class SharedState:
    bus: EventBus
    message_limit: RateLimiter  # customer messages per conversation
    login_failures_by_email: RateLimiter  # any address, one account: slows it down
    login_failures_by_ip: RateLimiter
    login_failures_by_source: RateLimiter  # one address, one account
    new_conversations_by_ip: RateLimiter
    new_conversations_by_visitor: RateLimiter
    help_votes_by_ip: RateLimiter  # help-center "was this helpful?" votes
    presence: AgentPresence
    connections: Connections
    turns: TurnOrder
    timers: GraceTimers
    redis: Redis | None = field(default=None, repr=False)

    async def start(self) -> None:
        """Connect and start the background work (after `timers` is bound: see AgentSockets)."""
        if self.redis is None:
            return
        await self.redis.ping()  # fail at start, not on the first customer, when Redis is down
        for part in (self.bus, self.connections):
            if isinstance(part, RedisEventBus | RedisConnections):
                await part.start()
        if isinstance(self.timers, RedisGraceTimers):
            await self.timers.run()

    async def is_ready(self) -> bool | None:
        """Whether Redis answers; None when this process keeps its state in memory."""
        if self.redis is None:
            return None
        try:
            return bool(await asyncio.wait_for(self.redis.ping(), timeout=2.0))
        except (RedisError, TimeoutError, OSError):
            return False

    async def aclose(self) -> None:
        await self.timers.aclose()
        if self.redis is None:
            return
        for part in (self.bus, self.connections):
            if isinstance(part, RedisEventBus | RedisConnections):
                await part.aclose()
        with contextlib.suppress(Exception):
            await self.redis.aclose()


def build_shared_state(settings: Settings) -> SharedState:
    if settings.redis_url is None:
        return SharedState(
            bus=Hub(),
            message_limit=_memory_limit(settings.rate_limit_messages, settings.rate_limit_window_s),
            login_failures_by_email=_memory_limit(LOGIN_FAILURES_PER_EMAIL, LOGIN_WINDOW_S),
            login_failures_by_ip=_memory_limit(LOGIN_FAILURES_PER_IP, LOGIN_WINDOW_S),
            login_failures_by_source=_memory_limit(LOGIN_FAILURES_PER_SOURCE, LOGIN_WINDOW_S),
            new_conversations_by_ip=_memory_limit(
                settings.new_conversations_per_ip, settings.new_conversations_window_s
            ),
            new_conversations_by_visitor=_memory_limit(
                settings.new_conversations_per_visitor, settings.new_conversations_window_s
            ),
            help_votes_by_ip=_memory_limit(HELP_VOTES_PER_IP, HELP_VOTE_WINDOW_S),
            presence=Presence(
                away_after_s=settings.agent_away_after_s,
                offline_after_s=settings.agent_offline_after_s,
            ),
            connections=LocalConnections(),
            turns=KeyedLocks(),
            timers=LocalGraceTimers(),
        )
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    prefix = settings.redis_prefix

    def limit(name: str, count: int, window_s: float) -> RateLimiter:
        return RedisSlidingWindowLimiter(
            redis, prefix=f"{prefix}limit:{name}:", limit=count, window_s=window_s
        )

    return SharedState(
        bus=RedisEventBus(redis, prefix=prefix),
        message_limit=limit("messages", settings.rate_limit_messages, settings.rate_limit_window_s),
        login_failures_by_email=limit("login-email", LOGIN_FAILURES_PER_EMAIL, LOGIN_WINDOW_S),
        login_failures_by_ip=limit("login-ip", LOGIN_FAILURES_PER_IP, LOGIN_WINDOW_S),
        login_failures_by_source=limit("login-source", LOGIN_FAILURES_PER_SOURCE, LOGIN_WINDOW_S),
        new_conversations_by_ip=limit(
            "new-conversations-ip",
            settings.new_conversations_per_ip,
            settings.new_conversations_window_s,
        ),
        new_conversations_by_visitor=limit(
            "new-conversations-visitor",
            settings.new_conversations_per_visitor,
            settings.new_conversations_window_s,
        ),
        help_votes_by_ip=limit("help-votes", HELP_VOTES_PER_IP, HELP_VOTE_WINDOW_S),
        presence=RedisPresence(
            redis,
            prefix=prefix,
            away_after_s=settings.agent_away_after_s,
            offline_after_s=settings.agent_offline_after_s,
        ),
        connections=RedisConnections(redis, prefix=prefix),
        # A turn holds its conversation for at most Rasa's timeout plus storing the replies.
        turns=RedisTurnOrder(redis, prefix=prefix, ttl_s=settings.rasa_timeout_s * 2 + 10),
        timers=RedisGraceTimers(redis, prefix=prefix),
        redis=redis,
    )


def _memory_limit(count: int, window_s: float) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(limit=count, window_s=window_s)
