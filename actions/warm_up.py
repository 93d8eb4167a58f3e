"""`action_warm_up`: loads the embedding model and the index before the first customer asks.

Rasa never predicts it; `supportbot wait-ready` (make run) and the test stack call it on the
action server's webhook right after start, and it returns when the knowledge base is loaded.
The action server runs its actions in worker processes, so warming up has to be a request.
"""

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import default_knowledge_base
from knowledge_base.index_store import KBIndexError
from knowledge_base.service import KnowledgeBase

log = logging.getLogger(__name__)

WARM_UP_CALL = {
    "next_action": "action_warm_up",
    "sender_id": "warm-up",
    "version": "3.6.21",
    "domain": {},
    "tracker": {
        "sender_id": "warm-up",
        "slots": {},
        "latest_message": {},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": None,
    },
}


class ActionWarmUp(Action):  # type: ignore[misc]  # rasa_sdk is untyped
    def __init__(self, knowledge_base: KnowledgeBase | None = None) -> None:
        self._kb = knowledge_base

    def name(self) -> str:
        return "action_warm_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            await asyncio.to_thread((self._kb or default_knowledge_base()).warm_up)
        except KBIndexError as exc:
            log.error("knowledge base not available: %s", exc)
        return []
