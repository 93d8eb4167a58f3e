"""The NPS survey inside real conversations: the trained model, the action server and the
bridge over websockets. A goodbye after an answer brings the survey; buttons and typed
answers (in Hungarian too) fill it; the bridge stores what was said; a visitor is asked once
in 30 days; and an agent handing back or closing a chat brings the survey as well."""

import httpx
import pytest

from tests.conftest import NPS_REVIEW_URL
from tests.live_chat import Peer, customer, start, stored_surveys
from tests.processes import LiveBridge

pytestmark = pytest.mark.stack


def button(message: dict[str, object], title: str) -> dict[str, str]:
    """The quick reply of a bot message, as the widget sends it when clicked."""
    buttons = message["buttons"]
    assert isinstance(buttons, list)
    found = next(b for b in buttons if b["title"] == title)
    return {"type": "message", "text": found["title"], "payload": found["payload"]}


async def answered_question(widget: Peer, text: str) -> None:
    await widget.send(type="message", text=text)
    answer = await widget.next("buttons", role="bot")
    assert "/kb/" in answer["text"]  # a knowledge-base answer, with its link


async def test_goodbye_after_an_answer_and_the_score_by_button(live_bridge: LiveBridge) -> None:
    conversation_id, token = await start(live_bridge, visitor_id="visitor-en")
    async with customer(live_bridge, conversation_id, token) as widget:
        await answered_question(widget, "how can I reset my password?")
        await widget.send(type="message", text="ok, bye now")
        question = await widget.next("buttons", role="bot")
        assert question["text"].startswith("Before you go: how likely are you to recommend")
        assert [b["title"] for b in question["buttons"]][:11] == [str(n) for n in range(11)]

        await widget.send(**button(question, "10"))
        reason = await widget.next("buttons", role="bot")
        assert reason["text"].startswith("Thank you! What is the main reason for your score?")
        await widget.send(type="message", text="Quick answers, and the link had it all.")
        thanks = await widget.next("message", role="bot")
        assert thanks["text"].startswith("Thank you, we're so glad you're happy with us!")
        assert f"]({NPS_REVIEW_URL})" in thanks["text"]
        # Rasa's channels send each paragraph as a message of its own.
        goodbye = await widget.next("message", role="bot")
        assert goodbye["text"] == "Goodbye, and thanks for visiting Northwind Shop!"

    [survey] = stored_surveys(live_bridge.settings.database_url)
    assert (survey.conversation_id, survey.visitor_id, survey.language) == (
        conversation_id,
        "visitor-en",
        "en",
    )
    assert (survey.trigger, survey.status, survey.score, survey.category) == (
        "goodbye",
        "answered",
        10,
        "promoter",
    )
    assert survey.reason == "Quick answers, and the link had it all."
    assert survey.answered_at is not None


async def test_a_typed_hungarian_answer_after_a_re_ask_and_once_in_30_days(
    live_bridge: LiveBridge,
) -> None:
    conversation_id, token = await start(live_bridge, "hu", visitor_id="visitor-hu")
    async with customer(live_bridge, conversation_id, token) as widget:
        await answered_question(widget, "hogyan tudom visszaállítani a jelszavamat?")
        await widget.send(type="message", text="köszönöm, viszlát")
        question = await widget.next("buttons", role="bot")
        assert question["text"].startswith("Mielőtt elköszönünk: mennyire valószínű")

        await widget.send(type="message", text="sokat")  # "a lot": not a score
        again = await widget.next("buttons", role="bot")
        assert again["text"].startswith("Elnézést, ezt nem értettem.")
        await widget.send(type="message", text="tízből nyolcat adnék")
        reason = await widget.next("buttons", role="bot")
        assert reason["text"].startswith("Köszönjük! Mi a fő oka a pontszámának?")
        await widget.send(type="message", text="kihagyom")
        thanks = await widget.next("message", role="bot")
        assert thanks["text"].startswith("Köszönjük a visszajelzését!")
        goodbye = await widget.next("message", role="bot")
        assert goodbye["text"].endswith("Köszönjük, hogy felkereste a Northwind Webáruházat.")

    [survey] = stored_surveys(live_bridge.settings.database_url)
    assert (survey.language, survey.score, survey.category, survey.reason) == (
        "hu",
        8,
        "passive",
        None,
    )

    # The same visitor a day later, in a new conversation: no second survey within 30 days.
    conversation_id, token = await start(live_bridge, "hu", visitor_id="visitor-hu")
    async with customer(live_bridge, conversation_id, token) as widget:
        await answered_question(widget, "hogyan tudom visszaállítani a jelszavamat?")
        await widget.send(type="message", text="köszönöm, viszlát")
        goodbye = await widget.next("message", role="bot")
        assert goodbye["text"].startswith("Viszontlátásra!")
        await widget.send(type="message", text="szeretnék visszajelzést adni")
        thanks = await widget.next("buttons", role="bot")
        assert "Nemrég már értékelt minket" in thanks["text"]
    assert len(stored_surveys(live_bridge.settings.database_url)) == 1


