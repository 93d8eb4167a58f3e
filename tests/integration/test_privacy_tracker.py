"""An erasure reaches Rasa's tracker store: a conversation held through the live bridge with
the real Rasa server (SQL tracker store in a SQLite file) is erased by an admin, and neither
Rasa's HTTP API nor its events table has the customer's words any more."""

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bridge.db.migrate import upgrade
from knowledge_base.settings import KBSettings
from tests.conftest import make_settings
from tests.live_chat import customer, start
from tests.processes import LiveBridge, RasaStack
from tests.staff import PASSWORD, add_user

pytestmark = pytest.mark.stack

SECRET = "my loyalty number is 7734-secret-5521"


@pytest.fixture
def bridge(
    tmp_path: Path, stack: RasaStack, kb_settings: KBSettings, bridge_port: int
) -> Iterator[LiveBridge]:
    """The live bridge, told where Rasa keeps its trackers (as RASA_TRACKER_URL tells both)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    tracker_url = stack.rasa.env["RASA_TRACKER_URL"]
    live = LiveBridge(
        make_settings(url, stack, rasa_tracker_url=tracker_url), kb_settings, port=bridge_port
    )
    live.start()
    yield live
    live.stop()


def cookie_value(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie set")


def _stored_texts(tracker_url: str, conversation_id: str) -> list[str]:
    path = tracker_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ?", (conversation_id,)
        ).fetchall()
    return [row[0] for row in rows]


def _user_texts(tracker: dict[str, object]) -> list[str]:
    events = tracker["events"]
    assert isinstance(events, list)
    return [e.get("text") or "" for e in events if e["event"] == "user"]


async def test_erasing_a_conversation_empties_rasas_tracker(
    bridge: LiveBridge, stack: RasaStack
) -> None:
    conversation_id, token = await start(bridge, visitor_id="visitor-tracker")
    async with customer(bridge, conversation_id, token) as widget:
        await widget.send(type="message", text=f"hello, {SECRET}", client_id=str(uuid.uuid4()))
        while (await widget.next_of("message", "buttons"))["role"] != "bot":
            pass
    tracker_url = bridge.settings.rasa_tracker_url
    assert any(SECRET in text for text in _user_texts(stack.tracker(conversation_id)))
    assert any(SECRET in data for data in _stored_texts(tracker_url, conversation_id))

    add_user(bridge.settings.database_url, "dpo@example.com", role="admin")
    async with httpx.AsyncClient(base_url=bridge.url) as http:
        csrf = cookie_value(await http.get("/login"), "sb_csrf")
        signed = await http.post(
            "/api/staff/login",
            json={"email": "dpo@example.com", "password": PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        assert signed.status_code == 200, signed.text
        erased = await http.post(
            "/api/staff/privacy/erase",
            json={"kind": "visitor", "value": "visitor-tracker"},
            headers={"X-CSRF-Token": cookie_value(signed, "sb_csrf")},
        )
    assert erased.status_code == 200, erased.text
    assert erased.json()["conversations"] == 1
    assert erased.json()["tracker_events"] >= 3  # session start, the user turn, the reply

    assert _user_texts(stack.tracker(conversation_id)) == []
    assert not any(SECRET in data for data in _stored_texts(tracker_url, conversation_id))
