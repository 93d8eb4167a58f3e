"""Whether this bridge can serve: the database, Rasa (with a model), the action server and,
when the bridge shares its state through one, Redis all answer.

Ready: everything answers. Degraded (still serving): a Rasa server is busy (saturated: turns
queue and answers come late) or one of several is down. Not ready: a dependency without which
no customer is served is down.
"""

import asyncio
from dataclasses import dataclass
from typing import Literal

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bridge.db.engine import answers
from bridge.services.rasa_client import RasaClient, RasaState
from bridge.services.shared_state import SharedState

Status = Literal["ready", "degraded", "not_ready"]


@dataclass(frozen=True)
class ReadinessReport:
    status: Status
    checks: dict[str, bool]
    rasa_servers: list[RasaState]


class Readiness:
    def __init__(
        self, *, engine: AsyncEngine, rasa: RasaClient, action_server_url: str, shared: SharedState
    ) -> None:
        self._engine = engine
        self._rasa = rasa
        self._action_server_url = action_server_url
        self._shared = shared

    async def report(self) -> ReadinessReport:
        database, rasa, actions, redis = await asyncio.gather(
            answers(self._engine),
            self._rasa.states(),
            self._action_server(),
            self._shared.is_ready(),
        )
        # A busy Rasa still answers, late: the bridge keeps the turns queued in order.
        checks = {
            "database": database,
            "rasa": any(state != "down" for state in rasa),
            "action_server": actions,
        }
        if redis is not None:
            checks["redis"] = redis
        status: Status = "ready"
        if not all(checks.values()):
            status = "not_ready"
        elif any(state != "ready" for state in rasa):
            status = "degraded"
        return ReadinessReport(status=status, checks=checks, rasa_servers=rasa)

    async def _action_server(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(f"{self._action_server_url}/health")
            return response.status_code == 200
        except httpx.HTTPError:
            return False
