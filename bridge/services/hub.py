"""Fan-out of conversation events to the websockets that watch a conversation, in this
process: the in-memory EventBus, and the local delivery of the Redis one.

Each subscriber gets a bounded queue; a subscriber that cannot keep up is dropped (its queue
gets `None`) so it reconnects and replays from the database instead of stalling the others.
"""

import asyncio
from collections import defaultdict

from bridge.services.ports import Event

_QUEUE_SIZE = 256


class Subscription:
    def __init__(self, hub: "Hub", key: str) -> None:
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(_QUEUE_SIZE)
        self.key = key
        self._hub = hub

    def close(self) -> None:
        self._hub._unsubscribe(self.key, self)


class Hub:
    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[Subscription]] = defaultdict(set)

    def subscribe(self, key: str) -> Subscription:
        subscription = Subscription(self, key)
        self._subscribers[key].add(subscription)
        return subscription

    def publish(self, key: str, event: Event) -> None:
        for subscription in list(self._subscribers.get(key, ())):
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                self._drop(key, subscription)

    def subscriber_count(self, key: str) -> int:
        return len(self._subscribers.get(key, ()))

    def may_have_subscribers(self, key: str) -> bool:
        return self.subscriber_count(key) > 0

    def _drop(self, key: str, subscription: Subscription) -> None:
        self._unsubscribe(key, subscription)
        while not subscription.queue.empty():
            subscription.queue.get_nowait()
        subscription.queue.put_nowait(None)

    def _unsubscribe(self, key: str, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(key)
        if subscribers is None:
            return
        subscribers.discard(subscription)
        if not subscribers:
            del self._subscribers[key]
