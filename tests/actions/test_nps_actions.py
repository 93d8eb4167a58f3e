"""The NPS survey's actions, the way the action server runs them, against the live bridge:
whether to ask, reading answers (buttons, typed scores in both languages, refusals, unclear
ones asked again twice), the reason, and the thanks by category."""

from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.bridge_client import BridgeClient
from actions.nps import (
    ActionAskNpsReason,
    ActionAskNpsScore,
    ActionNpsFinish,
    ActionNpsStart,
    ValidateNpsForm,
)
from actions.settings import ActionSettings
from tests.conftest import TEST_SERVICE_TOKEN
from tests.live_chat import stored_surveys
from tests.processes import LiveBridge

DOMAIN: dict[str, Any] = {
    "slots": {},
    "forms": {"nps_form": {"required_slots": ["nps_score", "nps_reason"]}},
}
REVIEW_URL = "https://reviews.example/northwind"
ANSWERED = {"event": "slot", "name": "kb_shown", "value": [{"id": "delivery-times"}]}


def tracker(
    text: str,
    *,
    conversation_id: str = "c1",
    intent: str = "nlu_fallback",
    confidence: float = 0.4,
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    **slots: Any,
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": conversation_id,
            "slots": {"language": "en", **slots},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": confidence},
                "entities": entities or [],
            },
            "events": [*(events or []), {"event": "user", "text": text}],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "nps_form"},
            "latest_action_name": "action_listen",
        }
    )


def settings(url: str = "http://127.0.0.1:9", **values: Any) -> ActionSettings:
    return ActionSettings(bridge_url=url, service_token=TEST_SERVICE_TOKEN, **values)


@pytest.fixture
def bridge(live_bridge: LiveBridge) -> BridgeClient:
    return BridgeClient(settings(live_bridge.url))


async def conversation(live_bridge: LiveBridge, visitor: str = "visitor-1") -> str:
    async with httpx.AsyncClient(base_url=live_bridge.url) as http:
        created = await http.post("/api/conversations", json={"visitor_id": visitor})
    return str(created.json()["conversation_id"])


async def validate(form: ValidateNpsForm, said: Tracker) -> dict[str, Any]:
    """Run the form's validation like Rasa does; the slots it sets."""
    events = await form.run(CollectingDispatcher(), said, DOMAIN)
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


# --- Whether to ask ---------------------------------------------------------------------------


async def test_goodbye_after_an_answer_starts_the_survey_and_the_cooldown_holds(
    live_bridge: LiveBridge, bridge: BridgeClient
) -> None:
    first = await conversation(live_bridge)
    dispatcher = CollectingDispatcher()
    events = await ActionNpsStart(bridge, settings()).run(
        dispatcher,
        tracker("bye", conversation_id=first, intent="goodbye", events=[ANSWERED]),
        DOMAIN,
    )
    assert SlotSet("nps_due", True) in events and SlotSet("nps_trigger", "goodbye") in events
    assert dispatcher.messages == []  # the form asks the question
    [row] = stored_surveys(live_bridge.settings.database_url)
    assert (row.trigger, row.status, row.visitor_id) == ("goodbye", "asked", "visitor-1")

    # The same visitor, another conversation: within 30 days the bot just says goodbye...
    second = await conversation(live_bridge)
    dispatcher = CollectingDispatcher()
    events = await ActionNpsStart(bridge, settings()).run(
        dispatcher,
        tracker("bye", conversation_id=second, intent="goodbye", events=[ANSWERED]),
        DOMAIN,
    )
    assert events == [SlotSet("nps_due", False)]
    assert dispatcher.messages[0]["text"] == "Goodbye, and thanks for visiting Northwind Shop!"
    # ... and an offer of feedback is thanked, with a person to talk to.
    dispatcher = CollectingDispatcher()
    events = await ActionNpsStart(bridge, settings()).run(
        dispatcher,
        tracker("i want to give feedback", conversation_id=second, intent="give_feedback"),
        DOMAIN,
    )
    assert events == [SlotSet("nps_due", False)]
    [message] = dispatcher.messages
    assert "gave us a score recently" in message["text"]
    assert message["buttons"][0]["payload"].startswith("/request_human")
    assert len(stored_surveys(live_bridge.settings.database_url)) == 1


async def test_goodbye_before_any_answer_or_with_the_setting_off_does_not_ask(
    live_bridge: LiveBridge, bridge: BridgeClient
) -> None:
    conversation_id = await conversation(live_bridge)
    cases = [
        (settings(), tracker("bye", conversation_id=conversation_id, intent="goodbye")),
        (
            settings(nps_on_goodbye=False),
            tracker("bye", conversation_id=conversation_id, intent="goodbye", events=[ANSWERED]),
        ),
    ]
    for action_settings, said in cases:
        dispatcher = CollectingDispatcher()
        events = await ActionNpsStart(bridge, action_settings).run(dispatcher, said, DOMAIN)
        assert events == [SlotSet("nps_due", False)]
        assert "Goodbye" in dispatcher.messages[0]["text"]
    assert stored_surveys(live_bridge.settings.database_url) == []


