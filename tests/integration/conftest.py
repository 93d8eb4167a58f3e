"""Fixtures of the end-to-end tests over the live bridge."""

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.live_chat import signed_in_agent
from tests.processes import LiveBridge


@pytest.fixture
async def agent(live_bridge: LiveBridge) -> AsyncIterator[httpx.AsyncClient]:
    """Anna, an agent, signed in to the live bridge (and so online)."""
    async with signed_in_agent(live_bridge) as http:
        yield http
