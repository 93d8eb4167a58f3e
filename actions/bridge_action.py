"""The base of actions that call the bridge: the client is injected (tests) or shared."""

from abc import ABC, abstractmethod

from rasa_sdk import Action

from actions.bridge_client import BridgeClient
from actions.services import default_bridge_client


class BridgeAction(Action, ABC):  # type: ignore[misc]  # rasa_sdk is untyped
    """Abstract, so the action server does not register it."""

    def __init__(self, bridge: BridgeClient | None = None) -> None:
        self._bridge = bridge

    @abstractmethod
    def name(self) -> str: ...

    @property
    def bridge(self) -> BridgeClient:
        return self._bridge or default_bridge_client()
