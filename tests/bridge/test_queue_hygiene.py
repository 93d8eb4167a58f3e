"""Queue hygiene: a waiting customer who left the page holds no place, comes back to their
old place within QUEUE_ABANDON_AFTER_S, and after it becomes a missed chat; on SQLite and
PostgreSQL, with a fake clock (the sweeps are called by hand, nothing waits for real time).

The service is built from the real pieces (handoff service, customer presence over counted
sockets, in-memory event bus); only Rasa is a recorder, since Rasa itself is not part of this.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import agent_records, handoffs, repository, users
from bridge.db import queue_hygiene as queue_sql
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import Conversation, Handoff, Message
from bridge.services.after_agent_survey import AfterAgentSurvey
from bridge.services.business_hours import BusinessHours
from bridge.services.connections import LocalConnections
from bridge.services.customer_presence import CustomerPresence
from bridge.services.handoff import QUEUE_KEY, HandoffService, Queued
from bridge.services.handoff_views import Agent
from bridge.services.hub import Hub
from bridge.services.missed_chats import AlreadyHandled, MissedChats, UnknownMissedChat
from bridge.services.ports import Subscription
from bridge.services.presence import Presence
from bridge.services.queue_hygiene import QueueHygiene, SweepResult
from bridge.services.rasa_client import RasaClient, RasaUnavailable
from bridge.settings import Settings
from tests.conftest import make_settings

Sessions = async_sessionmaker[AsyncSession]
ABANDON_S = 300.0
MINUTES = 2.5  # per customer: estimated waits of 150 s per place
GRACE_S = 20.0  # after a start, before anyone unreported is marked gone


class Clock:
    """The fake clock every service of a test reads."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> datetime:
        self.at += timedelta(seconds=seconds)
        return self.at


@dataclass
class FakeRasa:
    """Records the conversations resumed; `down` makes it refuse like an unreachable Rasa."""

    resumed: list[tuple[str, str]] = field(default_factory=list)
    down: bool = False

    async def resume(self, conversation_id: str, language: str) -> None:
        if self.down:
            raise RasaUnavailable("Rasa is down")
        self.resumed.append((conversation_id, language))


@dataclass
class Desk:
    """One bridge process's queue pieces on the test's database."""

    sessions: Sessions
    clock: Clock
    rasa: FakeRasa
    hub: Hub
    handoffs: HandoffService
    customers: CustomerPresence
    hygiene: QueueHygiene


def desk(sessions: Sessions, clock: Clock, rasa: FakeRasa | None = None) -> Desk:
    """A process that starts now (a second call: the same bridge after a restart)."""
    hub, rasa = Hub(), rasa or FakeRasa()
    presence = Presence(away_after_s=300, offline_after_s=900)
    unreachable = RasaClient(base_urls=["http://127.0.0.1:9"], token="t", timeout_s=1)
    service = HandoffService(
        sessions=sessions,
        hub=hub,
        rasa=unreachable,
        presence=presence,
        hours=BusinessHours(hours="mon-sun 00:00-24:00", zone="Europe/Budapest", holidays=""),
        max_message_chars=2000,
        minutes_per_customer=MINUTES,
        survey=AfterAgentSurvey(sessions=sessions, rasa=unreachable, enabled=False),
        now=clock,
    )
    customers = CustomerPresence(
        hub, LocalConnections(), on_change=lambda *change: hygiene.presence_changed(*change)
    )
    hygiene = QueueHygiene(
        sessions=sessions,
        hub=hub,
        customer_present=customers.present,
        resume=rasa.resume,
        publish_queue=service.publish_queue,
        abandon_after_s=ABANDON_S,
        minutes_per_customer=MINUTES,
        reconnect_grace_s=GRACE_S,
        now=clock,
    )
    return Desk(sessions, clock, rasa, hub, service, customers, hygiene)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def agent(sessions: Sessions) -> Agent:
    async with sessions.begin() as session:
        user = await users.create_user(
            session=session,
            email="anna@example.com",
            display_name="Anna",
            role="agent",
            password_hash="not used here",
        )
        return Agent(user.id, user.display_name)


