"""Default collaborators of the actions, created on first use and shared by the process.

The action server builds every action with no arguments, so actions take these as optional
constructor arguments; nothing here runs at import time.
"""

import logging
import threading
from functools import lru_cache

from actions.bridge_client import BridgeClient
from actions.settings import get_action_settings
from knowledge_base.index import KBIndexError
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import get_kb_settings

log = logging.getLogger(__name__)
_warm_up_started = threading.Event()


@lru_cache(maxsize=1)
def default_knowledge_base() -> KnowledgeBase:
    return KnowledgeBase(get_kb_settings())


@lru_cache(maxsize=1)
def default_bridge_client() -> BridgeClient:
    return BridgeClient(get_action_settings())


def warm_up_knowledge_base() -> None:
    """Load the embedding model and index in the background, once (it takes seconds)."""
    if _warm_up_started.is_set():
        return
    _warm_up_started.set()

    def run() -> None:
        try:
            default_knowledge_base().warm_up()
        except KBIndexError as exc:
            log.error("knowledge base not available: %s", exc)

    threading.Thread(target=run, name="kb-warm-up", daemon=True).start()
