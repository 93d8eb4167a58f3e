"""The knowledge-base actions with the real index, run the way the action server runs them."""

from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.bridge_client import BridgeClient
from actions.knowledge import ActionAnswerQuestion, ActionShowArticle, quote
from actions.settings import ActionSettings
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import KBSettings
from tests.conftest import TEST_SERVICE_TOKEN, shared_embedders
from tests.processes import LiveBridge

DOMAIN: dict[str, Any] = {"slots": {}, "forms": {}}


def tracker(
    text: str,
    language: str,
    *,
    earlier: tuple[str, ...] = (),
    intent: str = "ask_question",
    **slots: Any,
) -> Tracker:
    events = [{"event": "user", "text": t} for t in earlier] + [{"event": "user", "text": text}]
    return Tracker.from_dict(
        {
            "sender_id": slots.pop("sender_id", "c1"),
            "slots": {"language": language, **slots},
            "latest_message": {"text": text, "intent": {"name": intent}},
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


@pytest.fixture
def action_settings(live_bridge: LiveBridge) -> ActionSettings:
    return ActionSettings(
        bridge_url=live_bridge.url,
        public_url="https://help.example",
        service_token=TEST_SERVICE_TOKEN,
    )


def make(cls: type, kb_settings: KBSettings, settings: ActionSettings) -> Any:
    return cls(
        knowledge_base=KnowledgeBase(kb_settings, embedders=shared_embedders()),
        bridge=BridgeClient(settings),
        settings=settings,
    )


async def test_a_question_gets_a_short_answer_with_its_link(
    kb_settings: KBSettings, action_settings: ActionSettings
) -> None:
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, kb_settings, action_settings)
    events = await action.run(dispatcher, tracker("how do I reset my password", "en"), DOMAIN)
    assert events[0] == SlotSet("article_id", "password-reset")
    [message] = dispatcher.messages
    assert "https://help.example/kb/password-reset" in message["text"]
    assert len(message["text"]) < 700  # a quote, not the article
    assert [b["payload"] for b in message["buttons"]] == [
        '/answer_helpful{"article_id": "password-reset"}',
        '/answer_not_helpful{"article_id": "password-reset"}',
    ]


async def test_hungarian_question_gets_the_hungarian_article(
    kb_settings: KBSettings, action_settings: ActionSettings
) -> None:
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, kb_settings, action_settings)
    await action.run(dispatcher, tracker("elfelejtettem a jelszavamat", "hu"), DOMAIN)
    [message] = dispatcher.messages
    assert "/kb/hu-password-reset" in message["text"] and "Bővebben" in message["text"]
    assert message["buttons"][0]["title"] == "Hasznos volt"


async def test_no_answer_is_honest_offers_a_person_and_is_recorded(
    kb_settings: KBSettings, action_settings: ActionSettings, live_bridge: LiveBridge
) -> None:
    async with httpx.AsyncClient(base_url=live_bridge.url) as http:
        conversation = (await http.post("/api/conversations", json={})).json()
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, kb_settings, action_settings)
    question = "what is the airspeed velocity of an unladen swallow"
    await action.run(
        dispatcher, tracker(question, "en", sender_id=conversation["conversation_id"]), DOMAIN
    )
    [message] = dispatcher.messages
    assert "couldn't find an answer" in message["text"]
    assert message["buttons"] == [
        {"title": "Talk to a person", "payload": '/request_human{"reason": "no_answer"}'}
    ]
    async with httpx.AsyncClient(base_url=live_bridge.url) as http:
        response = await http.get(
            "/api/unanswered", headers={"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
        )
    recorded = response.json()
    assert [(r["question"], r["conversation_id"]) for r in recorded] == [
        (question, conversation["conversation_id"])
    ]


async def test_a_second_miss_in_a_row_hands_over_to_a_person(
    kb_settings: KBSettings, action_settings: ActionSettings
) -> None:
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, kb_settings, action_settings)
    question = "what is the airspeed velocity of an unladen swallow"
    events = await action.run(dispatcher, tracker(question, "en", kb_misses=1.0), DOMAIN)
    assert dispatcher.messages == []  # action_handoff explains what happens next
    assert SlotSet("kb_misses", 2) in events
    assert SlotSet("handoff_reason", "bot_failed") in events
    assert FollowupAction("action_handoff") in events


