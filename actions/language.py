"""Keeps the `language` slot right on every user message (run by action_extract_slots)."""

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.language_detection import detect_language
from knowledge_base.text import LANGUAGES

SUPPORTED = LANGUAGES


class ValidateSlotMappings(ValidationAction):  # type: ignore[misc]  # rasa_sdk is untyped
    """`action_validate_slot_mappings`: the page's language wins, else the text decides."""

    def __init__(self, detector: Callable[[str], str | None] = detect_language) -> None:
        super().__init__()
        self._detect = detector

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        metadata = tracker.latest_message.get("metadata") or {}
        from_page = metadata.get("language") if isinstance(metadata, dict) else None
        if from_page in SUPPORTED:
            return {"language": from_page}
        detected = self._detect(tracker.latest_message.get("text") or "")
        if detected in SUPPORTED:
            return {"language": detected}
        return {}  # no signal: keep what the conversation had

    async def validate_language(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Only a supported language may land in the slot; anything else keeps the old one."""
        if slot_value in SUPPORTED:
            return {"language": slot_value}
        return {"language": tracker.get_slot("language")}
