"""Nothing stored is lost in relay: a bridge process killed (SIGKILL) after storing a customer
message and before Rasa answered it; the restarted bridge relays the message once, and the
reconnecting widget gets the bot's answer."""

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bridge.db.migrate import upgrade
from bridge.settings import Settings
from tests.conftest import make_settings
from tests.live_chat import customer, start
from tests.processes import (
    ROOT,
    LiveBridge,
    Process,
    RasaStack,
    answers,
    free_port,
    service_env,
    wait_until,
)

pytestmark = pytest.mark.stack


def bridge_process(settings: Settings, port: int, log: Path) -> Process:
    """The bridge as its own OS process (uvicorn), configured through its environment."""
    env = service_env(
        **{
            name.upper(): str(value)
            for name, value in settings.model_dump().items()
            if value is not None and not isinstance(value, bool)
        },
        NPS_AFTER_AGENT=str(settings.nps_after_agent).lower(),
    )
    return Process(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "uvicorn", "bridge.app:create_app",
         "--factory", "--host", "127.0.0.1", "--port", str(port)],
        log,
        env,
    )  # fmt: skip


async def test_a_message_stored_before_a_crash_is_answered_once_after_the_restart(
    tmp_path: Path, stack: RasaStack
) -> None:
    database = tmp_path / "bridge.db"
    upgrade(f"sqlite+aiosqlite:///{database}")
    settings = make_settings(
        f"sqlite+aiosqlite:///{database}", stack, relay_retry_after_s=2.0, rasa_timeout_s=1.5
    )
    port = free_port()
    view = LiveBridge(settings, port=port)  # only its url: the process below serves it
    first = bridge_process(settings, port, tmp_path / "bridge-1.log")
    first.start()
    try:
        wait_until(lambda: answers(f"{view.url}/healthz"), timeout=60, what="bridge")
        conversation_id, token = await start(view)
        stack.rasa.pause()  # Rasa takes the message and answers nothing: the relay hangs
        try:
            async with customer(view, conversation_id, token) as widget:
                await widget.send(type="message", text="hello", client_id="m1")
                echo = await widget.next("message", role="customer", text="hello")
                await widget.next("typing", role="bot", on=True)  # stored, the turn queued
                assert first.popen is not None
                first.popen.kill()  # SIGKILL: no shutdown, no apology, nothing cleared
                first.popen.wait()
        finally:
            stack.rasa.resume()
    finally:
        first.stop()

    second = bridge_process(settings, port, tmp_path / "bridge-2.log")
    second.start()
    try:
        wait_until(lambda: answers(f"{view.url}/healthz"), timeout=60, what="bridge")
        async with customer(view, conversation_id, token, after=echo["seq"]) as widget:
            try:
                reply = await widget.next("message", role="bot")
            except AssertionError:
                raise AssertionError(second.tail(60)) from None
            assert "Northwind" in reply["text"]
            await asyncio.sleep(3.0)  # longer than the retry time: nothing is relayed twice
    finally:
        second.stop()
    relayed = second.tail(200).count(f"relaying message {echo['seq']} of {conversation_id}")
    assert relayed == 1, second.tail()
    with sqlite3.connect(database) as db:
        waiting = db.execute("SELECT count(*) FROM messages WHERE relay_due_at IS NOT NULL")
        assert waiting.fetchone() == (0,)
        roles = [r for (r,) in db.execute("SELECT role FROM messages ORDER BY seq")]
    assert roles[0] == "customer" and set(roles[1:]) == {"bot"}  # the answer, stored once