async def test_an_answer_resets_the_misses_and_remembers_what_was_shown(
    kb_settings: KBSettings, action_settings: ActionSettings
) -> None:
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, kb_settings, action_settings)
    events = await action.run(
        dispatcher, tracker("how can I reset my password?", "en", kb_misses=1.0), DOMAIN
    )
    assert SlotSet("kb_misses", 0) in events
    [shown] = [e["value"] for e in events if e.get("name") == "kb_shown"]
    assert shown[0]["id"] == "password-reset" and shown[0]["score"] > 0


async def test_missing_index_still_answers_with_the_no_answer_path(
    tmp_path: Any, action_settings: ActionSettings
) -> None:
    broken = KBSettings(articles_dir=tmp_path, index_dir=tmp_path / "no-index")
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, broken, action_settings)
    await action.run(dispatcher, tracker("how do I reset my password", "hu"), DOMAIN)
    [message] = dispatcher.messages
    assert "Sajnos" in message["text"]
    assert message["buttons"][0]["payload"].startswith("/request_human")


async def test_follow_up_uses_the_earlier_question(
    kb_settings: KBSettings, action_settings: ActionSettings
) -> None:
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, kb_settings, action_settings)
    events = await action.run(
        dispatcher,
        tracker("and how long does it take?", "en", earlier=("I sent back a toaster, refund?",)),
        DOMAIN,
    )
    assert events[0] == SlotSet("article_id", "refund-timing")


async def test_a_chosen_article_is_shown(
    kb_settings: KBSettings, action_settings: ActionSettings
) -> None:
    dispatcher = CollectingDispatcher()
    action = make(ActionShowArticle, kb_settings, action_settings)
    state = tracker(
        '/choose_article{"article_id": "delivery-times"}',
        "en",
        earlier=("when will it arrive",),
        article_id="delivery-times",
    )
    await action.run(dispatcher, state, DOMAIN)
    [message] = dispatcher.messages
    assert "https://help.example/kb/delivery-times" in message["text"]


@pytest.mark.parametrize(
    ("text", "language", "article"),
    [
        ("what about instalments?", "en", "installment-payments"),
        ("3 hónap után tönkrement a készülék, mit tegyek?", "hu", "hu-warranty-claim"),
    ],
)
async def test_a_shop_question_taken_for_small_talk_is_still_answered(
    kb_settings: KBSettings, action_settings: ActionSettings, text: str, language: str, article: str
) -> None:
    """The classifier's out_of_scope is a guess: a confident article match wins."""
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, kb_settings, action_settings)
    events = await action.run(dispatcher, tracker(text, language, intent="out_of_scope"), DOMAIN)
    assert events[0] == SlotSet("article_id", article)
    assert dispatcher.messages[0]["buttons"][0]["payload"].startswith("/answer_helpful")


@pytest.mark.parametrize(
    ("text", "language"),
    [("what is the capital of Mongolia", "en"), ("mi a kedvenc színed?", "hu")],
)
async def test_off_topic_is_declined_politely_and_not_recorded(
    kb_settings: KBSettings, action_settings: ActionSettings, text: str, language: str
) -> None:
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, kb_settings, action_settings)
    events = await action.run(dispatcher, tracker(text, language, intent="out_of_scope"), DOMAIN)
    assert dispatcher.messages == [
        {**dispatcher.messages[0], "response": "utter_out_of_scope"}
    ]  # the domain's polite decline, in the slot's language
    assert events == [SlotSet("article_id", None)]  # no miss counted: no handoff follows


@pytest.mark.parametrize("text", ["why so", "then", "mi az", "ez az", "🙂", "???"])
async def test_messages_without_searchable_words_get_the_no_answer_reply(
    kb_settings: KBSettings, action_settings: ActionSettings, text: str
) -> None:
    """Stop words only used to crash the search (BM25 with no terms): no reply at all."""
    dispatcher = CollectingDispatcher()
    action = make(ActionAnswerQuestion, kb_settings, action_settings)
    language = "hu" if text in ("mi az", "ez az") else "en"
    await action.run(dispatcher, tracker(text, language, intent="nlu_fallback"), DOMAIN)
    [message] = dispatcher.messages
    assert message["buttons"][0]["payload"].startswith("/request_human")


def test_quote_keeps_whole_sentences() -> None:
    text = "First sentence here. " * 40
    quoted = quote(text, limit=100)
    assert quoted.endswith(".") and len(quoted) <= 100
    assert quote("Short.") == "Short."
