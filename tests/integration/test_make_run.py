"""`make run` under supervisord (deploy/supervisord.conf): a process killed with `kill -9`
is started again within 30 s while the others keep serving, and the bot answers from the
knowledge base again. Before supervisord, honcho ended the whole stack when Rasa died; and
`python -m rasa_sdk` left its Sanic worker holding the port, so the action server was never
restarted (actions/serve.py)."""

import os
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests import aio
from tests.conftest import make_settings
from tests.live_chat import ask, customer, start
from tests.scaled_stack import MakeRunStack

pytestmark = pytest.mark.stack

QUESTION = "how can I reset my password?"
ANSWER = "/kb/password-reset"


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeRunStack]:
    workdir = tmp_path_factory.mktemp("make-run")
    stack = MakeRunStack(
        workdir, settings=make_settings(f"sqlite+aiosqlite:///{workdir / 'bridge.db'}", None)
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


async def _reply(stack: MakeRunStack) -> dict[str, Any]:
    """What a customer gets for a question: the bot's answer, or the apology (an error event,
    `bot_unavailable`) when Rasa cannot answer."""
    conversation_id, token = await start(stack.front)
    async with customer(stack.front, conversation_id, token) as widget:
        await widget.send(type="message", text=QUESTION, client_id=str(uuid.uuid4()))
        while True:
            event = await widget.next_of("message", "buttons", "error")
            if event["type"] == "error" or event["role"] == "bot":
                return event


def _answers_again(stack: MakeRunStack, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while True:
        try:
            answer = aio.run(ask(stack.front, QUESTION))
        except (AssertionError, OSError, httpx.HTTPError) as exc:  # the bridge is starting
            answer = repr(exc)
        if ANSWER in answer:
            return
        assert time.monotonic() < deadline, f"no knowledge-base answer again: {answer!r}"
        time.sleep(1)


@pytest.mark.parametrize("program", ["rasa", "actions", "bridge"])
def test_a_killed_process_is_restarted_while_the_others_keep_serving(
    make_run: MakeRunStack, program: str
) -> None:
    # Up and answering before the kill; the first question after start-up warms the models,
    # which on a loaded 2-core machine took longer than one question's 20 s.
    _answers_again(make_run, within_s=120)
    others = {name: make_run.pid(name) for name in ("rasa", "actions", "bridge")}
    old = others.pop(program)
    os.kill(old, signal.SIGKILL)
    if program != "bridge":
        # The widget keeps being served meanwhile: a message gets the apology while Rasa is
        # away, the bot's "sorry, I didn't catch that" while the action server is.
        reply = aio.run(_reply(make_run))
        if program == "rasa":
            assert reply["type"] == "error" and reply["code"] == "bot_unavailable", reply
        else:
            assert reply["type"] == "message" and reply["text"], reply
    assert make_run.restarted(program, old) < 30
    assert {name: make_run.pid(name) for name in others} == others  # nobody else restarted
    _answers_again(make_run, within_s=90)  # Rasa loads its model for a while after its start
