"""action_handoff and action_record_feedback against the live bridge, the way the action
server runs them: a queue place and a pause, the offline offer, and a bridge that is down."""

from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.bridge_client import BridgeClient
from actions.feedback import ActionRecordFeedback
from actions.handoff import ActionHandoff
from actions.settings import ActionSettings
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.feedback import list_feedback
from tests import aio
from tests.conftest import TEST_SERVICE_TOKEN
from tests.live_chat import signed_in_agent
from tests.processes import LiveBridge

DOMAIN: dict[str, Any] = {"slots": {}, "forms": {}}
SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}


def tracker(
    conversation_id: str,
    said: list[str],
    *,
    intent: str = "request_human",
    entities: list[dict[str, Any]] | None = None,
    **slots: Any,
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": conversation_id,
            "slots": {"language": "en", **slots},
            "latest_message": {
                "text": said[-1],
                "intent": {"name": intent},
                "entities": entities or [],
            },
            "events": [{"event": "user", "text": text} for text in said],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


@pytest.fixture
def bridge(live_bridge: LiveBridge) -> BridgeClient:
    return BridgeClient(
        ActionSettings(bridge_url=live_bridge.url, service_token=TEST_SERVICE_TOKEN)
    )


async def conversation(live_bridge: LiveBridge, language: str = "en") -> str:
    async with httpx.AsyncClient(base_url=live_bridge.url) as http:
        created = await http.post("/api/conversations", json={"language": language})
    return str(created.json()["conversation_id"])


async def agent_online(live_bridge: LiveBridge) -> None:
    async with signed_in_agent(live_bridge):
        pass  # signed in and seen by the bridge: online until AGENT_AWAY_AFTER_S


def feedback_rows(database_url: str) -> list[dict[str, Any]]:
    """What the bridge stored, oldest first."""

    async def read() -> list[dict[str, Any]]:
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                rows = await list_feedback(session=session)
        finally:
            await engine.dispose()
        return [
            {"helpful": r.helpful, "chunk_id": r.chunk_id, "query": r.query, "score": r.score}
            for r in reversed(rows)
        ]

    return aio.run(read())


async def test_queued_with_place_and_wait_then_paused(
    live_bridge: LiveBridge, bridge: BridgeClient
) -> None:
    await agent_online(live_bridge)
    conversation_id = await conversation(live_bridge)
    shown = [{"id": "delivery-times", "title": "Delivery times", "score": 0.31, "chunk": "x#1"}]
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff(bridge).run(
        dispatcher,
        tracker(
            conversation_id,
            ["where is my parcel?", "/request_human"],
            entities=[{"entity": "reason", "value": "no_answer"}],
            kb_shown=shown,
        ),
        DOMAIN,
    )
    [message] = dispatcher.messages
    assert "number 1 in the queue" in message["text"] and "about 3 min" in message["text"]
    assert ConversationPaused() in events and SlotSet("kb_misses", 0) in events
    async with httpx.AsyncClient(base_url=live_bridge.url) as http:
        [queued] = (await http.get("/api/handoffs/queue", headers=SERVICE)).json()
    assert queued["reason"] == "no_answer"
    assert queued["context"] == {
        "last_question": "where is my parcel?",
        "language": "en",
        "articles": [{"id": "delivery-times", "title": "Delivery times", "score": 0.31}],
    }


async def test_nobody_online_offers_to_leave_a_message_in_hungarian(
    live_bridge: LiveBridge, bridge: BridgeClient
) -> None:
    conversation_id = await conversation(live_bridge, "hu")
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff(bridge).run(
        dispatcher,
        tracker(conversation_id, ["beszélnék egy emberrel"], language="hu"),
        DOMAIN,
    )
    [message] = dispatcher.messages
    assert message["text"].startswith("Sajnos most egyik munkatársunk sem érhető el")
    assert message["buttons"] == [{"title": "Üzenetet hagyok", "payload": "/leave_message"}]
    assert ConversationPaused() not in events


async def test_an_unreachable_bridge_gets_an_apology_and_no_pause() -> None:
    unreachable = BridgeClient(
        ActionSettings(bridge_url="http://127.0.0.1:9", service_token=TEST_SERVICE_TOKEN)
    )
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff(unreachable).run(
        dispatcher, tracker("c1", ["a person please"]), DOMAIN
    )
    [message] = dispatcher.messages
    assert "can't reach our team" in message["text"]
    assert ConversationPaused() not in events


async def test_answer_feedback_is_recorded_with_its_chunk_question_and_score(
    live_bridge: LiveBridge, bridge: BridgeClient
) -> None:
    conversation_id = await conversation(live_bridge)
    shown = [{"id": "refund-timing", "title": "Refunds", "score": 0.48, "chunk": "refund-timing#2"}]
    for intent in ("answer_not_helpful", "answer_helpful"):
        dispatcher = CollectingDispatcher()
        events = await ActionRecordFeedback(bridge).run(
            dispatcher,
            tracker(
                conversation_id,
                ["when do I get my money back", f'/{intent}{{"article_id": "refund-timing"}}'],
                intent=intent,
                article_id="refund-timing",
                kb_shown=shown,
            ),
            DOMAIN,
        )
        assert events == [] and dispatcher.messages == []  # the rule's response follows
    rows = feedback_rows(live_bridge.settings.database_url)
    assert [(r["helpful"], r["chunk_id"], r["query"], r["score"]) for r in rows] == [
        (False, "refund-timing#2", "when do I get my money back", 0.48),
        (True, "refund-timing#2", "when do I get my money back", 0.48),
    ]
