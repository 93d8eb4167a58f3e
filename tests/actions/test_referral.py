""" "How did you hear about us?" in the actions: typed answers read in both languages, the
question put once per customer against a real bridge, buttons, typed answers, skips, and a
real question typed instead of an answer handed to the knowledge-base search."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actions.bridge_client import BridgeClient
from actions.referral import ActionReferralRecord, ActionReferralStart
from actions.referral_parser import parse_referral
from actions.settings import ActionSettings
from bridge.db.migrate import upgrade
from bridge.db.models import ReferralAnswer
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import TEST_SERVICE_TOKEN, make_settings
from tests.processes import LiveBridge


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("A friend told me about you", "friend_family"),
        ("my sister", "friend_family"),
        ("Egy barátnőm ajánlotta", "friend_family"),
        ("egy baratnom ajanlotta", "friend_family"),  # no accents
        ("a kollégámtól hallottam", "friend_family"),
        ("googled it", "search"),
        ("rákerestem a Google-ben", "search"),
        ("Facebookon láttam", "social"),
        ("saw it on TikTok", "social"),
        ("az Árukeresőn", "review_site"),
        ("read reviews on trustpilot", "review_site"),
        ("saw an ad", "advert"),
        ("tévében láttam a reklámot", "advert"),
        ("a friend shared your Facebook post", "friend_family"),  # the first one named
        ("a Facebook post a friend shared", "social"),
        ("egy podcastban hallottam", "other"),
        ("Kihagyom", "skipped"),
        ("no", "skipped"),
        ("nem emlékszem", "skipped"),
        ("   ", "skipped"),
    ],
)
def test_typed_answers_are_read_in_both_languages(text: str, source: str) -> None:
    answer = parse_referral(text)
    assert answer.source == source
    assert answer.detail == (None if source == "skipped" else text.strip())


def test_a_long_typed_answer_is_kept_to_200_characters() -> None:
    assert parse_referral("x" * 500).detail == "x" * 200


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[LiveBridge]:
    """A bridge without Rasa: only its referral API is used."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index")
    live = LiveBridge(make_settings(url, None), kb)
    live.start()
    yield live
    live.stop()


def tracker(conversation_id: str, text: str = "", intent: str = "", **slots: Any) -> Tracker:
    entities = [
        {"entity": name, "value": value}
        for name, value in slots.pop("entities", {}).items()  # a button's entities
    ]
    return Tracker.from_dict(
        {
            "sender_id": conversation_id,
            "slots": {"language": "hu", **slots},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.95},
                "entities": entities,
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def run(
    action: Any, said: Tracker, bridge_url: str, **settings: Any
) -> tuple[list[Any], list[Any]]:
    config = ActionSettings(bridge_url=bridge_url, service_token=TEST_SERVICE_TOKEN, **settings)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action(BridgeClient(config), config).run(dispatcher, said, {}))
    return events, dispatcher.messages


def stored(bridge: LiveBridge) -> list[tuple[str | None, str | None]]:
    async def read(session: AsyncSession) -> list[tuple[str | None, str | None]]:
        rows = await session.scalars(select(ReferralAnswer).order_by(ReferralAnswer.id))
        return [(row.source, row.detail) for row in rows]

    return aio.run_sql(bridge.settings.database_url, read)


def conversation(bridge: LiveBridge, visitor: str) -> str:
    created = httpx.post(f"{bridge.url}/api/conversations", json={"visitor_id": visitor})
    return str(created.json()["conversation_id"])


def test_the_question_is_put_once_with_a_button_per_source(bridge: LiveBridge) -> None:
    first = conversation(bridge, "v-1")
    events, [message] = run(ActionReferralStart, tracker(first), bridge.url)
    assert events[0] == SlotSet("referral_due", True)
    referral_id = events[1]["value"]
    assert "honnan hallott" in message["text"]
    payloads = [button["payload"] for button in message["buttons"]]
    assert payloads[0] == '/tell_referral{"referral_source": "friend_family"}'
    assert payloads[-1] == '/tell_referral{"referral_source": "skipped"}'
    assert len(payloads) == 7

    button = tracker(
        first,
        payloads[3],
        "tell_referral",
        referral_id=referral_id,
        entities={"referral_source": "review_site"},
    )
    events, [thanks] = run(ActionReferralRecord, button, bridge.url)
    assert SlotSet("referral_id", None) in events
    assert thanks["text"].startswith("Köszönöm")
    assert stored(bridge) == [("review_site", None)]

    # The same browser, a later conversation: not asked, "glad it helped" follows instead.
    later = conversation(bridge, "v-1")
    events, said = run(ActionReferralStart, tracker(later), bridge.url)
    assert (events, said) == ([SlotSet("referral_due", False)], [])


def test_a_typed_answer_a_skip_and_a_real_question(bridge: LiveBridge) -> None:
    typed = conversation(bridge, "v-2")
    events, _ = run(ActionReferralStart, tracker(typed), bridge.url)
    said = tracker(typed, "Egy barátnőm ajánlotta", "nlu_fallback", referral_id=events[1]["value"])
    run(ActionReferralRecord, said, bridge.url)

    skipped = conversation(bridge, "v-3")
    events, _ = run(ActionReferralStart, tracker(skipped), bridge.url)
    no = tracker(skipped, "nem", "deny", referral_id=events[1]["value"])
    _, [reply] = run(ActionReferralRecord, no, bridge.url)
    assert reply["text"].startswith("Rendben, semmi gond")

    asking = conversation(bridge, "v-4")
    events, _ = run(ActionReferralStart, tracker(asking), bridge.url)
    question = tracker(
        asking, "mennyibe kerül a házhozszállítás Debrecenbe", "ask_question", referral_id=1
    )
    events, said_nothing = run(ActionReferralRecord, question, bridge.url)
    assert events[-1] == FollowupAction("action_answer_question") and said_nothing == []

    assert stored(bridge) == [
        ("friend_family", "Egy barátnőm ajánlotta"),
        ("skipped", None),
        (None, None),  # asked, then a question instead: never asked again
    ]


def test_told_without_being_asked_is_kept_once(bridge: LiveBridge) -> None:
    volunteered = conversation(bridge, "v-5")
    said = tracker(volunteered, "a friend recommended you", "tell_referral")
    _, [thanks] = run(ActionReferralRecord, said, bridge.url)
    assert "Köszönöm" in thanks["text"]
    again = tracker(volunteered, "saw your advert on tv", "tell_referral")
    run(ActionReferralRecord, again, bridge.url)
    assert stored(bridge) == [("friend_family", "a friend recommended you")]


def test_switched_off_or_an_unreachable_bridge_asks_nothing(bridge: LiveBridge) -> None:
    off = conversation(bridge, "v-6")
    events, said = run(ActionReferralStart, tracker(off), bridge.url, referral_question=False)
    assert (events, said) == ([SlotSet("referral_due", False)], [])
    events, said = run(ActionReferralStart, tracker(off), "http://127.0.0.1:9")
    assert (events, said) == ([SlotSet("referral_due", False)], [])
    assert stored(bridge) == []
