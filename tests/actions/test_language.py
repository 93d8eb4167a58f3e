"""The language slot action, run the way the action server runs it."""

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ValidateSlotMappings
from actions.language_detection import detect_language

DOMAIN: dict[str, Any] = {
    "slots": {
        "language": {
            "type": "categorical",
            "values": ["en", "hu"],
            "mappings": [{"type": "custom"}],
        }
    },
    "forms": {},
}


def tracker(text: str, metadata: dict[str, Any] | None, language: str | None = None) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "c1",
            "slots": {"language": language},
            "latest_message": {"text": text, "metadata": metadata or {}, "intent": {}},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def run(text: str, metadata: dict[str, Any] | None, language: str | None = None) -> list:
    dispatcher = CollectingDispatcher()
    events = await ValidateSlotMappings().run(dispatcher, tracker(text, metadata, language), DOMAIN)
    assert dispatcher.messages == []  # the action never talks
    return events


@pytest.mark.parametrize(
    ("text", "metadata", "expected"),
    [
        ("hello", {"language": "hu"}, "hu"),  # the page's language wins over the text
        ("szia", {"language": "en"}, "en"),
        ("köszönöm szépen", None, "hu"),
        ("koszonom a segitseget", {}, "hu"),
        ("thanks for your help", {"language": "de"}, "en"),  # unsupported page language
    ],
)
async def test_language_slot_is_set(
    text: str, metadata: dict[str, Any] | None, expected: str
) -> None:
    assert await run(text, metadata) == [SlotSet("language", expected)]


async def test_no_signal_keeps_the_conversations_language() -> None:
    assert await run("👍 42", None, language="hu") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Szeretnék egy emberrel beszélni", "hu"),
        ("szeretnek egy emberrel beszelni", "hu"),
        ("jó napot", "hu"),
        ("Ő", "hu"),
        ("I would like to talk to a person", "en"),
        ("where is my order?", "en"),
        ("🙂🙂", None),
        ("12345", None),
        ("", None),
        ("Anna", None),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


async def test_detector_is_injectable() -> None:
    action = ValidateSlotMappings(detector=lambda _text: "hu")
    events = await action.run(CollectingDispatcher(), tracker("anything", None), DOMAIN)
    assert events == [SlotSet("language", "hu")]
