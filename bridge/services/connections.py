"""Open websockets per key, counted in this process (the in-memory Connections)."""

from collections import Counter


class LocalConnections:
    def __init__(self) -> None:
        self._open: Counter[str] = Counter()

    async def opened(self, key: str) -> int:
        self._open[key] += 1
        return self._open[key]

    async def closed(self, key: str) -> int:
        self._open[key] -= 1
        if self._open[key] <= 0:
            del self._open[key]
            return 0
        return self._open[key]

    async def count(self, key: str) -> int:
        return self._open.get(key, 0)
