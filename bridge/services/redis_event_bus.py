"""The event bus over Redis pub/sub: an event published on any bridge process reaches the
websockets on every process.

Local subscribers get an event at once (as with the in-memory bus); it also goes, in publish
order, from one queue per process to one Redis channel, and every other process hands it to its
own local subscribers. One channel for all keys keeps subscriptions static (no SUBSCRIBE per
opened chat); a shop's event rate is small enough for every process to read them all. Pub/sub
delivers at most once: a process that was cut off from Redis misses events, and its websockets
catch up from the database the way every reconnecting client does.
"""

import asyncio
import contextlib
import json
import logging
import uuid

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bridge.services.hub import Hub
from bridge.services.ports import Event, Subscription

log = logging.getLogger(__name__)
_OUTBOX_SIZE = 10_000
_RETRY_S = 1.0


class RedisEventBus:
    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._channel = f"{prefix}events"
        self._origin = uuid.uuid4().hex  # our own events come back from Redis: skip them
        self._local = Hub()
        self._outbox: asyncio.Queue[str] = asyncio.Queue(_OUTBOX_SIZE)
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._send())]
        await asyncio.wait_for(self._listening.wait(), timeout=10)

    async def aclose(self) -> None:
        # Send what is queued (a reply published just before shutdown), then stop.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._outbox.join(), timeout=5)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def publish(self, key: str, event: Event) -> None:
        self._local.publish(key, event)
        message = json.dumps({"origin": self._origin, "key": key, "event": event})
        try:
            self._outbox.put_nowait(message)
        except asyncio.QueueFull:
            log.error("event bus outbox full (Redis down?): %s event for other processes lost", key)

    def subscribe(self, key: str) -> Subscription:
        return self._local.subscribe(key)

    def may_have_subscribers(self, key: str) -> bool:
        return True  # another process may have some

    async def _send(self) -> None:
        while True:
            message = await self._outbox.get()
            try:
                while True:
                    try:
                        await self._redis.publish(self._channel, message)
                        break
                    except RedisError as exc:  # keep the order: retry this one first
                        log.warning("event bus: Redis publish failed (%s), retrying", exc)
                        await asyncio.sleep(_RETRY_S)
                    except Exception:  # not Redis's fault: retrying would not help
                        log.exception("event bus: could not publish an event")
                        break
            finally:
                self._outbox.task_done()

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._listening.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._deliver(message["data"])
            except RedisError as exc:
                log.warning("event bus: Redis subscription lost (%s), resubscribing", exc)
                await asyncio.sleep(_RETRY_S)
            except Exception:  # this task must outlive any one bad moment
                log.exception("event bus: the subscription failed, resubscribing")
                await asyncio.sleep(_RETRY_S)

    def _deliver(self, data: str | bytes) -> None:
        try:
            message = json.loads(data)
            if message["origin"] != self._origin:
                self._local.publish(str(message["key"]), dict(message["event"]))
        except (ValueError, KeyError, TypeError):
            log.warning("event bus: ignored a malformed message on %s", self._channel)