@pytest.fixture
async def bridge(sessions: Sessions, clock: Clock, agent: Agent) -> Desk:
    made = desk(sessions, clock)
    await made.handoffs._presence.touch(agent.id)  # someone is online: handoffs queue
    return made


async def wait_in_queue(
    bridge: Desk, question: str = "where is my parcel?", language: str = "en"
) -> tuple[str, int]:
    """A customer with the chat open asks for a person: (conversation id, handoff id)."""
    async with bridge.sessions.begin() as session:
        conversation = await repository.create_conversation(
            session=session, language=language, visitor_id=None, page_url=None
        )
    assert await bridge.customers.joined(conversation.id)
    queued = await bridge.handoffs.request(
        conversation_id=conversation.id,
        reason="customer_request",
        context={"last_question": question, "language": language, "articles": []},
    )
    assert isinstance(queued, Queued)
    return conversation.id, queued.handoff_id


async def stored(bridge: Desk, handoff_id: int) -> Handoff:
    async with bridge.sessions() as session:
        found = await handoffs.get_handoff(session=session, handoff_id=handoff_id)
    assert found is not None
    return found


async def places(bridge: Desk) -> list[tuple[int, int | None, bool]]:
    """The agents' snapshot: (handoff id, place, left the page) in the order shown."""
    return [
        (view["handoff_id"], view["position"], view["customer_left_at"] is not None)
        for view in await bridge.handoffs.queue()
    ]


def drain(subscription: Subscription) -> list[dict[str, Any]]:
    events = []
    while not subscription.queue.empty():
        events.append(subscription.queue.get_nowait())
    return events