async def test_after_an_agent_says_nothing_when_not_due_and_an_unreachable_bridge_skips() -> None:
    unreachable = BridgeClient(settings())
    dispatcher = CollectingDispatcher()
    said = tracker(
        "/give_feedback",
        intent="give_feedback",
        entities=[{"entity": "nps_trigger", "value": "after_agent"}],
    )
    events = await ActionNpsStart(unreachable, settings()).run(dispatcher, said, DOMAIN)
    assert events == [SlotSet("nps_due", False)] and dispatcher.messages == []


# --- The questions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "language", "opening"),
    [
        ("goodbye", "en", "Before you go: how likely"),
        ("after_agent", "en", "Thanks for chatting with us."),
        ("feedback_request", "hu", "Köszönjük, kíváncsiak vagyunk rá!"),
    ],
)
async def test_the_score_question_has_eleven_buttons_and_a_no_thanks(
    trigger: str, language: str, opening: str
) -> None:
    dispatcher = CollectingDispatcher()
    said = tracker("bye", nps_trigger=trigger, language=language)
    await ActionAskNpsScore(BridgeClient(settings()), settings()).run(dispatcher, said, DOMAIN)
    [message] = dispatcher.messages
    assert message["text"].startswith(opening)
    titles = [button["title"] for button in message["buttons"]]
    assert titles[:11] == [str(n) for n in range(11)]
    assert message["buttons"][9]["payload"] == '/nps_score{"nps_value": 9}'
    assert message["buttons"][11]["payload"] == "/deny"


async def test_the_re_ask_and_the_too_long_reason_say_what_was_wrong() -> None:
    client = BridgeClient(settings())
    dispatcher = CollectingDispatcher()
    await ActionAskNpsScore(client, settings()).run(
        dispatcher, tracker("lots", nps_reask="unclear"), DOMAIN
    )
    assert dispatcher.messages[0]["text"].startswith("Sorry, I didn't catch that.")
    dispatcher = CollectingDispatcher()
    await ActionAskNpsReason(client, settings(nps_reason_max_chars=50)).run(
        dispatcher, tracker("x" * 60, nps_reask="too_long", language="hu"), DOMAIN
    )
    [message] = dispatcher.messages
    assert "legfeljebb 50 karakterben" in message["text"]
    assert message["buttons"] == [{"title": "Kihagyom", "payload": "/deny"}]


# --- Reading the answers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "score"),
    [
        ("9", "en", 9),
        ("nine", "en", 9),
        ("10/10", "en", 10),
        ("8 out of 10", "en", 8),
        ("kilenc", "hu", 9),
        ("10-ből 8", "hu", 8),
        ("Tízből nyolcat adnék", "hu", 8),
    ],
)
async def test_typed_scores_fill_the_score(text: str, language: str, score: int) -> None:
    form = ValidateNpsForm(BridgeClient(settings()), settings())
    said = tracker(text, requested_slot="nps_score", language=language)
    assert (await validate(form, said))["nps_score"] == score


async def test_a_button_fills_the_score_and_the_bridge_stores_it(
    live_bridge: LiveBridge, bridge: BridgeClient
) -> None:
    conversation_id = await conversation(live_bridge)
    started = await bridge.start_survey(
        conversation_id=conversation_id, language="en", trigger="goodbye"
    )
    form = ValidateNpsForm(bridge, settings())
    button = tracker(
        '/nps_score{"nps_value": 3}',
        conversation_id=conversation_id,
        intent="nps_score",
        confidence=1.0,
        entities=[{"entity": "nps_value", "value": 3}],
        requested_slot="nps_score",
        nps_survey_id=started.survey_id,
    )
    assert (await validate(form, button))["nps_score"] == 3
    reason = tracker(
        "  The parcel came a week late.  ",
        conversation_id=conversation_id,
        requested_slot="nps_reason",
        nps_survey_id=started.survey_id,
        nps_score=3,
    )
    assert (await validate(form, reason))["nps_reason"] == "The parcel came a week late."
    [row] = stored_surveys(live_bridge.settings.database_url)
    assert (row.status, row.score, row.category, row.reason) == (
        "answered",
        3,
        "detractor",
        "The parcel came a week late.",
    )


@pytest.mark.parametrize(
    ("text", "intent"),
    [("no thanks", "deny"), ("nem", "deny"), ("/deny", "deny"), ("most nem", "deny")],
)
async def test_a_refusal_ends_the_form_as_declined(text: str, intent: str) -> None:
    form = ValidateNpsForm(BridgeClient(settings()), settings())
    slots = await validate(form, tracker(text, intent=intent, requested_slot="nps_score"))
    assert slots["nps_outcome"] == "declined" and slots["requested_slot"] is None


async def test_a_goodbye_instead_of_a_score_declines() -> None:
    form = ValidateNpsForm(BridgeClient(settings()), settings())
    said = tracker("bye!", intent="goodbye", confidence=0.95, requested_slot="nps_score")
    assert (await validate(form, said))["nps_outcome"] == "declined"


