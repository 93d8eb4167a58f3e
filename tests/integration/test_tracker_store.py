"""Rasa's dialogue state lives in PostgreSQL when configured so, and survives a restart."""

import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bridge.services.rasa_client import BotReply, RasaClient
from tests import aio
from tests.postgres import POSTGRES_ADMIN_URL, admin_sql
from tests.processes import RASA_TOKEN, RasaStack


@pytest.mark.postgres
def test_postgresql_tracker_store_keeps_the_conversation_across_a_restart(
    tmp_path: Path,
) -> None:
    name = f"rasa_tracker_{uuid.uuid4().hex[:10]}"
    aio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    tracker_url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    stack = RasaStack(tmp_path, tracker_url=tracker_url.render_as_string(hide_password=False))
    sender = f"pg-{uuid.uuid4()}"
    try:
        stack.start()

        async def hungarian_turn() -> list[BotReply]:
            rasa = RasaClient(base_urls=[stack.rasa_url], token=RASA_TOKEN, timeout_s=30)
            try:  # as the bridge does: the language first, on a brand-new tracker
                await rasa.set_context(
                    conversation_id=sender, language="hu", customer_name=None, first=True
                )
                return await rasa.send(conversation_id=sender, text="szia", metadata={})
            finally:
                await rasa.aclose()

        reply = aio.run(hungarian_turn())
        assert "Webáruház" in reply[0].text

        stack.restart_rasa()

        tracker = stack.tracker(sender)
        assert tracker["slots"]["language"] == "hu"
        assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["szia"]

        async def stored_events() -> int:
            connection = await asyncpg.connect(tracker_url.render_as_string(hide_password=False))
            try:
                return int(
                    await connection.fetchval(
                        "SELECT count(*) FROM events WHERE sender_id = $1", sender
                    )
                )
            finally:
                await connection.close()

        assert aio.run(stored_events()) >= 3  # session start, the user turn, the reply
    finally:
        stack.stop()
        aio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
