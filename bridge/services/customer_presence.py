"""Whether a customer still has the chat open, told to the agents who watch the conversation.

A customer may have the widget open in two tabs, so sockets are counted; the agents hear
"gone" only when the last one closes, and "back" when one opens again.
"""

from collections import Counter

from bridge.services.hub import Hub


class CustomerPresence:
    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._sockets: Counter[str] = Counter()

    def present(self, conversation_id: str) -> bool:
        return self._sockets[conversation_id] > 0

    def joined(self, conversation_id: str) -> None:
        self._sockets[conversation_id] += 1
        if self._sockets[conversation_id] == 1:
            self._announce(conversation_id, present=True)

    def left(self, conversation_id: str) -> None:
        self._sockets[conversation_id] -= 1
        if self._sockets[conversation_id] <= 0:
            del self._sockets[conversation_id]
            self._announce(conversation_id, present=False)

    def _announce(self, conversation_id: str, *, present: bool) -> None:
        self._hub.publish(
            conversation_id,
            {"type": "customer_presence", "conversation_id": conversation_id, "present": present},
        )
