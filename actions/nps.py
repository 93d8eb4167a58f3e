"""The NPS survey inside the conversation: whether to ask, the form's questions, reading the
answers, and the thanks.

`action_nps_start` runs on a goodbye, on "I want to give feedback", and when the bridge
triggers it after an agent is done (`/give_feedback{"nps_trigger": "after_agent"}`). It asks
the bridge to record the question, which refuses within the visitor's cooldown, and sets
`nps_due`; when it is true the rules run `nps_form`.

`validate_nps_form` reads every answer itself, whatever intent the NLU saw, so the form never
rejects: a button or a typed score is stored at once (a customer who leaves before the
reason question still counts), "no thanks" ends the survey, and an unclear answer is asked
again twice before the survey is dropped. A question or a request for a person instead of a
score ends the survey and gets its answer. `action_nps_finish` thanks the customer by
category: promoters get the review link, detractors the offer of a person.
"""

import logging
from typing import Any, Final, Literal

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import replies
from actions.bridge_action import BridgeAction, UsesBridge
from actions.knowledge import payload
from actions.nps_parser import parse_nps_answer
from knowledge_base.text import fold

log = logging.getLogger(__name__)

Trigger = Literal["after_agent", "goodbye", "feedback_request"]
MAX_REASKS: Final = 2
# Below these NLU confidences a message during the score question is only an unclear answer.
SWITCH_CONFIDENCE: Final = {"request_human": 0.7, "ask_question": 0.85}
LEAVING_CONFIDENCE: Final = 0.8
# A question must have some length to end the survey: "lots" is an unclear score, not a question.
QUESTION_MIN_WORDS: Final = 3
SKIP_REASONS: Final = frozenset(
    fold(text)
    for text in (
        "no", "nothing", "nothing special", "no reason", "none", "n/a", "na", "-", "skip",
        "semmi", "semmi különös", "nincs", "nincs oka", "nem tudom", "passz",
    )
)  # fmt: skip
SURVEY_SLOTS: Final = (
    "nps_score",
    "nps_reason",
    "nps_reasks",
    "nps_reask",
    "nps_outcome",
)


def _language(tracker: Tracker) -> str:
    return str(tracker.get_slot("language") or "en")


def _intent(tracker: Tracker) -> tuple[str, float]:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def _survey_id(tracker: Tracker) -> int | None:
    value = tracker.get_slot("nps_survey_id")
    return int(value) if isinstance(value, int | float) and value >= 1 else None


def _trigger(tracker: Tracker) -> Trigger:
    if next(tracker.get_latest_entity_values("nps_trigger"), None) == "after_agent":
        return "after_agent"
    # "No" to "anything else?" is a goodbye too (see the chitchat and knowledge rules).
    if _intent(tracker)[0] in ("goodbye", "deny"):
        return "goodbye"
    return "feedback_request"


def answered_before(tracker: Tracker) -> bool:
    """Whether the knowledge base has answered anything in this conversation."""
    return any(
        event.get("event") == "slot" and event.get("name") == "kb_shown" and event.get("value")
        for event in tracker.events or []
    )


def category(score: int) -> Literal["promoter", "passive", "detractor"]:
    return "promoter" if score >= 9 else "detractor" if score <= 6 else "passive"


def talk_to_a_person(language: str, reason: str = "customer_request") -> list[dict[str, str]]:
    button = {
        "title": replies.text("human", language),
        "payload": payload("request_human", reason=reason),
    }
    return [button]


