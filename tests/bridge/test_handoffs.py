"""Handoffs to human agents: the repository (races included), the internal API and the relay
pause, on SQLite and PostgreSQL."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.app import create_app
from bridge.db import handoffs, repository, users
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import Conversation, Handoff, User
from bridge.services.passwords import hash_password
from bridge.settings import Settings
from knowledge_base.settings import KBSettings
from tests import aio
from tests.chat import bot_reply, connect, next_event, say, start_conversation
from tests.conftest import TEST_SERVICE_TOKEN, make_settings
from tests.processes import RasaStack

SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
CONTEXT = {
    "last_question": "where is my parcel?",
    "language": "en",
    "articles": [{"id": "shipping-times", "title": "Shipping times", "score": 0.21}],
}
Sessions = async_sessionmaker[AsyncSession]
T = TypeVar("T")

# --- repository, on SQLite and PostgreSQL ----------------------------------------------------


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _in_transaction(sessions: Sessions, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with sessions.begin() as session:
        return await work(session)


async def _conversation(sessions: Sessions) -> str:
    async with sessions.begin() as session:
        conversation = await repository.create_conversation(
            session=session, language="en", visitor_id=None, page_url=None
        )
        return conversation.id


async def _agent(sessions: Sessions, email: str) -> int:
    async with sessions.begin() as session:
        user = await users.create_user(
            session=session,
            email=email,
            display_name=email.split("@")[0],
            role="agent",
            password_hash=hash_password("correct horse battery"),
        )
        return user.id


async def _open(sessions: Sessions, conversation_id: str, reason: str = "no_answer") -> Handoff:
    async with sessions.begin() as session:
        return await handoffs.open_handoff(
            session=session, conversation_id=conversation_id, reason=reason, context=CONTEXT
        )


async def _claim(sessions: Sessions, handoff_id: int, agent_id: int) -> Handoff:
    async with sessions.begin() as session:
        return await handoffs.claim(session=session, handoff_id=handoff_id, agent_id=agent_id)


async def _state(sessions: Sessions, handoff_id: int) -> tuple[Handoff, str]:
    """The handoff as stored, and its conversation's status."""
    async with sessions() as session:
        handoff = await handoffs.get_handoff(session=session, handoff_id=handoff_id)
        assert handoff is not None
        status = await repository.get_status(
            session=session, conversation_id=handoff.conversation_id
        )
        assert status is not None
        return handoff, status


@pytest.fixture
async def two_agents(sessions: Sessions) -> tuple[int, int]:
    return await _agent(sessions, "ana@example.com"), await _agent(sessions, "max@example.com")


async def test_open_queues_the_conversation_and_is_idempotent(sessions: Sessions) -> None:
    conversation_id = await _conversation(sessions)
    first = await _open(sessions, conversation_id, reason="customer_request")
    assert (first.status, first.reason, first.context) == ("waiting", "customer_request", CONTEXT)
    assert first.claimed_by is None and first.claimed_at is None and first.ended_at is None
    again = await _open(sessions, conversation_id, reason="bot_failed")
    assert again.id == first.id
    handoff, conversation_status = await _state(sessions, first.id)
    assert handoff.reason == "customer_request"  # the retry changed nothing
    assert conversation_status == "waiting_for_agent"
    async with sessions() as session:
        assert [h.id for h in await handoffs.queue(session=session)] == [first.id]


async def test_open_refuses_unknown_or_closed_conversations_and_unknown_reasons(
    sessions: Sessions, two_agents: tuple[int, int]
) -> None:
    with pytest.raises(handoffs.UnknownConversation):
        await _open(sessions, "00000000-0000-4000-8000-000000000000")
    conversation_id = await _conversation(sessions)
    with pytest.raises(ValueError, match="unknown handoff reason 'bored'"):
        await _open(sessions, conversation_id, reason="bored")
    handoff = await _open(sessions, conversation_id)
    await _in_transaction(
        sessions,
        lambda s: handoffs.close(session=s, handoff_id=handoff.id, agent_id=two_agents[0]),
    )
    with pytest.raises(handoffs.ConversationClosed):
        await _open(sessions, conversation_id)
    async with sessions() as session:
        assert await handoffs.queue(session=session) == []


