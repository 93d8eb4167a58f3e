"""`action_record_feedback`: "Helpful" / "Not helpful" under an answer, stored by the bridge
with the article, the chunk that was quoted, the customer's question and the search score, so
writers see which answers work. The reply itself is the rule's next response."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bridge_action import BridgeAction
from actions.knowledge import customer_messages


class ActionRecordFeedback(BridgeAction):
    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        article_id = tracker.get_slot("article_id")
        if not isinstance(article_id, str) or not article_id:
            return []  # a stale button without its article: nothing to attribute
        shown: Any = tracker.get_slot("kb_shown")
        entry = next(
            (a for a in shown or [] if isinstance(a, dict) and a.get("id") == article_id), {}
        )
        score = entry.get("score")
        chunk = entry.get("chunk")
        earlier = customer_messages(tracker, 1)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        await self.bridge.record_feedback(
            conversation_id=tracker.sender_id,
            article_id=article_id,
            helpful=intent == "answer_helpful",
            language=tracker.get_slot("language") or "en",
            chunk_id=chunk if isinstance(chunk, str) else None,
            query=earlier[-1] if earlier else None,
            score=float(score) if isinstance(score, int | float) else None,
        )
        return []
