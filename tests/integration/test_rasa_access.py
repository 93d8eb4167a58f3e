"""Rasa's channel and the action server answer the bridge and Rasa only (issue 13, findings 1
and 2): each attack of the review, performed against the real processes."""

import uuid

import httpx

from actions.warm_up import WARM_UP_CALL
from tests.processes import ACTION_SERVER_TOKEN, RASA_AUTH, RASA_TOKEN, RasaStack


def _human_please(sender: str) -> dict[str, object]:
    return {"sender": sender, "message": "I want to talk to a person"}


def _user_texts(stack: RasaStack, sender: str) -> list[str]:
    tracker = stack.tracker(sender)
    events = tracker["events"]
    assert isinstance(events, list)
    return [event["text"] for event in events if event["event"] == "user"]


def test_rasa_channel_refuses_a_sender_without_the_bridge_token(stack: RasaStack) -> None:
    """The attack: speaking as someone else's conversation straight to Rasa's REST channel."""
    sender = f"victim-{uuid.uuid4().hex}"
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    for headers in ({}, {"Authorization": "Bearer guessed"}, {"Authorization": RASA_TOKEN}):
        response = httpx.post(url, json=_human_please(sender), headers=headers, timeout=30)
        assert response.status_code == 401, headers
    # A text/plain body (which a cross-site form can send) is refused even with the token.
    plain = httpx.post(
        url,
        content=b'{"sender": "%s", "message": "hi"}' % sender.encode(),
        headers={**RASA_AUTH, "Content-Type": "text/plain"},
        timeout=30,
    )
    assert plain.status_code == 415
    assert _user_texts(stack, sender) == []  # nothing reached the conversation
    # The bridge's own call goes through.
    answered = httpx.post(url, json={"sender": sender, "message": "hello"}, headers=RASA_AUTH)
    assert answered.status_code == 200 and answered.json()
    assert _user_texts(stack, sender) == ["hello"]


def test_action_server_refuses_callers_without_the_token(stack: RasaStack) -> None:
    """The attack: running the handoff action with a made-up tracker, listing the actions."""
    forged = {
        **WARM_UP_CALL,
        "next_action": "action_handoff",
        "sender_id": "victim",
        "tracker": {**WARM_UP_CALL["tracker"], "sender_id": "victim"},  # type: ignore[dict-item]
    }
    for headers in ({}, {"Authorization": "Bearer guessed"}, {"Authorization": "Basic eDp5"}):
        assert (
            httpx.post(f"{stack.action_url}/webhook", json=forged, headers=headers).status_code
            == 401
        )
        assert httpx.get(f"{stack.action_url}/actions", headers=headers).status_code == 401
    assert httpx.get(f"{stack.action_url}/health").status_code == 200  # readiness stays open
    token = {"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"}
    listed = httpx.get(f"{stack.action_url}/actions", headers=token)
    assert listed.status_code == 200 and listed.json()


def test_rasa_calls_its_actions_with_the_token(stack: RasaStack) -> None:
    """The other half: Rasa itself gets through (a knowledge-base answer needs the actions)."""
    sender = f"kb-{uuid.uuid4().hex}"
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "How do I reset my password?"},
        headers=RASA_AUTH,
        timeout=60,
    )
    assert response.status_code == 200
    replies = response.json()
    assert any("/kb/password-reset" in str(reply.get("text", "")) for reply in replies), replies