class ActionNpsStart(BridgeAction):
    def name(self) -> str:
        return "action_nps_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = _language(tracker)
        trigger = _trigger(tracker)
        not_due: list[EventType] = [SlotSet("nps_due", False)]
        enabled = {
            "after_agent": True,  # the bridge only triggers it when NPS_AFTER_AGENT is on
            "goodbye": self.settings.nps_on_goodbye and answered_before(tracker),
            "feedback_request": self.settings.nps_on_feedback_request,
        }[trigger]
        started = None
        if enabled:
            started = await self.bridge.start_survey(
                conversation_id=tracker.sender_id, language=language, trigger=trigger
            )
        if started is not None and started.status == "started":
            return [
                SlotSet("nps_due", True),
                SlotSet("nps_survey_id", started.survey_id),
                SlotSet("nps_trigger", trigger),
                *(SlotSet(slot, None) for slot in SURVEY_SLOTS),
            ]
        if trigger == "goodbye":
            dispatcher.utter_message(text=replies.text("goodbye", language))
        elif trigger == "feedback_request":
            key = (
                "nps_recently_asked"
                if started is not None and started.status == "recently_asked"
                else "nps_unavailable"
            )
            dispatcher.utter_message(
                text=replies.text(key, language), buttons=talk_to_a_person(language)
            )
        # after_agent: the bridge carries on (the hand-back greeting, or the closed chat).
        return not_due


def score_buttons(language: str) -> list[dict[str, str]]:
    buttons = [
        {"title": str(score), "payload": payload("nps_score", nps_value=score)}
        for score in range(11)
    ]
    return [*buttons, {"title": replies.text("nps_no_thanks", language), "payload": "/deny"}]


class ActionAskNpsScore(BridgeAction):
    def name(self) -> str:
        return "action_ask_nps_score"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = _language(tracker)
        if tracker.get_slot("nps_reask") == "unclear":
            key = "nps_reask"
        else:
            key = f"nps_ask_{tracker.get_slot('nps_trigger') or 'feedback_request'}"
        dispatcher.utter_message(text=replies.text(key, language), buttons=score_buttons(language))
        return []


class ActionAskNpsReason(BridgeAction):
    def name(self) -> str:
        return "action_ask_nps_reason"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = _language(tracker)
        if tracker.get_slot("nps_reask") == "too_long":
            limit = str(self.settings.nps_reason_max_chars)
            text = replies.text("nps_reason_too_long", language, limit=limit)
        else:
            text = replies.text("nps_ask_reason", language)
        skip = {"title": replies.text("nps_skip", language), "payload": "/deny"}
        dispatcher.utter_message(text=text, buttons=[skip])
        return []


