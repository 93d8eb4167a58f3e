"""The base of actions that call the bridge: the client and the settings are injected (tests)
or the process's shared ones."""

from abc import ABC, abstractmethod

from rasa_sdk import Action

from actions.bridge_client import BridgeClient
from actions.services import default_bridge_client
from actions.settings import ActionSettings, get_action_settings


class UsesBridge:
    """Mixed into actions of any rasa_sdk kind (plain, form validation)."""

    def __init__(
        self, bridge: BridgeClient | None = None, settings: ActionSettings | None = None
    ) -> None:
        super().__init__()
        self._bridge = bridge
        self._settings = settings

    @property
    def bridge(self) -> BridgeClient:
        return self._bridge or default_bridge_client()

    @property
    def settings(self) -> ActionSettings:
        return self._settings or get_action_settings()


class BridgeAction(UsesBridge, Action, ABC):  # type: ignore[misc]  # rasa_sdk is untyped
    """Abstract, so the action server does not register it."""

    @abstractmethod
    def name(self) -> str: ...
