"""Whether this bridge can serve: the database, Rasa (with a model), the action server and,
when the bridge shares its state through one, Redis all answer."""

import asyncio

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bridge.db.engine import answers
from bridge.services.rasa_client import RasaClient
from bridge.services.shared_state import SharedState


class Readiness:
    def __init__(
        self, *, engine: AsyncEngine, rasa: RasaClient, action_server_url: str, shared: SharedState
    ) -> None:
        self._engine = engine
        self._rasa = rasa
        self._action_server_url = action_server_url
        self._shared = shared

    async def checks(self) -> dict[str, bool]:
        """Each dependency by name: True when it answers."""
        database, rasa, actions, redis = await asyncio.gather(
            answers(self._engine),
            self._rasa.is_ready(),
            self._action_server(),
            self._shared.is_ready(),
        )
        found = {"database": database, "rasa": rasa, "action_server": actions}
        if redis is not None:
            found["redis"] = redis
        return found

    async def _action_server(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(f"{self._action_server_url}/health")
            return response.status_code == 200
        except httpx.HTTPError:
            return False
