"""A returning customer's earlier chats: the history route, the summary every handoff view
carries, and the queue snapshot finding all its summaries in one query. On SQLite and
PostgreSQL, over conversations seeded through the ORM; the expected lists are written out
by hand from the seed below."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import (
    Conversation,
    Handoff,
    Message,
    NpsSurvey,
    OfflineRequest,
    User,
)
from bridge.services import customer_history
from bridge.services.handoff_views import views
from tests import aio
from tests.bridge.conftest import Seeder
from tests.staff import Signed, add_user, sign_in

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
VISITOR = "visitor-returning"
LONG = "Where is my parcel? " * 20  # 400 characters: shortened in the list


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@dataclass
class Seed:
    id: str
    hours: float  # when it started, after T0
    visitor: str | None = VISITOR
    customer: list[str] = field(default_factory=list)  # the customer's messages, in order
    handoff: str | None = None  # the status of its handoff, if it had one
    agent: bool = False  # Anna had claimed it
    question: str | None = None  # the handoff's last question
    scores: list[int] = field(default_factory=list)  # NPS answers, oldest first
    left_message: bool = False
    erased: bool = False


SEED = [
    Seed("bot-only", 0, customer=["How do returns work?"], scores=[9]),
    Seed(
        "closed",
        1,
        customer=["hello", "I need a person"],
        handoff="closed",
        agent=True,
        scores=[7, 4],
    ),
    Seed("handed-back", 2, customer=[LONG], handoff="returned", agent=True),
    Seed("missed", 3, handoff="missed", question="Can someone call me?", customer=["   "]),
    Seed("message-left", 4, customer=["my invoice is wrong"], left_message=True),
    Seed("gave-up", 5, customer=["agent please"], handoff="cancelled"),
    Seed("erased", 6, customer=["my secret"], erased=True, scores=[10]),
    Seed("silent", 7),  # opened the widget, said nothing: no chat
    Seed("stranger", 8, visitor="someone-else", customer=["hi"], scores=[0]),
    Seed("anonymous", 8.5, visitor=None, customer=["hi"]),
    Seed("current", 9, customer=["it is me again"], handoff="waiting"),
    Seed("later", 10, customer=["and again"]),
]
EARLIER = ["gave-up", "message-left", "missed", "handed-back", "closed", "bot-only"]


async def _seed(session: AsyncSession) -> None:
    anna = User(email="anna@x.example", display_name="Anna", role="agent", password_hash="x")
    session.add(anna)
    for s in SEED:
        session.add(
            Conversation(
                id=s.id,
                visitor_id=s.visitor,
                language="en",
                created_at=at(s.hours),
                erased_at=at(20) if s.erased else None,
            )
        )
    await session.flush()
    for s in SEED:
        seq = 0
        for seq, text in enumerate(s.customer, start=1):
            moment = at(s.hours) + timedelta(minutes=seq)
            session.add(
                Message(
                    conversation_id=s.id, seq=seq, role="customer", text=text, created_at=moment
                )
            )
            session.add(
                Message(
                    conversation_id=s.id, seq=100 + seq, role="bot", text="ok", created_at=moment
                )
            )
        if s.handoff:
            session.add(
                Handoff(
                    conversation_id=s.id,
                    status=s.handoff,
                    reason="customer_request",
                    context={"last_question": s.question, "language": "en"},
                    created_at=at(s.hours) + timedelta(minutes=30),
                    claimed_by=anna.id if s.agent else None,
                    claimed_at=at(s.hours) + timedelta(minutes=31) if s.agent else None,
                )
            )
        for n, score in enumerate(s.scores):
            answered = at(s.hours) + timedelta(minutes=40 + n)
            session.add(
                NpsSurvey(
                    conversation_id=s.id,
                    visitor_id=s.visitor,
                    language="en",
                    status="answered",
                    score=score,
                    trigger="after_agent",
                    asked_at=answered,
                    answered_at=answered,
                )
            )
        if s.left_message:
            session.add(
                OfflineRequest(
                    conversation_id=s.id, email="c@x.example", message="call me", language="en"
                )
            )


@pytest.fixture
def seed() -> Seeder:
    """The rows `seeded` (tests/bridge/conftest.py) writes."""
    return _seed


@pytest.fixture
def agent(app_client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "bela@example.com")
    return sign_in(app_client, "bela@example.com")


def history(client: TestClient, signed: Signed | None, conversation_id: str) -> Any:
    headers = signed.headers() if signed else {}
    return client.get(f"/api/staff/conversations/{conversation_id}/history", headers=headers)


# --- the route ---------------------------------------------------------------------------------


def test_the_earlier_chats_of_the_same_visitor_newest_first(
    app_client: TestClient, agent: Signed, seeded: str
) -> None:
    response = history(app_client, agent, "current")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conversation_id"] == "current"
    chats = body["chats"]
    # Not the erased, the silent, another visitor's, the anonymous one, nor a later one.
    assert [c["conversation_id"] for c in chats] == EARLIER
    by_id = {c["conversation_id"]: c for c in chats}
    assert {cid: (c["outcome"], c["agent"]) for cid, c in by_id.items()} == {
        "bot-only": ("bot", None),
        "closed": ("closed", "Anna"),
        "handed-back": ("handed_back", "Anna"),
        "missed": ("missed", None),
        "message-left": ("left_message", None),
        "gave-up": ("cancelled", None),
    }
    assert by_id["bot-only"]["topic"] == "How do returns work?"
    assert by_id["closed"]["topic"] == "hello"  # the first thing the customer said
    assert by_id["missed"]["topic"] == "Can someone call me?"  # blank message: the handoff's
    shortened = by_id["handed-back"]["topic"]
    assert len(shortened) == customer_history.TOPIC_CHARS and shortened.endswith("…")
    assert LONG.startswith(shortened[:-1])
    assert {cid: c["nps_score"] for cid, c in by_id.items()} == {
        "bot-only": 9,
        "closed": 4,  # its newest answer
        "handed-back": None,
        "missed": None,
        "message-left": None,
        "gave-up": None,
    }
    assert by_id["closed"]["started_at"] == at(1).isoformat().replace("+00:00", "Z")
    assert body["summary"] == {"earlier_chats": 6, "last_nps": 4}


def test_the_first_chat_and_other_visitors(
    app_client: TestClient, agent: Signed, seeded: str
) -> None:
    for first in ("bot-only", "stranger", "anonymous"):
        body = history(app_client, agent, first).json()
        assert body["chats"] == [], first
        assert body["summary"] == {"earlier_chats": 0, "last_nps": None}, first
    # An erased conversation sees its visitor's other chats no more than they see it.
    later = history(app_client, agent, "later").json()
    assert [c["conversation_id"] for c in later["chats"]] == ["current", *EARLIER]


def test_an_erased_conversation_is_never_listed(
    app_client: TestClient, agent: Signed, seeded: str
) -> None:
    async def unerase(session: AsyncSession) -> None:
        erased = await session.get(Conversation, "erased")
        assert erased is not None
        erased.erased_at = None

    body = history(app_client, agent, "current").json()
    assert "erased" not in [c["conversation_id"] for c in body["chats"]]
    aio.run_sql(seeded, unerase)  # the same row, not erased, is listed: the filter is what hid it
    body = history(app_client, agent, "current").json()
    assert [c["conversation_id"] for c in body["chats"]] == ["erased", *EARLIER]
    assert body["summary"] == {"earlier_chats": 7, "last_nps": 10}


def test_the_list_is_bounded_the_count_is_not(seeded: str) -> None:
    async def bounded(session: AsyncSession) -> customer_history.CustomerHistory:
        return await customer_history.history(session=session, conversation_id="current", limit=2)

    found = aio.run_sql(seeded, bounded)
    assert [c.conversation_id for c in found.chats] == EARLIER[:2]
    assert found.summary == customer_history.Returning(earlier_chats=6, last_nps=4)


def test_unknown_conversation_and_bad_ids(
    app_client: TestClient, agent: Signed, database_url: str
) -> None:
    assert history(app_client, agent, "no-such-conversation").status_code == 404
    assert history(app_client, agent, "x" * 37).status_code == 422
    assert history(app_client, agent, "bad%00id").status_code == 422


def test_agents_only(app_client: TestClient, database_url: str, seeded: str) -> None:
    assert history(app_client, None, "current").status_code == 401
    add_user(database_url, "editor@example.com", role="editor")
    editor = sign_in(app_client, "editor@example.com")
    assert history(app_client, editor, "current").status_code == 403
    add_user(database_url, "root@example.com", role="admin")
    assert (
        history(app_client, sign_in(app_client, "root@example.com"), "current").status_code == 200
    )


# --- the handoff views -------------------------------------------------------------------------


def test_the_queue_says_who_is_returning(
    app_client: TestClient, agent: Signed, seeded: str
) -> None:
    response = app_client.get("/api/staff/queue", headers=agent.headers())
    assert response.status_code == 200, response.text
    [waiting] = response.json()["handoffs"]
    assert waiting["conversation_id"] == "current"
    assert waiting["returning"] == {"earlier_chats": 6, "last_nps": 4}
    # The same summary in the conversation as the console opens it.
    opened = app_client.get("/api/staff/conversations/current", headers=agent.headers()).json()
    assert opened["handoff"]["returning"] == waiting["returning"]
    # An earlier conversation counts only the chats before it.
    first = app_client.get("/api/staff/conversations/closed", headers=agent.headers()).json()
    assert first["handoff"]["returning"] == {"earlier_chats": 1, "last_nps": 9}


async def _more_waiting(session: AsyncSession, n: int) -> None:
    """`n` more waiting customers, each with one earlier chat of their own but the first."""
    for i in range(n):
        for suffix, hours in (("before", 30), ("now", 31))[0 if i else 1 :]:
            cid = f"q{i}-{suffix}"
            session.add(
                Conversation(id=cid, visitor_id=f"visitor-{i}", language="hu", created_at=at(hours))
            )
            await session.flush()
            session.add(
                Message(
                    conversation_id=cid, seq=1, role="customer", text="szia", created_at=at(hours)
                )
            )
        session.add(
            Handoff(
                conversation_id=f"q{i}-now",
                status="waiting",
                reason="customer_request",
                context={"language": "hu"},
                created_at=at(31 + i / 10),
            )
        )


def _snapshot_statements(url: str) -> tuple[int, list[dict[str, Any]]]:
    """The queue snapshot's views and how many SQL statements they took."""

    async def run() -> tuple[int, list[dict[str, Any]]]:
        engine = create_engine(url)
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            async with create_sessionmaker(engine)() as session:
                rows = list(await session.scalars(select(Handoff).order_by(Handoff.created_at)))
                statements.clear()
                shown = await views(session, rows)
        finally:
            await engine.dispose()
        return len(statements), shown

    return aio.run(run())


def test_a_snapshot_finds_every_summary_in_one_query(seeded: str) -> None:
    few, shown = _snapshot_statements(seeded)
    aio.run_sql(seeded, lambda session: _more_waiting(session, 5))
    many, more = _snapshot_statements(seeded)
    assert few == many  # not one query per handoff
    returning = {view["conversation_id"]: view["returning"] for view in more}
    assert returning["q0-now"] is None  # a first chat: not returning
    for i in range(1, 5):
        assert returning[f"q{i}-now"] == {"earlier_chats": 1, "last_nps": None}
    assert returning["current"] == {"earlier_chats": 6, "last_nps": 4}
    assert returning["closed"] == {"earlier_chats": 1, "last_nps": 9}
    assert len(more) == len(shown) + 5