async def test_the_database_allows_one_active_handoff_per_conversation(
    sessions: Sessions,
) -> None:
    conversation_id = await _conversation(sessions)
    await _open(sessions, conversation_id)
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(Handoff(conversation_id=conversation_id, reason="no_answer", context={}))
    async with sessions.begin() as session:  # an ended one beside the active one is fine
        session.add(
            Handoff(
                conversation_id=conversation_id, status="returned", reason="no_answer", context={}
            )
        )


async def _claim_at_once(sessions: Sessions, handoff_id: int, agents: tuple[int, int]) -> list[Any]:
    """Both agents' transactions are open (own connections) before either claims."""
    ready = asyncio.Barrier(len(agents))

    async def attempt(agent_id: int) -> Handoff:
        async with sessions.begin() as session:
            await session.connection()
            await ready.wait()
            return await handoffs.claim(session=session, handoff_id=handoff_id, agent_id=agent_id)

    return await asyncio.gather(*(attempt(agent) for agent in agents), return_exceptions=True)


async def test_two_agents_claiming_at_once_exactly_one_wins(
    sessions: Sessions, two_agents: tuple[int, int]
) -> None:
    for _ in range(5):
        handoff = await _open(sessions, await _conversation(sessions))
        results = await _claim_at_once(sessions, handoff.id, two_agents)
        won = [r for r in results if isinstance(r, Handoff)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1 and len(lost) == 1, results
        assert isinstance(lost[0], handoffs.HandoffTaken), repr(lost[0])
        winner = won[0].claimed_by
        assert winner in two_agents and lost[0].claimed_by == winner
        stored, conversation_status = await _state(sessions, handoff.id)
        assert (stored.status, stored.claimed_by) == ("claimed", winner)
        assert stored.claimed_at is not None
        assert conversation_status == "with_agent"


@pytest.mark.parametrize("first_commits", [True, False])
async def test_a_claim_waiting_on_an_uncommitted_claim(
    sessions: Sessions, two_agents: tuple[int, int], first_commits: bool
) -> None:
    """The second UPDATE waits for the first transaction's lock, then re-checks the status:
    it loses to a commit and wins after a rollback."""
    ana, max_ = two_agents
    handoff = await _open(sessions, await _conversation(sessions))
    first = sessions()
    await first.begin()
    try:
        await handoffs.claim(session=first, handoff_id=handoff.id, agent_id=ana)
        second = asyncio.create_task(_claim(sessions, handoff.id, max_))
        await asyncio.sleep(0.5)
        assert not second.done()  # blocked by the first transaction
        await (first.commit() if first_commits else first.rollback())
    finally:
        await first.close()
    if first_commits:
        with pytest.raises(handoffs.HandoffTaken):
            await second
    else:
        assert (await second).claimed_by == max_
    stored, _ = await _state(sessions, handoff.id)
    assert stored.claimed_by == (ana if first_commits else max_)


async def test_claiming_a_taken_ended_or_unknown_handoff(
    sessions: Sessions, two_agents: tuple[int, int]
) -> None:
    ana, max_ = two_agents
    handoff = await _open(sessions, await _conversation(sessions))
    await _claim(sessions, handoff.id, ana)
    with pytest.raises(handoffs.HandoffTaken) as taken:
        await _claim(sessions, handoff.id, max_)
    assert taken.value.claimed_by == ana
    with pytest.raises(handoffs.HandoffTaken):  # not even the same agent twice
        await _claim(sessions, handoff.id, ana)

    closed = await _open(sessions, await _conversation(sessions))
    await _in_transaction(
        sessions, lambda s: handoffs.close(session=s, handoff_id=closed.id, agent_id=ana)
    )
    with pytest.raises(handoffs.HandoffNotActive, match="is closed"):
        await _claim(sessions, closed.id, max_)
    with pytest.raises(handoffs.UnknownHandoff):
        await _claim(sessions, 999_999, ana)
    stored, conversation_status = await _state(sessions, closed.id)
    assert (stored.status, stored.claimed_by, conversation_status) == ("closed", None, "closed")


async def test_only_the_claiming_agent_hands_back_and_only_while_claimed(
    sessions: Sessions, two_agents: tuple[int, int]
) -> None:
    ana, max_ = two_agents
    handoff = await _open(sessions, await _conversation(sessions))

    def hand_back(agent_id: int) -> Awaitable[Handoff]:
        return _in_transaction(
            sessions,
            lambda s: handoffs.hand_back(session=s, handoff_id=handoff.id, agent_id=agent_id),
        )

    with pytest.raises(handoffs.HandoffNotActive, match="is waiting"):
        await hand_back(ana)
    await _claim(sessions, handoff.id, ana)
    with pytest.raises(handoffs.NotYourHandoff):
        await hand_back(max_)
    stored, conversation_status = await _state(sessions, handoff.id)
    assert (stored.status, conversation_status) == ("claimed", "with_agent")

    returned = await hand_back(ana)
    assert returned.status == "returned" and returned.ended_at is not None
    stored, conversation_status = await _state(sessions, handoff.id)
    assert (stored.status, conversation_status) == ("returned", "bot")
    with pytest.raises(handoffs.HandoffNotActive, match="is returned"):
        await hand_back(ana)
    # Back with the bot, the customer may ask for a human again: a new handoff.
    again = await _open(sessions, stored.conversation_id)
    assert again.id != handoff.id and again.status == "waiting"


async def test_close_by_the_claiming_agent_or_by_anyone_while_waiting(
    sessions: Sessions, two_agents: tuple[int, int]
) -> None:
    ana, max_ = two_agents

    def close(handoff_id: int, agent_id: int) -> Awaitable[Handoff]:
        return _in_transaction(
            sessions, lambda s: handoffs.close(session=s, handoff_id=handoff_id, agent_id=agent_id)
        )

    abandoned = await _open(sessions, await _conversation(sessions))
    assert (await close(abandoned.id, max_)).status == "closed"
    stored, conversation_status = await _state(sessions, abandoned.id)
    assert (stored.status, stored.ended_at is not None, conversation_status) == (
        "closed",
        True,
        "closed",
    )

    handoff = await _open(sessions, await _conversation(sessions))
    await _claim(sessions, handoff.id, ana)
    with pytest.raises(handoffs.NotYourHandoff):
        await close(handoff.id, max_)
    assert (await _state(sessions, handoff.id))[1] == "with_agent"
    await close(handoff.id, ana)
    assert (await _state(sessions, handoff.id))[1] == "closed"
    with pytest.raises(handoffs.HandoffNotActive, match="is closed"):
        await close(handoff.id, ana)
    with pytest.raises(handoffs.UnknownHandoff):
        await close(999_999, ana)


async def test_queue_positions_and_requeue_keeps_the_place(
    sessions: Sessions, two_agents: tuple[int, int]
) -> None:
    ana, _ = two_agents
    first, second, third = [await _open(sessions, await _conversation(sessions)) for _ in "abc"]

    async def places() -> dict[int, int]:
        async with sessions() as session:
            waiting = await handoffs.queue(session=session)
            return {
                h.id: await handoffs.position(session=session, handoff_id=h.id) for h in waiting
            }

    assert await places() == {first.id: 1, second.id: 2, third.id: 3}
    await _claim(sessions, first.id, ana)
    assert await places() == {second.id: 1, third.id: 2}
    async with sessions() as session:
        with pytest.raises(handoffs.HandoffNotActive, match="is claimed"):
            await handoffs.position(session=session, handoff_id=first.id)
        with pytest.raises(handoffs.UnknownHandoff):
            await handoffs.position(session=session, handoff_id=999_999)

    requeued = await _in_transaction(
        sessions, lambda s: handoffs.requeue(session=s, handoff_id=first.id)
    )
    assert (requeued.status, requeued.claimed_by, requeued.claimed_at) == ("waiting", None, None)
    assert (await _state(sessions, first.id))[1] == "waiting_for_agent"
    assert await places() == {first.id: 1, second.id: 2, third.id: 3}
    with pytest.raises(handoffs.HandoffNotActive, match="is waiting"):
        await _in_transaction(sessions, lambda s: handoffs.requeue(session=s, handoff_id=first.id))


async def test_cancel_returns_a_waiting_conversation_to_the_bot(
    sessions: Sessions, two_agents: tuple[int, int]
) -> None:
    handoff = await _open(sessions, await _conversation(sessions))
    await _in_transaction(sessions, lambda s: handoffs.cancel(session=s, handoff_id=handoff.id))
    stored, conversation_status = await _state(sessions, handoff.id)
    assert (stored.status, conversation_status) == ("cancelled", "bot")
    claimed = await _open(sessions, await _conversation(sessions))
    await _claim(sessions, claimed.id, two_agents[0])
    with pytest.raises(handoffs.HandoffNotActive, match="is claimed"):
        await _in_transaction(sessions, lambda s: handoffs.cancel(session=s, handoff_id=claimed.id))


async def test_deleting_an_agent_keeps_the_handoff(
    sessions: Sessions, two_agents: tuple[int, int]
) -> None:
    handoff = await _open(sessions, await _conversation(sessions))
    await _claim(sessions, handoff.id, two_agents[0])
    async with sessions.begin() as session:
        await session.execute(delete(User).where(User.id == two_agents[0]))
    stored, _ = await _state(sessions, handoff.id)
    assert (stored.status, stored.claimed_by) == ("claimed", None)


# --- internal API ----------------------------------------------------------------------------


@pytest.fixture
def api(database_url: str, kb_settings: KBSettings) -> Iterator[TestClient]:
    """The bridge without Rasa: these routes never reach it."""
    settings = make_settings(database_url, None, handoff_minutes_per_customer=2.5)
    with TestClient(create_app(settings, kb_settings)) as test_client:
        agent_online(test_client)
        yield test_client


def agent_online(client: TestClient, agent_id: int = 1) -> None:
    """Handoffs are queued only while someone can take them."""
    aio.run(cast(FastAPI, client.app).state.services.presence.touch(agent_id))


_run_sql = aio.run_sql


def _handoff(conversation_id: str, **fields: Any) -> dict[str, Any]:
    return {"conversation_id": conversation_id, "reason": "no_answer", "context": CONTEXT, **fields}


def test_queueing_two_customers_gives_places_and_waits(api: TestClient, database_url: str) -> None:
    first_id, _ = start_conversation(api)
    second_id, _ = start_conversation(api)
    first = api.post("/api/handoffs", json=_handoff(first_id), headers=SERVICE)
    second = api.post("/api/handoffs", json=_handoff(second_id), headers=SERVICE)
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["position"] == 1 and first.json()["estimated_wait_s"] == 150
    assert second.json()["position"] == 2 and second.json()["estimated_wait_s"] == 300
    assert first.json()["status"] == second.json()["status"] == "waiting"
    retried = api.post("/api/handoffs", json=_handoff(first_id), headers=SERVICE).json()
    assert retried == first.json()

    queue = api.get("/api/handoffs/queue", headers=SERVICE)
    assert queue.status_code == 200
    assert [(h["conversation_id"], h["position"]) for h in queue.json()] == [
        (first_id, 1),
        (second_id, 2),
    ]
    assert queue.json()[0]["handoff_id"] == first.json()["handoff_id"]
    assert queue.json()[0]["context"] == CONTEXT and queue.json()[0]["reason"] == "no_answer"

    async def claim_first(session: AsyncSession) -> None:
        agent = await users.create_user(
            session=session,
            email="ana@example.com",
            display_name="Ana",
            role="agent",
            password_hash=hash_password("correct horse battery"),
        )
        await handoffs.claim(
            session=session, handoff_id=first.json()["handoff_id"], agent_id=agent.id
        )

    _run_sql(database_url, claim_first)
    moved_up = api.post("/api/handoffs", json=_handoff(second_id), headers=SERVICE).json()
    assert (moved_up["position"], moved_up["estimated_wait_s"]) == (1, 150)
    claimed = api.post("/api/handoffs", json=_handoff(first_id), headers=SERVICE).json()
    assert claimed == {
        "handoff_id": first.json()["handoff_id"],
        "status": "claimed",
        "position": None,
        "estimated_wait_s": None,
    }
    assert [
        h["conversation_id"] for h in api.get("/api/handoffs/queue", headers=SERVICE).json()
    ] == [second_id]


def test_handoff_api_refuses_callers_without_the_service_token(api: TestClient) -> None:
    conversation_id, customer_token = start_conversation(api)
    body = _handoff(conversation_id)
    for headers in (
        {},
        {"Authorization": "Bearer forged-token"},
        {"Authorization": f"Bearer {customer_token}"},
        {"Authorization": TEST_SERVICE_TOKEN},  # no scheme
    ):
        assert api.post("/api/handoffs", json=body, headers=headers).status_code == 401
        assert api.get("/api/handoffs/queue", headers=headers).status_code == 401
    assert api.get("/api/handoffs/queue", headers=SERVICE).json() == []


def test_handoff_api_refuses_malformed_bodies(api: TestClient) -> None:
    conversation_id, _ = start_conversation(api)
    article = {"id": "a", "title": "t", "score": 0.5}
    bad_bodies: list[Any] = [
        {"reason": "no_answer"},
        _handoff(conversation_id, reason="bored"),
        _handoff(conversation_id, surprise=1),
        _handoff(conversation_id, context={**CONTEXT, "surprise": 1}),
        _handoff(conversation_id, context={"last_question": "x" * 2001}),
        _handoff(conversation_id, context={"language": "de"}),
        _handoff(conversation_id, context={"articles": [article] * 11}),
        _handoff(conversation_id, context={"articles": [{**article, "title": "t" * 201}]}),
        _handoff(conversation_id, context={"articles": [{**article, "extra": 1}]}),
        _handoff(conversation_id, context={"articles": [{"id": "a", "title": "t"}]}),
        _handoff("x" * 37),
        [1, 2],
    ]
    for body in bad_bodies:
        response = api.post("/api/handoffs", json=body, headers=SERVICE)
        assert response.status_code == 422, body
    malformed = api.post(
        "/api/handoffs",
        content=b"{not json",
        headers={**SERVICE, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 422
    assert api.get("/api/handoffs/queue", headers=SERVICE).json() == []
    # The bounds themselves are accepted.
    longest = {
        "last_question": "x" * 2000,
        "language": "hu",
        "articles": [{**article, "title": "t" * 200}] * 10,
    }
    accepted = api.post(
        "/api/handoffs", json=_handoff(conversation_id, context=longest), headers=SERVICE
    )
    assert accepted.status_code == 201, accepted.text
    assert api.get("/api/handoffs/queue", headers=SERVICE).json()[0]["context"] == longest


def test_handoff_api_unknown_conversation_404_closed_conversation_409(
    api: TestClient, database_url: str
) -> None:
    ghost = _handoff("00000000-0000-4000-8000-000000000000")
    response = api.post("/api/handoffs", json=ghost, headers=SERVICE)
    assert response.status_code == 404 and response.json()["detail"] == "unknown conversation"

    conversation_id, _ = start_conversation(api)

    async def close_it(session: AsyncSession) -> None:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.status = "closed"

    _run_sql(database_url, close_it)
    response = api.post("/api/handoffs", json=_handoff(conversation_id), headers=SERVICE)
    assert response.status_code == 409 and response.json()["detail"] == "conversation closed"

    async def count(session: AsyncSession) -> int:
        return len((await session.scalars(select(Handoff))).all())

    assert _run_sql(database_url, count) == 0


def test_nobody_online_means_offline_and_nothing_is_queued(
    database_url: str, kb_settings: KBSettings
) -> None:
    settings = make_settings(database_url, None)
    with TestClient(create_app(settings, kb_settings)) as client:
        conversation_id, _ = start_conversation(client)
        response = client.post("/api/handoffs", json=_handoff(conversation_id), headers=SERVICE)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "offline", "reason": "no_agents", "hours": ""}
        assert client.get("/api/handoffs/queue", headers=SERVICE).json() == []


def test_outside_business_hours_says_when_the_team_is_in(
    database_url: str, kb_settings: KBSettings
) -> None:
    # Today and tomorrow are holidays: closed now, whenever the test runs (even at midnight).
    today = datetime.now(UTC).date()
    settings = make_settings(
        database_url,
        None,
        business_hours="mon-fri 09:00-17:00; sat 10:00-14:00",
        business_timezone="UTC",
        business_holidays=f"{today},{today + timedelta(days=1)}",
    )
    with TestClient(create_app(settings, kb_settings)) as client:
        agent_online(client)
        conversation_id, _ = start_conversation(client)
        body = _handoff(conversation_id, context={**CONTEXT, "language": "hu"})
        response = client.post("/api/handoffs", json=body, headers=SERVICE)
        assert response.json() == {
            "status": "offline",
            "reason": "outside_hours",
            "hours": "H–P 09:00–17:00; Szo 10:00–14:00 (UTC)",
        }


@pytest.mark.parametrize("minutes", [0, -1])
def test_minutes_per_customer_must_be_positive(minutes: float) -> None:
    with pytest.raises(ValidationError, match="handoff_minutes_per_customer"):
        Settings(handoff_minutes_per_customer=minutes)


# --- the relay pause, against the real Rasa stack ---------------------------------------------


def test_customer_messages_during_a_handoff_are_stored_but_not_relayed(
    client: TestClient, stack: RasaStack
) -> None:
    chat = cast(FastAPI, client.app).state.services.chat
    assert client.portal is not None
    conversation_id, token = start_conversation(client)
    with connect(client, conversation_id, token) as ws:
        say(ws, "hello", client_id="before")
        assert bot_reply(ws)["role"] == "bot"  # Rasa answers while the bot has the chat
        client.portal.call(chat.drain)
        ws.send_json({"type": "ping"})
        next_event(ws, "pong")  # past every event of that turn

        # The socket's Conversation was loaded at connect, with status "bot".
        agent_online(client)
        opened = client.post("/api/handoffs", json=_handoff(conversation_id), headers=SERVICE)
        assert opened.status_code == 201, opened.text
        say(ws, "is anyone there?", client_id="after")
        echo = next_event(ws, "message", "buttons", "typing", "error")
        assert (echo["role"], echo["client_id"]) == ("customer", "after")
        client.portal.call(chat.drain)
        ws.send_json({"type": "ping"})
        # Nothing between the echo and the pong: no typing, no reply, no apology.
        assert next_event(ws, "message", "buttons", "typing", "error", "pong") == {"type": "pong"}

    transcript = client.get(
        f"/api/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert transcript["status"] == "waiting_for_agent"
    assert transcript["messages"][-1]["client_id"] == "after"
    assert [m["role"] for m in transcript["messages"]].count("customer") == 2
    said = [e["text"] for e in stack.tracker(conversation_id)["events"] if e["event"] == "user"]
    assert said == ["hello"]