def utc(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


# --- leaving, coming back, missing --------------------------------------------------------------


async def test_a_customer_gone_for_the_timeout_becomes_a_missed_chat(bridge: Desk) -> None:
    conversation_id, handoff_id = await wait_in_queue(bridge)
    widget, consoles = bridge.hub.subscribe(conversation_id), bridge.hub.subscribe(QUEUE_KEY)
    left_at = bridge.clock.advance(60)
    await bridge.customers.left(conversation_id)
    assert utc((await stored(bridge, handoff_id)).customer_left_at) == left_at
    assert await places(bridge) == [(handoff_id, None, True)]

    bridge.clock.advance(ABANDON_S - 1)
    assert (await bridge.hygiene.sweep()).missed == 0
    assert (await stored(bridge, handoff_id)).status == "waiting"

    missed_at = bridge.clock.advance(2)
    drain(widget), drain(consoles)
    assert (await bridge.hygiene.sweep()).missed == 1
    handoff = await stored(bridge, handoff_id)
    assert (handoff.status, utc(handoff.ended_at)) == ("missed", missed_at)
    async with bridge.sessions() as session:
        status = await repository.get_status(session=session, conversation_id=conversation_id)
        lines = (await session.scalars(select(Message).where(Message.role == "system"))).all()
    # Back to the bot, which listens again: a customer who returns can simply go on.
    assert status == "bot" and bridge.rasa.resumed == [(conversation_id, "en")]
    assert [line.text for line in lines] == [
        "You had left the page, so you are no longer in the queue for an agent. Ask me "
        "anything, or ask for a person again whenever you like."
    ]
    told = drain(widget)
    assert [e["type"] for e in told] == ["message", "status"] and told[1]["status"] == "bot"
    announced = drain(consoles)
    assert {"type": "missed_chat", "handoff_id": handoff_id} in announced
    assert {"type": "queue", "handoffs": []} in announced
    assert await places(bridge) == []
    # Swept once: a second sweep finds nothing to do.
    assert (await bridge.hygiene.sweep()).missed == 0 and len(bridge.rasa.resumed) == 1


async def test_coming_back_in_time_keeps_the_place(bridge: Desk) -> None:
    first, first_id = await wait_in_queue(bridge)
    second, second_id = await wait_in_queue(bridge)
    _third, third_id = await wait_in_queue(bridge)
    widget = bridge.hub.subscribe(second)

    await bridge.customers.left(first)
    assert await places(bridge) == [
        (second_id, 1, False),
        (third_id, 2, False),
        (first_id, None, True),
    ]
    async with bridge.sessions() as session:
        assert await handoffs.position(session=session, handoff_id=second_id) == 1
        assert await handoffs.position(session=session, handoff_id=third_id) == 2
    # The second customer's widget heard that they moved up, with the wait that goes with it.
    moved = [e for e in drain(widget) if e["type"] == "queue_position"]
    assert moved == [
        {
            "type": "queue_position",
            "conversation_id": second,
            "position": 1,
            "estimated_wait_s": 150,
        }
    ]
    # A new customer is told the place among those on the page: third, not fourth.
    async with bridge.sessions.begin() as session:
        newcomer = await repository.create_conversation(
            session=session, language="en", visitor_id=None, page_url=None
        )
    assert await bridge.customers.joined(newcomer.id)
    told = await bridge.handoffs.request(
        conversation_id=newcomer.id, reason="no_answer", context={}
    )
    assert isinstance(told, Queued)
    assert (told.position, told.estimated_wait_s) == (3, 450)
    drain(widget)

    bridge.clock.advance(ABANDON_S - 10)
    assert await bridge.customers.joined(first)  # back (a reload, a second tab)
    assert (await stored(bridge, first_id)).customer_left_at is None
    assert [p for _, p, _ in await places(bridge)] == [1, 2, 3, 4]
    assert [e["position"] for e in drain(widget) if e["type"] == "queue_position"] == [2]
    bridge.clock.advance(ABANDON_S)
    assert await bridge.hygiene.sweep() == SweepResult(marked=0, cleared=0, missed=0)
    assert (await stored(bridge, first_id)).status == "waiting"


async def test_a_second_tab_keeps_the_customer_present(bridge: Desk) -> None:
    conversation_id, handoff_id = await wait_in_queue(bridge)
    assert await bridge.customers.joined(conversation_id)
    await bridge.customers.left(conversation_id)
    assert (await stored(bridge, handoff_id)).customer_left_at is None
    # A tab that opened while the last one closed: the mark is looked at again and withdrawn.
    await bridge.hygiene.presence_changed(conversation_id, False)
    assert (await stored(bridge, handoff_id)).customer_left_at is None


async def test_a_close_is_noted_even_when_the_socket_task_is_cancelled(bridge: Desk) -> None:
    conversation_id, handoff_id = await wait_in_queue(bridge)

    async def socket_task() -> None:  # bridge.api.ws_chat's last words
        await asyncio.shield(bridge.customers.closing(conversation_id))

    task = asyncio.create_task(socket_task())
    await asyncio.sleep(0)  # the close is under way
    task.cancel()  # a server stopping, a test client closing
    with pytest.raises(asyncio.CancelledError):
        await task
    await bridge.customers.drain()
    assert not await bridge.customers.present(conversation_id)
    assert utc((await stored(bridge, handoff_id)).customer_left_at) == bridge.clock.at


async def test_the_socket_events_mark_only_waiting_customers(bridge: Desk, agent: Agent) -> None:
    conversation_id, handoff_id = await wait_in_queue(bridge)
    await bridge.handoffs.claim(handoff_id=handoff_id, agent=agent)
    await bridge.customers.left(conversation_id)
    claimed = await stored(bridge, handoff_id)
    assert (claimed.status, claimed.customer_left_at) == ("claimed", None)
    bridge.clock.advance(ABANDON_S * 3)
    assert (await bridge.hygiene.sweep()).missed == 0  # with an agent: the agent decides


async def _claim_and_miss_at_once(
    sessions: Sessions, handoff_id: int, agent_id: int, clock: Clock
) -> list[Any]:
    """The agent's claim and the sweep's UPDATE, each in a transaction open (own connection)
    before either acts."""
    ready = asyncio.Barrier(2)

    async def claim() -> Handoff:
        async with sessions.begin() as session:
            await session.connection()
            await ready.wait()
            return await handoffs.claim(session=session, handoff_id=handoff_id, agent_id=agent_id)

    async def miss() -> Handoff | None:
        async with sessions.begin() as session:
            await session.connection()
            await ready.wait()
            return await queue_sql.miss(
                session=session,
                handoff_id=handoff_id,
                left_before=clock.at - timedelta(seconds=ABANDON_S),
                now=clock.at,
            )

    return await asyncio.gather(claim(), miss(), return_exceptions=True)


async def test_a_claim_and_the_sweep_at_once_have_one_winner(bridge: Desk, agent: Agent) -> None:
    for _ in range(6):
        conversation_id, handoff_id = await wait_in_queue(bridge)
        await bridge.customers.left(conversation_id)
        bridge.clock.advance(ABANDON_S + 1)
        claimed, missed = await _claim_and_miss_at_once(
            bridge.sessions, handoff_id, agent.id, bridge.clock
        )
        handoff = await stored(bridge, handoff_id)
        async with bridge.sessions() as session:
            status = await repository.get_status(session=session, conversation_id=conversation_id)
        if isinstance(claimed, Handoff):
            assert missed is None, missed
            assert (handoff.status, handoff.claimed_by, status) == (
                "claimed",
                agent.id,
                "with_agent",
            )
        else:
            assert isinstance(claimed, handoffs.HandoffNotActive), repr(claimed)
            assert isinstance(missed, Handoff) and missed.id == handoff_id
            assert (handoff.status, handoff.claimed_by, status) == ("missed", None, "bot")


async def test_the_services_racing_agree_with_the_database(bridge: Desk, agent: Agent) -> None:
    conversation_id, handoff_id = await wait_in_queue(bridge)
    await bridge.customers.left(conversation_id)
    bridge.clock.advance(ABANDON_S + 1)
    claim, sweep = await asyncio.gather(
        bridge.handoffs.claim(handoff_id=handoff_id, agent=agent),
        bridge.hygiene.sweep(),
        return_exceptions=True,
    )
    status = (await stored(bridge, handoff_id)).status
    assert isinstance(sweep, SweepResult), repr(sweep)
    if status == "claimed":
        assert isinstance(claim, dict) and sweep.missed == 0
    else:
        assert status == "missed" and sweep.missed == 1
        assert isinstance(claim, handoffs.HandoffNotActive), repr(claim)


async def test_the_loser_of_the_race_changes_nothing(bridge: Desk, agent: Agent) -> None:
    # Claimed first: the sweep's UPDATE matches no row (Rasa was resumed, harmlessly).
    conversation_id, handoff_id = await wait_in_queue(bridge)
    await bridge.customers.left(conversation_id)
    bridge.clock.advance(ABANDON_S + 1)
    await bridge.handoffs.claim(handoff_id=handoff_id, agent=agent)
    assert (await bridge.hygiene.sweep()).missed == 0
    assert (await stored(bridge, handoff_id)).status == "claimed"
    # Missed first: the claim is refused as for any ended handoff.
    conversation_id, handoff_id = await wait_in_queue(bridge)
    await bridge.customers.left(conversation_id)
    bridge.clock.advance(ABANDON_S + 1)
    assert (await bridge.hygiene.sweep()).missed == 1
    with pytest.raises(handoffs.HandoffNotActive):
        await bridge.handoffs.claim(handoff_id=handoff_id, agent=agent)
    handoff = await stored(bridge, handoff_id)
    assert (handoff.status, handoff.claimed_by) == ("missed", None)


async def test_while_rasa_is_down_the_customer_stays_marked(bridge: Desk) -> None:
    conversation_id, handoff_id = await wait_in_queue(bridge)
    await bridge.customers.left(conversation_id)
    bridge.clock.advance(ABANDON_S + 1)
    bridge.rasa.down = True
    assert (await bridge.hygiene.sweep()).missed == 0
    assert (await stored(bridge, handoff_id)).status == "waiting"
    bridge.rasa.down = False
    assert (await bridge.hygiene.sweep()).missed == 1


# --- the missed chats agents follow up -----------------------------------------------------------


async def miss(bridge: Desk, question: str, language: str = "en") -> tuple[str, int]:
    """A customer who asks for a person, leaves the page and does not come back."""
    conversation_id, handoff_id = await wait_in_queue(bridge, question, language)
    await bridge.customers.left(conversation_id)
    bridge.clock.advance(ABANDON_S + 1)
    assert (await bridge.hygiene.sweep()).missed == 1
    return conversation_id, handoff_id


async def test_missed_chats_are_listed_with_the_contact_the_customer_gave(
    bridge: Desk, agent: Agent
) -> None:
    async def customer_line(conversation_id: str, text: str) -> None:
        async with bridge.sessions.begin() as session:
            await repository.append_message(
                session=session, conversation_id=conversation_id, role="customer", text=text
            )

    left_message, left_message_id = await miss(bridge, "refund for order 1234?")
    async with bridge.sessions.begin() as session:
        await agent_records.add_offline_request(
            session=session,
            conversation_id=left_message,
            email="mia@example.com",
            message="please call back",
            language="en",
        )
    await customer_line(left_message, "or try old@example.org")  # the form's address wins
    typed, typed_id = await miss(bridge, "Hol a csomagom?", language="hu")
    await customer_line(typed, "Írjon a Kiss.Bea@Example.HU címre.")
    await customer_line(typed, "nem tudom, a jelszavam @@ valami")  # newer, no address
    silent, silent_id = await miss(bridge, "hello?")
    erased, _ = await miss(bridge, "delete me")
    async with bridge.sessions.begin() as session:
        conversation = await session.get(Conversation, erased)
        assert conversation is not None
        conversation.erased_at = bridge.clock.at  # nothing to follow up any more

    service = MissedChats(bridge.sessions, bridge.hub, now=bridge.clock)
    listed = await service.open(100)
    assert [(m.handoff_id, m.language, m.last_question, m.email) for m in listed] == [
        (silent_id, "en", "hello?", None),
        (typed_id, "hu", "Hol a csomagom?", "kiss.bea@example.hu"),
        (left_message_id, "en", "refund for order 1234?", "mia@example.com"),
    ]
    assert listed[0].conversation_id == silent
    assert listed[0].missed_at == bridge.clock.at - timedelta(seconds=ABANDON_S + 1)
    assert all(m.waited_since < m.missed_at for m in listed)
    # The Hungarian customer was told in Hungarian why the queue let them go.
    async with bridge.sessions() as session:
        lines = await repository.list_messages(
            session=session, conversation_id=typed, after=0, limit=10
        )
    assert "Mivel elhagyta az oldalt, kikerült az ügyintézőre várók sorából." in [
        line.text.split(" Kérdezzen")[0] for line in lines if line.role == "system"
    ]
    assert [m.handoff_id for m in await service.open(1)] == [silent_id]

    consoles = bridge.hub.subscribe(QUEUE_KEY)
    await service.mark_handled(handoff_id=typed_id, agent=agent)
    assert drain(consoles) == [{"type": "missed_chat_handled", "handoff_id": typed_id}]
    handled = await stored(bridge, typed_id)
    assert (utc(handled.handled_at), handled.handled_by) == (bridge.clock.at, agent.id)
    assert [m.handoff_id for m in await service.open(100)] == [silent_id, left_message_id]

    waiting_id = (await wait_in_queue(bridge))[1]
    drain(consoles)
    refusals = [
        (typed_id, AlreadyHandled),  # two agents at once: the second is told
        (waiting_id, UnknownMissedChat),  # not a missed chat
        (999_999, UnknownMissedChat),
    ]
    for handoff_id, refused in refusals:
        with pytest.raises(refused):
            await service.mark_handled(handoff_id=handoff_id, agent=Agent(agent.id + 1, "Bob"))
    assert drain(consoles) == []
    assert (await stored(bridge, typed_id)).handled_by == agent.id
    waiting = await stored(bridge, waiting_id)
    assert (waiting.status, waiting.handled_at, waiting.handled_by) == ("waiting", None, None)


# --- restarts and what no socket said ------------------------------------------------------------


async def test_a_restart_sweeps_those_gone_before_it_and_keeps_those_who_reconnect(
    sessions: Sessions, clock: Clock, agent: Agent
) -> None:
    before = desk(sessions, clock)
    await before.handoffs._presence.touch(agent.id)
    left_early, left_early_id = await wait_in_queue(before)
    reconnects, reconnects_id = await wait_in_queue(before)
    never_back, never_back_id = await wait_in_queue(before)
    await before.customers.left(left_early)
    # The bridge stops for longer than the timeout; its sockets' counts go with it (the other
    # two customers' closes were never noted: a crash, say).
    clock.advance(ABANDON_S * 2)
    after = desk(sessions, clock)

    # Right after the start: widgets get time to reconnect, and nobody is missed yet, not even
    # the customer who had left long before (how long the bridge was down is no wait of theirs
    # that this process saw).
    assert await after.hygiene.sweep() == SweepResult(marked=0, cleared=0, missed=0)
    clock.advance(GRACE_S)
    assert (await after.hygiene.sweep()).marked == 2
    assert [
        utc((await stored(after, h)).customer_left_at) for h in (reconnects_id, never_back_id)
    ] == [clock.at - timedelta(seconds=GRACE_S)] * 2  # gone since the start at least
    assert await after.customers.joined(reconnects)  # the widget's retry got through
    assert await places(after) == [
        (reconnects_id, 1, False),
        (left_early_id, None, True),
        (never_back_id, None, True),
    ]

    clock.advance(ABANDON_S - GRACE_S + 1)
    assert (await after.hygiene.sweep()).missed == 2
    statuses = [
        (await stored(after, h)).status for h in (left_early_id, reconnects_id, never_back_id)
    ]
    assert statuses == ["missed", "waiting", "missed"]
    assert {c for c, _ in after.rasa.resumed} == {left_early, never_back}


async def test_a_sweep_corrects_marks_that_no_socket_event_set(bridge: Desk) -> None:
    gone, gone_id = await wait_in_queue(bridge)
    _here, here_id = await wait_in_queue(bridge)
    bridge.clock.advance(GRACE_S)
    assert await bridge.hygiene.sweep() == SweepResult(marked=0, cleared=0, missed=0)
    # Counted sockets disagree with the marks (a process died, a write failed).
    await bridge.customers._connections.closed(f"customer:{gone}")
    async with bridge.sessions.begin() as session:
        await session.execute(
            Handoff.__table__.update()
            .where(Handoff.id == here_id)
            .values(customer_left_at=bridge.clock.at - timedelta(days=1))
        )
    bridge.clock.advance(5)
    result = await bridge.hygiene.sweep()
    assert (result.marked, result.cleared, result.missed) == (1, 1, 0)
    assert utc((await stored(bridge, gone_id)).customer_left_at) == bridge.clock.at
    assert (await stored(bridge, here_id)).customer_left_at is None


# --- settings and arguments -----------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -5, "soon", "nan", "inf", 7 * 24 * 3600 + 1, ""])
def test_bad_abandon_timeouts_are_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="queue_abandon_after_s"):
        make_settings("sqlite+aiosqlite:///unused.db", None, queue_abandon_after_s=value)


