"""Open agent-console sockets per agent, and the grace timers of agents who dropped off.

When an agent's last console socket closes, a timer starts; if no socket of theirs opens
again within the grace period, `on_gone` runs (the handoff service puts their chats back in
the queue). A page reload or a short network drop reconnects well within it.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bridge.services.handoff import Agent


class AgentSockets:
    def __init__(self) -> None:
        self._open: dict[int, int] = {}
        self._timers: dict[int, asyncio.Task[None]] = {}

    def opened(self, agent_id: int) -> None:
        self._open[agent_id] = self._open.get(agent_id, 0) + 1
        timer = self._timers.pop(agent_id, None)
        if timer is not None:
            timer.cancel()

    def closed(
        self, agent: Agent, grace_s: float, on_gone: Callable[[Agent], Awaitable[Any]]
    ) -> None:
        self._open[agent.id] -= 1
        if self._open[agent.id] > 0:
            return
        del self._open[agent.id]

        async def later() -> None:
            await asyncio.sleep(grace_s)
            self._timers.pop(agent.id, None)
            if agent.id not in self._open:
                await on_gone(agent)

        self._timers[agent.id] = asyncio.create_task(later())

    async def aclose(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