async def test_unclear_answers_are_asked_again_twice_then_dropped() -> None:
    form = ValidateNpsForm(BridgeClient(settings()), settings())
    reasks = 0
    for text in ("11", "-1"):
        slots = await validate(form, tracker(text, requested_slot="nps_score", nps_reasks=reasks))
        assert slots["nps_score"] is None and slots["nps_reask"] == "unclear"
        assert "requested_slot" not in slots  # Rasa asks the same slot again
        reasks = slots["nps_reasks"]
    assert reasks == 2
    slots = await validate(form, tracker("lots", requested_slot="nps_score", nps_reasks=reasks))
    assert slots["nps_outcome"] == "dropped" and slots["requested_slot"] is None


async def test_a_clear_question_or_a_request_for_a_person_ends_the_survey() -> None:
    form = ValidateNpsForm(BridgeClient(settings()), settings())
    question = tracker(
        "how do I return a broken kettle?",
        intent="ask_question",
        confidence=0.97,
        requested_slot="nps_score",
    )
    assert (await validate(form, question))["nps_outcome"] == "switched"
    short = tracker("lots", intent="ask_question", confidence=0.97, requested_slot="nps_score")
    assert (await validate(form, short))["nps_reask"] == "unclear"


@pytest.mark.parametrize("text", ["skip", "no", "nem, köszönöm", "Semmi különös", "/deny"])
async def test_the_reason_can_be_skipped(text: str) -> None:
    form = ValidateNpsForm(BridgeClient(settings()), settings())
    slots = await validate(form, tracker(text, requested_slot="nps_reason", nps_score=8))
    assert slots["nps_reason"] == ""
    assert "requested_slot" not in slots  # Rasa's form sees both filled ("" is) and ends


async def test_a_reason_over_the_limit_is_asked_again_and_not_stored() -> None:
    form = ValidateNpsForm(BridgeClient(settings()), settings(nps_reason_max_chars=20))
    slots = await validate(
        form, tracker("a" * 21, requested_slot="nps_reason", nps_score=8, nps_survey_id=1)
    )
    assert slots["nps_reason"] is None and slots["nps_reask"] == "too_long"


async def test_nothing_is_read_at_activation() -> None:
    """Rasa validates the slots action_nps_start cleared when it activates the form: they
    stay empty, nothing counts as an unclear answer or a skipped reason."""
    form = ValidateNpsForm(BridgeClient(settings()), settings())
    assert await validate(form, tracker("bye", intent="goodbye")) == {}
    cleared = Tracker.from_dict(
        {
            **tracker("EXTERNAL: give_feedback", intent="give_feedback").current_state(),
            "events": [
                {"event": "user", "text": "EXTERNAL: give_feedback"},
                {"event": "action", "name": "nps_form"},
                {"event": "slot", "name": "nps_score", "value": None},
                {"event": "slot", "name": "nps_reason", "value": None},
            ],
        }
    )
    slots = await validate(form, cleared)
    assert slots == {"nps_score": None, "nps_reason": None}


# --- The thanks -------------------------------------------------------------------------------


async def finish(**slots: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    said = tracker("", **slots)
    action = ActionNpsFinish(BridgeClient(settings()), settings(nps_review_url=REVIEW_URL))
    events = await action.run(dispatcher, said, DOMAIN)
    return dispatcher.messages, events


async def test_promoters_get_the_review_link_and_a_goodbye_after_a_goodbye() -> None:
    [message], events = await finish(nps_score=10, nps_trigger="goodbye")
    assert f"]({REVIEW_URL})" in message["text"]
    assert message["text"].endswith("Goodbye, and thanks for visiting Northwind Shop!")
    assert SlotSet("nps_due", False) in events and SlotSet("nps_score", None) in events


async def test_passives_are_thanked_in_hungarian_without_a_link() -> None:
    [message], _ = await finish(nps_score=7, nps_trigger="after_agent", language="hu")
    assert message["text"] == "Köszönjük a visszajelzését! Felhasználjuk, hogy még jobbak legyünk."


async def test_detractors_are_offered_a_person() -> None:
    [message], _ = await finish(nps_score=2, nps_trigger="feedback_request")
    assert "follow up" in message["text"]
    assert message["buttons"][0]["payload"] == '/request_human{"reason": "nps_follow_up"}'
    assert message["buttons"][1]["payload"] == "/deny"


async def test_declined_and_dropped_surveys_end_politely_and_a_question_gets_its_answer() -> None:
    [message], _ = await finish(nps_outcome="declined", nps_trigger="feedback_request")
    assert message["text"] == "No problem, I won't ask again."
    [message], _ = await finish(nps_outcome="dropped", nps_trigger="goodbye", language="hu")
    assert message["text"].startswith("Akkor hagyjuk, azért köszönjük!")
    messages, events = await finish(nps_outcome="switched", nps_trigger="goodbye")
    assert messages == [] and FollowupAction("action_answer_question") in events