async def test_three_unclear_answers_drop_the_survey_and_the_chat_goes_on(
    live_bridge: LiveBridge,
) -> None:
    conversation_id, token = await start(live_bridge, visitor_id="visitor-unclear")
    async with customer(live_bridge, conversation_id, token) as widget:
        await widget.send(type="message", text="I'd like to give you some feedback")
        await widget.next("buttons", role="bot")
        for text in ("11", "-1"):
            await widget.send(type="message", text=text)
            again = await widget.next("buttons", role="bot")
            assert again["text"].startswith("Sorry, I didn't catch that.")
        await widget.send(type="message", text="lots")
        dropped = await widget.next("message", role="bot")
        assert dropped["text"] == "Let's leave it, then. Thanks anyway!"
        await answered_question(widget, "how can I reset my password?")
    [survey] = stored_surveys(live_bridge.settings.database_url)
    assert (survey.trigger, survey.status, survey.score) == ("feedback_request", "dropped", None)


async def hand_over(live_bridge: LiveBridge, agent: httpx.AsyncClient, widget: Peer) -> int:
    """The customer asks for a person and Anna claims the chat; the handoff's id."""
    await widget.send(type="message", text="I want to talk to a real person")
    await widget.next("status", status="waiting_for_agent")
    handoff_id = int((await agent.get("/api/staff/queue")).json()["handoffs"][0]["handoff_id"])
    assert (await agent.post(f"/api/staff/handoffs/{handoff_id}/claim")).status_code == 200
    await widget.next("status", status="with_agent")
    return handoff_id


async def test_after_a_hand_back_a_detractor_is_offered_a_person(
    live_bridge: LiveBridge, agent: httpx.AsyncClient
) -> None:
    conversation_id, token = await start(live_bridge, visitor_id="visitor-agent")
    async with customer(live_bridge, conversation_id, token) as widget:
        handoff_id = await hand_over(live_bridge, agent, widget)
        back = await agent.post(f"/api/staff/handoffs/{handoff_id}/hand-back")
        assert back.status_code == 200, back.text
        await widget.next("status", status="bot")
        question = await widget.next("buttons", role="bot")
        assert question["text"].startswith("Thanks for chatting with us. One quick question")

        await widget.send(**button(question, "3"))
        reason = await widget.next("buttons", role="bot")
        await widget.send(**button(reason, "Skip"))
        offer = await widget.next("buttons", role="bot")
        assert "Would you like someone from our team to follow up" in offer["text"]
        await widget.send(**button(offer, "Yes, please"))
        await widget.next("status", status="waiting_for_agent")

    queue = (await agent.get("/api/staff/queue")).json()["handoffs"]
    assert [(h["conversation_id"], h["reason"]) for h in queue] == [
        (conversation_id, "nps_follow_up")
    ]
    [survey] = stored_surveys(live_bridge.settings.database_url)
    assert (survey.trigger, survey.score, survey.category) == ("after_agent", 3, "detractor")


async def test_closing_a_chat_brings_the_survey_unless_the_visitor_was_asked(
    live_bridge: LiveBridge, agent: httpx.AsyncClient
) -> None:
    conversation_id, token = await start(live_bridge, visitor_id="visitor-close")
    async with customer(live_bridge, conversation_id, token) as widget:
        handoff_id = await hand_over(live_bridge, agent, widget)
        closed = await agent.post(f"/api/staff/handoffs/{handoff_id}/close")
        assert closed.status_code == 200, closed.text
        note = await widget.next("message", role="system")
        assert "closed the conversation" in note["text"]
        await widget.next("status", status="bot")  # the bot runs the survey
        await widget.next("buttons", role="bot")
        await widget.send(type="message", text="no thanks")
        declined = await widget.next("message", role="bot")
        assert declined["text"] == "No problem, I won't ask again."
    [survey] = stored_surveys(live_bridge.settings.database_url)
    assert (survey.trigger, survey.status) == ("after_agent", "declined")

    # Asked already: the next closed chat of this visitor just stays closed.
    conversation_id, token = await start(live_bridge, visitor_id="visitor-close")
    async with customer(live_bridge, conversation_id, token) as widget:
        handoff_id = await hand_over(live_bridge, agent, widget)
        assert (await agent.post(f"/api/staff/handoffs/{handoff_id}/close")).status_code == 200
        await widget.next("status", status="closed")
        assert await widget.quiet_for(2.0, "buttons") == []
    view = (await agent.get(f"/api/staff/conversations/{conversation_id}")).json()
    assert view["status"] == "closed"
    assert len(stored_surveys(live_bridge.settings.database_url)) == 1