@pytest.mark.parametrize(
    ("after_s", "interval_s"), [(300, 15.0), (60, 6.0), (2, 0.25), (86_400, 15.0)]
)
def test_the_sweep_interval_follows_the_timeout(after_s: float, interval_s: float) -> None:
    settings = make_settings("sqlite+aiosqlite:///unused.db", None, queue_abandon_after_s=after_s)
    assert settings.queue_sweep_interval_s == interval_s


def test_the_timeout_defaults_to_five_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUEUE_ABANDON_AFTER_S", raising=False)
    assert Settings(environment="test").queue_abandon_after_s == 300
    monkeypatch.setenv("QUEUE_ABANDON_AFTER_S", "0")
    with pytest.raises(ValidationError):
        Settings(environment="test")


async def test_the_service_refuses_meaningless_times(sessions: Sessions, clock: Clock) -> None:
    made = desk(sessions, clock)
    for bad in ({"abandon_after_s": 0}, {"reconnect_grace_s": -1}):
        with pytest.raises(ValueError):
            QueueHygiene(
                sessions=sessions,
                hub=made.hub,
                customer_present=made.customers.present,
                resume=made.rasa.resume,
                publish_queue=made.handoffs.publish_queue,
                **{"abandon_after_s": ABANDON_S, "minutes_per_customer": MINUTES, **bad},
            )
    with pytest.raises(ValueError):
        await made.hygiene.run(0)