class ValidateNpsForm(UsesBridge, FormValidationAction):  # type: ignore[misc]  # untyped
    """`validate_nps_form`: extract_* hands over what the customer said (the button's score or
    the text); validate_* decides what it means and stores it with the bridge."""

    def name(self) -> str:
        return "validate_nps_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # An outcome (declined, dropped, switched) ends the form before its slots are filled.
        return [] if tracker.get_slot("nps_outcome") else list(domain_slots)

    async def extract_nps_score(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _said(tracker, "nps_score")

    async def extract_nps_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _said(tracker, "nps_reason")

    async def validate_nps_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "nps_score":
            return {}  # Rasa re-validates slots set before the form asked anything
        text = value if isinstance(value, str) else ""
        intent, confidence = _intent(tracker)
        score: int | None = None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10:
            score = value  # a button
        elif text.startswith("/"):
            if intent == "deny":
                return _ends("declined")
            if intent == "request_human":
                return _ends("switched")
            # Any other button (an old answer's "Helpful"): not an answer to this question.
        else:
            answer = parse_nps_answer(text, _language(tracker))
            if answer.kind == "decline":
                return _ends("declined")
            score = answer.score
            if score is None and intent == "goodbye" and confidence >= LEAVING_CONFIDENCE:
                return _ends("declined")  # "bye" instead of a score: they are leaving
            if score is None and _switches(text, intent, confidence):
                return _ends("switched")
        if score is None:
            reasks = int(tracker.get_slot("nps_reasks") or 0) + 1
            if reasks > MAX_REASKS:
                return _ends("dropped")
            return {"nps_score": None, "nps_reasks": reasks, "nps_reask": "unclear"}
        survey_id = _survey_id(tracker)
        if survey_id is not None:
            await self.bridge.record_score(survey_id=survey_id, score=score)
        return {"nps_score": score, "nps_reask": None}

    async def validate_nps_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "nps_reason":
            return {}
        text = value.strip() if isinstance(value, str) else ""
        skipped = (
            not text
            or text.startswith("/")  # the Skip button (or any other)
            or fold(text) in SKIP_REASONS
            or parse_nps_answer(text, _language(tracker)).kind == "decline"
        )
        if skipped:
            return {"nps_reason": "", "nps_reask": None}
        if len(text) > self.settings.nps_reason_max_chars:
            return {"nps_reason": None, "nps_reask": "too_long"}
        survey_id = _survey_id(tracker)
        if survey_id is not None:
            await self.bridge.record_reason(survey_id=survey_id, reason=text)
        return {"nps_reason": text, "nps_reask": None}


def _said(tracker: Tracker, slot: str) -> dict[str, Any]:
    """The answer to the question asked now: a button's score, else the message's text."""
    if tracker.get_slot("requested_slot") != slot:
        return {}  # at activation, or another question: nothing to read
    if slot == "nps_score":
        value = next(tracker.get_latest_entity_values("nps_value"), None)
        try:
            if value is not None:
                return {slot: int(value)}
        except (TypeError, ValueError):
            pass  # a hand-made payload: read as the unclear answer it is
    return {slot: str(tracker.latest_message.get("text") or "")}


def _switches(text: str, intent: str, confidence: float) -> bool:
    """A clear question or request for a person instead of a score ends the survey."""
    if intent not in SWITCH_CONFIDENCE or confidence < SWITCH_CONFIDENCE[intent]:
        return False
    return intent == "request_human" or len(text.split()) >= QUESTION_MIN_WORDS


def _ends(outcome: str) -> dict[str, Any]:
    return {"nps_score": None, "nps_outcome": outcome, "nps_reask": None}


class ActionNpsFinish(BridgeAction):
    def name(self) -> str:
        return "action_nps_finish"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = _language(tracker)
        outcome = tracker.get_slot("nps_outcome")
        score = tracker.get_slot("nps_score")
        survey_id = _survey_id(tracker)
        events: list[EventType] = [
            SlotSet("nps_due", False),
            SlotSet("nps_survey_id", None),
            SlotSet("nps_trigger", None),
            *(SlotSet(slot, None) for slot in SURVEY_SLOTS),
        ]
        if outcome in ("declined", "dropped", "switched") and survey_id is not None:
            ended = "declined" if outcome == "declined" else "dropped"
            await self.bridge.end_survey(survey_id=survey_id, outcome=ended)
        if outcome == "switched":
            intent, _ = _intent(tracker)
            follow = "action_handoff" if intent == "request_human" else "action_answer_question"
            return [*events, FollowupAction(follow)]
        goodbye = tracker.get_slot("nps_trigger") == "goodbye"
        if outcome in ("declined", "dropped"):
            self._say(dispatcher, f"nps_{outcome}", language, goodbye)
        elif isinstance(score, int | float):
            await self._thank(dispatcher, tracker.sender_id, int(score), language, goodbye)
        return events

    async def _thank(
        self,
        dispatcher: CollectingDispatcher,
        conversation_id: str,
        score: int,
        language: str,
        goodbye: bool,
    ) -> None:
        kind = category(score)
        if kind == "detractor":
            buttons = [
                {
                    "title": replies.text("nps_follow_up_yes", language),
                    "payload": payload("request_human", reason="nps_follow_up"),
                },
                {"title": replies.text("nps_no_thanks", language), "payload": "/deny"},
            ]
            dispatcher.utter_message(
                text=replies.text("nps_thanks_detractor", language), buttons=buttons
            )
            return
        text = replies.text(f"nps_thanks_{kind}", language)
        if kind == "promoter" and self.settings.nps_review_url:
            # The bridge's counted link; the plain URL when it cannot make one (the invitation
            # is then not counted, but the promoter still gets it).
            url = await self.bridge.review_link(conversation_id=conversation_id, language=language)
            text += " " + replies.text(
                "nps_review", language, url=url or self.settings.nps_review_url
            )
        self._say(dispatcher, None, language, goodbye, text=text)

    @staticmethod
    def _say(
        dispatcher: CollectingDispatcher,
        key: str | None,
        language: str,
        goodbye: bool,
        *,
        text: str = "",
    ) -> None:
        text = text or replies.text(key or "", language)
        if goodbye:
            text += "\n\n" + replies.text("goodbye", language)
        dispatcher.utter_message(text=text)
