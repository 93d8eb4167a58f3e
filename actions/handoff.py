"""`action_handoff`: hands the conversation to a person through the bridge.

The bridge queues the handoff (or says that nobody can take it now); when it is queued the
customer hears their place in the queue and the conversation is paused, so the bot stays
silent until an agent hands it back (the bridge resumes it through Rasa's HTTP API).
The reason comes from the button that asked (`/request_human{"reason": "no_answer"}`), from
`action_answer_question` after two misses in a row, or is the customer's own request.
"""

import math
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.bridge_action import BridgeAction
from actions.knowledge import customer_messages

REASONS = frozenset({"customer_request", "no_answer", "not_helpful", "bot_failed", "nps_follow_up"})


def _reason(tracker: Tracker) -> str:
    for candidate in (
        tracker.get_slot("handoff_reason"),
        next(tracker.get_latest_entity_values("reason"), None),
    ):
        if candidate in REASONS:
            return str(candidate)
    return "customer_request"


class ActionHandoff(BridgeAction):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        shown: Any = tracker.get_slot("kb_shown")
        earlier = customer_messages(tracker, 1)
        outcome = await self.bridge.request_handoff(
            conversation_id=tracker.sender_id,
            reason=_reason(tracker),
            last_question=earlier[-1] if earlier else None,
            language=language,
            articles=shown if isinstance(shown, list) else [],
        )
        events: list[EventType] = [SlotSet("handoff_reason", None), SlotSet("kb_misses", 0)]
        if outcome.status == "queued":
            minutes = max(1, math.ceil(outcome.estimated_wait_s / 60))
            dispatcher.utter_message(
                text=replies.text(
                    "handoff_queued", language, position=str(outcome.position), minutes=str(minutes)
                )
            )
            return [*events, ConversationPaused()]
        if outcome.status == "offline":
            key = (
                "handoff_outside_hours"
                if outcome.reason == "outside_hours"
                else "handoff_no_agents"
            )
            dispatcher.utter_message(
                text=replies.text(key, language, hours=outcome.hours),
                # The widget opens its own form for this payload: it never reaches Rasa.
                buttons=[
                    {"title": replies.text("leave_message", language), "payload": "/leave_message"}
                ],
            )
            return events
        dispatcher.utter_message(text=replies.text("handoff_failed", language))
        return events
