"""A promoter's thanks carries the bridge's counted review link (the bridge records the
invitation), and still the plain review URL when the bridge cannot make one."""

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bridge_client import BridgeClient
from actions.nps import ActionNpsFinish
from actions.settings import ActionSettings
from bridge.db.migrate import upgrade
from knowledge_base.settings import KBSettings
from tests.conftest import NPS_REVIEW_URL, TEST_SERVICE_TOKEN, make_settings
from tests.processes import LiveBridge

LINK = re.compile(r"\]\((http://127\.0\.0\.1:8000/r/review/[A-Za-z0-9_-]{43})\)")


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[LiveBridge]:
    """A bridge without Rasa: only its review links are used."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index")
    live = LiveBridge(make_settings(url, None, nps_review_url=NPS_REVIEW_URL), kb)
    live.start()
    yield live
    live.stop()


def finish(conversation_id: str, bridge_url: str, **slots: Any) -> str:
    settings = ActionSettings(
        bridge_url=bridge_url, service_token=TEST_SERVICE_TOKEN, nps_review_url=NPS_REVIEW_URL
    )
    said = Tracker.from_dict(
        {
            "sender_id": conversation_id,
            "slots": {"language": "hu", **slots},
            "latest_message": {"text": "", "intent": {}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )
    dispatcher = CollectingDispatcher()

    asyncio.run(ActionNpsFinish(BridgeClient(settings), settings).run(dispatcher, said, {}))
    [message] = dispatcher.messages
    return str(message["text"])


def test_a_promoter_gets_the_counted_link_which_leads_to_the_review_url(
    bridge: LiveBridge,
) -> None:
    created = httpx.post(f"{bridge.url}/api/conversations", json={"visitor_id": "v-1"})
    conversation_id = str(created.json()["conversation_id"])
    text = finish(conversation_id, bridge.url, nps_score=10, nps_trigger="after_agent")
    match = LINK.search(text)
    assert match is not None, text
    assert NPS_REVIEW_URL not in text
    path = match.group(1).removeprefix("http://127.0.0.1:8000")
    answer = httpx.get(f"{bridge.url}{path}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == NPS_REVIEW_URL
    # A passive gets no link, so no invitation is made for them.
    assert "/r/review/" not in finish(conversation_id, bridge.url, nps_score=8)


def test_an_unknown_conversation_or_an_unreachable_bridge_falls_back_to_the_plain_url(
    bridge: LiveBridge,
) -> None:
    assert f"]({NPS_REVIEW_URL})" in finish("no-such-conversation", bridge.url, nps_score=9)
    assert f"]({NPS_REVIEW_URL})" in finish("c1", "http://127.0.0.1:9", nps_score=9)
