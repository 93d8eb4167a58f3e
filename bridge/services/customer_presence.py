"""Whether a customer still has the chat open, told to the agents who watch the conversation.

A customer may have the widget open in two tabs, or reconnect to another bridge process, so
sockets are counted (over every process when Connections is the Redis one); the agents hear
"gone" only when the last one closes, and "back" when one opens again. `on_change` hears the
same (queue hygiene: a waiting customer who left holds no place in the queue).
"""

import asyncio
from collections.abc import Awaitable, Callable

from bridge.services.ports import Connections, EventBus

OnChange = Callable[[str, bool], Awaitable[None]]  # (conversation id, present)


class CustomerPresence:
    def __init__(
        self, bus: EventBus, connections: Connections, on_change: OnChange | None = None
    ) -> None:
        self._bus = bus
        self._connections = connections
        self._on_change = on_change
        self._closing: set[asyncio.Task[None]] = set()

    async def present(self, conversation_id: str) -> bool:
        return await self._connections.count(_key(conversation_id)) > 0

    async def joined(self, conversation_id: str, *, limit: int | None = None) -> bool:
        """Count one more socket; False, and not counted, when that would pass `limit` (the
        count is over every process, so the cap holds when the tabs land on several)."""
        count = await self._connections.opened(_key(conversation_id))
        if limit is not None and count > limit:
            await self._connections.closed(_key(conversation_id))
            return False
        if count == 1:
            self._announce(conversation_id, present=True)
            if self._on_change is not None:
                await self._on_change(conversation_id, True)
        return True

    async def left(self, conversation_id: str) -> None:
        if await self._connections.closed(_key(conversation_id)) == 0:
            self._announce(conversation_id, present=False)
            if self._on_change is not None:
                await self._on_change(conversation_id, False)

    def closing(self, conversation_id: str) -> asyncio.Task[None]:
        """`left` in a task of its own, for a socket's last words: a socket task that is
        cancelled (a server stopping, a test client closing) can await it shielded and still
        have the close counted; `drain` waits for those still running at shutdown."""
        task = asyncio.create_task(self.left(conversation_id))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        return task

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Let closes in flight finish (at shutdown, before the database goes)."""
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=timeout_s)

    def _announce(self, conversation_id: str, *, present: bool) -> None:
        self._bus.publish(
            conversation_id,
            {"type": "customer_presence", "conversation_id": conversation_id, "present": present},
        )


def _key(conversation_id: str) -> str:
    return f"customer:{conversation_id}"
