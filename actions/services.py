"""Default collaborators of the actions, created on first use and shared by the process.

The action server builds every action with no arguments, so actions take these as optional
constructor arguments; nothing here runs at import time.
"""

from functools import lru_cache

from actions.bridge_client import BridgeClient
from actions.settings import get_action_settings
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import get_kb_settings


@lru_cache(maxsize=1)
def default_knowledge_base() -> KnowledgeBase:
    return KnowledgeBase(get_kb_settings())


@lru_cache(maxsize=1)
def default_bridge_client() -> BridgeClient:
    return BridgeClient(get_action_settings())
