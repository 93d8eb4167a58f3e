"""Agents' grace timers as tasks of this process (the in-memory GraceTimers): gone with a
restart, like everything else the process held."""

import asyncio

from bridge.services.ports import DueCallback


class LocalGraceTimers:
    def __init__(self) -> None:
        self._timers: dict[int, asyncio.Task[None]] = {}
        self._on_due: DueCallback | None = None

    def bind(self, on_due: DueCallback) -> None:
        self._on_due = on_due

    async def start(self, agent_id: int, display_name: str, delay_s: float) -> None:
        await self.cancel(agent_id)

        async def later() -> None:
            await asyncio.sleep(delay_s)
            self._timers.pop(agent_id, None)
            if self._on_due is not None:
                await self._on_due(agent_id, display_name)

        self._timers[agent_id] = asyncio.create_task(later())

    async def cancel(self, agent_id: int) -> None:
        timer = self._timers.pop(agent_id, None)
        if timer is not None:
            timer.cancel()

    async def aclose(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
