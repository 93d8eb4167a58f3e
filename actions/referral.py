""" "How did you hear about us?": asked once per customer, right after an answer helped them
(a satisfied moment between questions, never in the middle of one).

`action_referral_start` runs after "Helpful". It asks the bridge, which records the question
unless this customer (their shop id, else their browser) was asked before, and sets
`referral_due`: when true it has put the question with a button per source; when false the
rules say "glad it helped" instead. `action_referral_record` reads the reply: a button, a typed
answer (actions/referral_parser.py: "egy barátom ajánlotta" is a friend, an unrecognised one
is "other" with the text), or "skip"/"no". A real question typed instead of an answer is
answered, and the referral question is not asked again.
"""

from typing import Final, get_args

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.bridge_action import BridgeAction
from actions.knowledge import payload
from actions.referral_parser import ReferralAnswer, Source, parse_referral

# The buttons' order: the sources, then skip.
SOURCES: Final[tuple[Source, ...]] = get_args(Source)
# Below this confidence a typed reply classified as a question may still be an answer
# ("through a podcast"); above it, with some length, it is a question.
QUESTION_CONFIDENCE: Final = 0.85
QUESTION_MIN_WORDS: Final = 4


def _language(tracker: Tracker) -> str:
    return str(tracker.get_slot("language") or "en")


def source_buttons(language: str) -> list[dict[str, str]]:
    return [
        {
            "title": replies.text(f"referral_{source}", language),
            "payload": payload("tell_referral", referral_source=source),
        }
        for source in SOURCES
    ]


class ActionReferralStart(BridgeAction):
    def name(self) -> str:
        return "action_referral_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = _language(tracker)
        referral_id = None
        if self.settings.referral_question:
            referral_id = await self.bridge.ask_referral(
                conversation_id=tracker.sender_id, language=language
            )
        if referral_id is None:
            return [SlotSet("referral_due", False)]
        dispatcher.utter_message(
            text=replies.text("referral_ask", language), buttons=source_buttons(language)
        )
        return [SlotSet("referral_due", True), SlotSet("referral_id", referral_id)]


def _is_question(text: str, intent: str, confidence: float) -> bool:
    if "?" in text:
        return True
    return (
        intent == "ask_question"
        and confidence >= QUESTION_CONFIDENCE
        and len(text.split()) >= QUESTION_MIN_WORDS
    )


def read_answer(tracker: Tracker) -> ReferralAnswer | None:
    """What the customer's reply says; None when it is a question, not an answer."""
    button = next(tracker.get_latest_entity_values("referral_source"), None)
    if button in SOURCES:
        return ReferralAnswer(button, None)
    text = str(tracker.latest_message.get("text") or "")
    intent = tracker.latest_message.get("intent") or {}
    name, confidence = str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)
    if text.startswith("/"):
        # Another button (an old answer's "Helpful"), or a hand-made payload: no answer.
        return ReferralAnswer("skipped", None) if name == "deny" else None
    answer = parse_referral(text)
    if answer.source == "other" and _is_question(text, name, confidence):
        return None
    if answer.source == "other" and name == "deny":
        return ReferralAnswer("skipped", None)
    return answer


class ActionReferralRecord(BridgeAction):
    def name(self) -> str:
        return "action_referral_record"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = _language(tracker)
        done: list[EventType] = [SlotSet("referral_due", False), SlotSet("referral_id", None)]
        answer = read_answer(tracker)
        if answer is None:
            return [*done, FollowupAction("action_answer_question")]
        referral_id = tracker.get_slot("referral_id")
        if not isinstance(referral_id, int | float) or referral_id < 1:
            # Told without being asked ("a friend sent me"): kept, unless asked before.
            referral_id = await self.bridge.ask_referral(
                conversation_id=tracker.sender_id, language=language
            )
        if referral_id is not None:
            await self.bridge.record_referral(
                referral_id=int(referral_id),
                conversation_id=tracker.sender_id,
                source=answer.source,
                detail=answer.detail,
            )
        key = "referral_thanks_skipped" if answer.source == "skipped" else "referral_thanks"
        dispatcher.utter_message(text=replies.text(key, language))
        return done
