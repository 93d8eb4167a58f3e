"""Open agent-console sockets per agent, and the grace period of agents who dropped off.

When an agent's last console socket closes (counted over every bridge process), a grace
timer starts; if no socket of theirs is open when it ends, `on_gone` runs (the handoff
service puts their chats back in the queue). A page reload or a short network drop
reconnects well within it, on any process.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from bridge.services.handoff_views import Agent
from bridge.services.ports import Connections, GraceTimers


class AgentSockets:
    def __init__(
        self,
        connections: Connections,
        timers: GraceTimers,
        on_gone: Callable[[Agent], Awaitable[Any]],
    ) -> None:
        self._connections = connections
        self._timers = timers
        self._on_gone = on_gone
        timers.bind(self._due)

    async def opened(self, agent_id: int) -> None:
        await self._connections.opened(_key(agent_id))
        await self._timers.cancel(agent_id)

    async def closed(self, agent: Agent, grace_s: float) -> None:
        if await self._connections.closed(_key(agent.id)) == 0:
            await self._timers.start(agent.id, agent.display_name, grace_s)

    async def _due(self, agent_id: int, display_name: str) -> None:
        if await self._connections.count(_key(agent_id)) == 0:
            await self._on_gone(Agent(agent_id, display_name))


def _key(agent_id: int) -> str:
    return f"agent:{agent_id}"
