"""Whether a customer still has the chat open, told to the agents who watch the conversation.

A customer may have the widget open in two tabs, or reconnect to another bridge process, so
sockets are counted (over every process when Connections is the Redis one); the agents hear
"gone" only when the last one closes, and "back" when one opens again.
"""

from bridge.services.ports import Connections, EventBus


class CustomerPresence:
    def __init__(self, bus: EventBus, connections: Connections) -> None:
        self._bus = bus
        self._connections = connections

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
        return True

    async def left(self, conversation_id: str) -> None:
        if await self._connections.closed(_key(conversation_id)) == 0:
            self._announce(conversation_id, present=False)

    def _announce(self, conversation_id: str, *, present: bool) -> None:
        self._bus.publish(
            conversation_id,
            {"type": "customer_presence", "conversation_id": conversation_id, "present": present},
        )


def _key(conversation_id: str) -> str:
    return f"customer:{conversation_id}"
