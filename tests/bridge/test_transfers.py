"""Transfers of a claimed chat through the API and the websockets, on SQLite and PostgreSQL:
to a colleague who accepts or declines, cancelled, expired (a fake clock), withdrawn by a
close, back to the queue, and every bad request refused with nothing changed.

Races at the database are in test_transfer_races.py, two bridges in test_transfers_scaled.py.
No Rasa here: nothing in a transfer talks to the bot.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.api.staff_deps import CHAT_ROLES
from bridge.app import create_app
from bridge.db.models import ConversationNote, Handoff, HandoffTransfer, Message
from bridge.services import transfer as transfer_service
from bridge.services.handoff_views import Agent
from bridge.services.transfer import TransferService
from knowledge_base.settings import KBSettings
from tests import aio
from tests.bridge.test_console_api import CONTEXT, SERVICE, agent_socket, next_of
from tests.chat import connect, next_event, start_conversation
from tests.conftest import make_settings
from tests.staff import Signed, add_user, services, sign_in

TIMEOUT_S = 60


class Clock:
    """The transfer service's `now`, moved by the tests."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app_client(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    """The bridge without Rasa or the knowledge base (a transfer reaches neither); its transfer
    service runs on `clock`."""
    settings = make_settings(database_url, None, transfer_offer_timeout_s=TIMEOUT_S)
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index", warm_up=False)
    with TestClient(create_app(settings, kb)) as client:
        built = services(client)
        built.transfers = TransferService(
            sessions=built.sessions,
            hub=built.hub,
            presence=built.presence,
            handoffs=built.handoffs,
            offer_timeout_s=TIMEOUT_S,
            now=clock,
        )
        yield client


@dataclass(frozen=True)
class Member(Signed):
    """A signed-in member of staff and their user id."""

    id: int = 0


def online(client: TestClient, url: str, email: str, role: str = "agent") -> Member:
    """A signed-in agent (signing in sets them online)."""
    user_id = add_user(url, email, role=role)
    signed = sign_in(client, email)
    return Member(signed.session, signed.csrf, user_id)


@pytest.fixture
def anna(app_client: TestClient, database_url: str) -> Member:
    return online(app_client, database_url, "anna@example.com")


@pytest.fixture
def bela(app_client: TestClient, database_url: str) -> Member:
    return online(app_client, database_url, "bela@example.com")


@pytest.fixture
def cili(app_client: TestClient, database_url: str) -> Member:
    return online(app_client, database_url, "cili@example.com")


def me(_client: TestClient, member: Member) -> int:
    return member.id


def claimed(client: TestClient, agent: Signed, language: str = "en") -> tuple[str, str, int]:
    """A customer's chat that `agent` has claimed: (conversation id, token, handoff id)."""
    conversation_id, token = start_conversation(client, language)
    body = {
        "conversation_id": conversation_id,
        "reason": "customer_request",
        "context": {**CONTEXT, "language": language},
    }
    handoff_id = client.post("/api/handoffs", json=body, headers=SERVICE).json()["handoff_id"]
    claim = client.post(f"/api/staff/handoffs/{handoff_id}/claim", headers=agent.headers())
    assert claim.status_code == 200, claim.text
    return conversation_id, token, handoff_id


def transfer(
    client: TestClient, agent: Signed, handoff_id: int, to: int | None, note: str = ""
) -> Any:
    return client.post(
        f"/api/staff/handoffs/{handoff_id}/transfer",
        json={"to_agent_id": to, "note": note},
        headers=agent.headers(),
    )


def decide(client: TestClient, agent: Signed, transfer_id: int, action: str) -> Any:
    return client.post(f"/api/staff/transfers/{transfer_id}/{action}", headers=agent.headers())


def stored(url: str) -> tuple[Any, ...]:
    """Everything a transfer may write: handoffs, transfers, notes and transcript lines."""

    async def read(session: AsyncSession) -> tuple[Any, ...]:
        handoff_rows = (
            await session.execute(
                select(Handoff.id, Handoff.status, Handoff.claimed_by, Handoff.claimed_at).order_by(
                    Handoff.id
                )
            )
        ).all()
        transfer_rows = (
            await session.execute(
                select(
                    HandoffTransfer.id,
                    HandoffTransfer.status,
                    HandoffTransfer.to_agent_id,
                    HandoffTransfer.decided_at,
                ).order_by(HandoffTransfer.id)
            )
        ).all()
        notes = await session.scalar(select(func.count()).select_from(ConversationNote))
        lines = await session.scalar(select(func.count()).select_from(Message))
        return tuple(handoff_rows), tuple(transfer_rows), notes, lines

    return aio.run_sql(url, read)


def snapshot_where(desk: Any, handoff_id: int, **expected: object) -> dict[str, Any]:
    """The next queue snapshot in which the handoff shows `expected` (older ones skipped)."""
    while True:
        for handoff in next_of(desk, "queue")["handoffs"]:
            if handoff["handoff_id"] == handoff_id and all(
                handoff.get(k) == v for k, v in expected.items()
            ):
                return dict(handoff)


def each_of(desk: Any, *kinds: str) -> list[dict[str, Any]]:
    """The first event of each of `kinds`, whatever order they come in (others skipped)."""
    found: dict[str, dict[str, Any]] = {}
    while len(found) < len(kinds):
        event: dict[str, Any] = desk.receive_json()
        if event["type"] in kinds:
            found.setdefault(event["type"], event)
    return [found[kind] for kind in kinds]


def claimed_at(url: str, handoff_id: int) -> datetime | None:
    async def read(session: AsyncSession) -> datetime | None:
        return await session.scalar(select(Handoff.claimed_at).where(Handoff.id == handoff_id))

    return aio.run_sql(url, read)


# --- the happy path --------------------------------------------------------------------------


def test_a_colleague_accepts_and_the_customer_is_told_in_their_language(
    app_client: TestClient, anna: Member, bela: Member, database_url: str
) -> None:
    conversation_id, token, handoff_id = claimed(app_client, anna, "hu")
    anna_id, bela_id = me(app_client, anna), me(app_client, bela)
    first_claim = claimed_at(database_url, handoff_id)
    note = "Visszatérítést kér a 1234-es rendelésre; a számla már megvan."
    with (
        agent_socket(app_client, anna) as desk_a,
        agent_socket(app_client, bela) as desk_b,
        connect(app_client, conversation_id, token) as widget,
    ):
        next_of(desk_a, "queue")
        next_of(desk_b, "queue")
        desk_a.send_json({"type": "subscribe", "conversation_id": conversation_id, "after": 0})
        next_of(desk_a, "customer_presence")

        offered = transfer(app_client, anna, handoff_id, bela_id, note)
        assert offered.status_code == 201, offered.text
        sent = offered.json()["transfer"]
        assert sent["status"] == "pending"
        assert sent["from_agent"] == {"id": anna_id, "display_name": "Anna"}
        assert sent["to_agent"] == {"id": bela_id, "display_name": "Bela"}
        assert (sent["note"], sent["language"]) == (note, "hu")
        assert sent["last_question"] == CONTEXT["last_question"]
        created = datetime.fromisoformat(sent["created_at"])
        assert datetime.fromisoformat(sent["expires_at"]) - created == timedelta(seconds=TIMEOUT_S)
        # Until Bela accepts, the chat is Anna's.
        assert offered.json()["handoff"]["claimed_by"]["id"] == anna_id

        # Bela's console is offered exactly what Anna was told she sent.
        assert next_of(desk_b, "transfer_offer")["transfer"] == sent

        accepted = decide(app_client, bela, sent["transfer_id"], "accept")
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["transfer"]["status"] == "accepted"
        assert accepted.json()["handoff"]["claimed_by"] == {"id": bela_id, "display_name": "Bela"}

        # Anna's console hears it on her own key and in the chat (two feeds: any order).
        told, seen = each_of(desk_a, "transfer_accepted", "message")
        assert told["transfer"]["transfer_id"] == sent["transfer_id"]
        assert told["handoff"]["claimed_by"]["id"] == bela_id
        assert (seen["role"], seen["author"]) == ("system", "Bela")
        assert next_of(desk_b, "transfer_accepted")["transfer"]["status"] == "accepted"
        snapshot_where(desk_b, handoff_id, claimed_by={"id": bela_id, "display_name": "Bela"})

        # The customer reads it in Hungarian, named after the new agent (the widget's header).
        line = next_of(widget, "message", role="system", author="Bela")
        assert line["text"] == seen["text"] == "Mostantól Bela segít Önnek."

        # Anna can no longer write; Bela can.
        desk_a.send_json({"type": "message", "conversation_id": conversation_id, "text": "hi"})
        assert next_of(desk_a, "error")["code"] == "not_yours"
        desk_b.send_json({"type": "subscribe", "conversation_id": conversation_id, "after": 0})
        desk_b.send_json(
            {"type": "message", "conversation_id": conversation_id, "text": "Szia, Bela vagyok."}
        )
        assert next_of(widget, "message", role="agent")["author"] == "Bela"

    # First response is measured from the first claim, which the transfer keeps.
    assert claimed_at(database_url, handoff_id) == first_claim
    view = app_client.get(f"/api/staff/conversations/{conversation_id}", headers=bela.headers())
    assert [(n["author"], n["text"]) for n in view.json()["notes"]] == [("Anna", note)]
    refused = app_client.post(f"/api/staff/handoffs/{handoff_id}/close", headers=anna.headers())
    assert refused.status_code == 409 and refused.json()["code"] == "not_yours"
    closed = app_client.post(f"/api/staff/handoffs/{handoff_id}/close", headers=bela.headers())
    assert closed.status_code == 200, closed.text


def test_online_colleagues_are_the_others_online_now(
    app_client: TestClient, anna: Member, bela: Member, database_url: str
) -> None:
    away = online(app_client, database_url, "cili@example.com")
    assert (
        app_client.put(
            "/api/staff/presence", json={"status": "away"}, headers=away.headers()
        ).status_code
        == 200
    )
    add_user(database_url, "dani@example.com")  # never signed in: offline
    admin = online(app_client, database_url, "admin@example.com", role="admin")
    listed = app_client.get("/api/staff/agents/online", headers=anna.headers())
    assert listed.status_code == 200
    assert listed.json() == {
        "agents": [
            {"id": me(app_client, admin), "display_name": "Admin"},
            {"id": me(app_client, bela), "display_name": "Bela"},
        ]
    }
    app_client.cookies.clear()
    assert app_client.get("/api/staff/agents/online").status_code == 401
    add_user(database_url, "eva@example.com", role="editor")
    editor = sign_in(app_client, "eva@example.com")
    assert app_client.get("/api/staff/agents/online", headers=editor.headers()).status_code == 403


def test_the_service_s_chat_roles_are_the_api_s() -> None:
    assert transfer_service.CHAT_ROLES == CHAT_ROLES


# --- refusals: each answered clearly, nothing written ----------------------------------------


def answers(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code, response.text


def test_bad_transfers_are_refused_and_change_nothing(
    app_client: TestClient, anna: Member, bela: Member, cili: Member, database_url: str
) -> None:
    _, _, handoff_id = claimed(app_client, anna)
    _, _, belas = claimed(app_client, bela)
    anna_id, bela_id = me(app_client, anna), me(app_client, bela)
    away = online(app_client, database_url, "away@example.com")
    app_client.put("/api/staff/presence", json={"status": "away"}, headers=away.headers())
    never = add_user(database_url, "never@example.com")  # never signed in: offline
    gone = add_user(database_url, "gone@example.com", disabled=True)
    editor = add_user(database_url, "editor@example.com", role="editor")
    waiting_id = app_client.post(
        "/api/handoffs",
        json={"conversation_id": start_conversation(app_client)[0], "reason": "no_answer"},
        headers=SERVICE,
    ).json()["handoff_id"]
    before = stored(database_url)
    url = f"/api/staff/handoffs/{handoff_id}/transfer"

    answers(transfer(app_client, anna, handoff_id, 999_999), 404, "unknown_agent")
    answers(transfer(app_client, anna, handoff_id, gone), 404, "unknown_agent")
    answers(transfer(app_client, anna, handoff_id, editor), 404, "unknown_agent")
    answers(transfer(app_client, anna, handoff_id, me(app_client, away)), 409, "agent_offline")
    answers(transfer(app_client, anna, handoff_id, never), 409, "agent_offline")
    answers(transfer(app_client, anna, handoff_id, anna_id), 422, "self_transfer")
    # Someone else's chat, to a colleague or to the queue.
    answers(transfer(app_client, anna, belas, me(app_client, cili)), 409, "not_yours")
    answers(transfer(app_client, anna, belas, None), 409, "not_yours")
    answers(transfer(app_client, anna, waiting_id, bela_id), 409, "not_active")
    answers(transfer(app_client, anna, waiting_id, None), 409, "not_active")
    answers(transfer(app_client, anna, 999_999, bela_id), 404, "unknown")
    # Malformed requests.
    for body in (
        {"to_agent_id": bela_id, "note": "x" * 2001},
        {"to_agent_id": bela_id, "note": "a\x00b"},
        {"to_agent_id": bela_id, "note": 5},
        {"to_agent_id": str(bela_id)},
        {"to_agent_id": float(bela_id)},
        {"to_agent_id": True},
        {"to_agent_id": 0},
        {"to_agent_id": 2**63},
        {"note": "who?"},
        {"to_agent_id": bela_id, "team": "billing"},
    ):
        answers(app_client.post(url, json=body, headers=anna.headers()), 422)
    for bad_id in ("0", "-1", str(2**63), "abc"):
        response = app_client.post(
            f"/api/staff/handoffs/{bad_id}/transfer",
            json={"to_agent_id": bela_id},
            headers=anna.headers(),
        )
        answers(response, 422)
    # No CSRF header, signed out, not an agent.
    answers(
        app_client.post(url, json={"to_agent_id": bela_id}, headers=anna.headers(csrf=None)), 403
    )
    app_client.cookies.clear()
    answers(app_client.post(url, json={"to_agent_id": bela_id}), 401)
    add_user(database_url, "writer@example.com", role="editor")
    writer = sign_in(app_client, "writer@example.com")
    answers(app_client.post(url, json={"to_agent_id": bela_id}, headers=writer.headers()), 403)
    assert stored(database_url) == before

    # One offer at a time: a second one, or a move to the queue, waits for the first.
    offered = transfer(app_client, anna, handoff_id, bela_id)
    assert offered.status_code == 201, offered.text
    transfer_id = offered.json()["transfer"]["transfer_id"]
    pending = stored(database_url)
    answers(transfer(app_client, anna, handoff_id, me(app_client, cili)), 409, "transfer_pending")
    answers(transfer(app_client, anna, handoff_id, None), 409, "transfer_pending")
    # Only the receiver decides, only the sender cancels.
    answers(decide(app_client, cili, transfer_id, "accept"), 403, "not_for_you")
    answers(decide(app_client, anna, transfer_id, "accept"), 403, "not_for_you")
    answers(decide(app_client, cili, transfer_id, "decline"), 403, "not_for_you")
    answers(decide(app_client, bela, transfer_id, "cancel"), 403, "not_for_you")
    answers(decide(app_client, bela, 999_999, "accept"), 404, "unknown")
    answers(decide(app_client, bela, 0, "accept"), 422)
    answers(
        app_client.post(
            f"/api/staff/transfers/{transfer_id}/accept", headers=bela.headers(csrf=None)
        ),
        403,
    )
    assert stored(database_url) == pending

    # Decided once: every later decision is told so.
    answers(decide(app_client, bela, transfer_id, "decline"), 200)
    declined = stored(database_url)
    for who, action in ((bela, "accept"), (bela, "decline"), (anna, "cancel")):
        response = decide(app_client, who, transfer_id, action)
        answers(response, 409, "decided")
        assert response.json()["status"] == "declined"
    assert stored(database_url) == declined


# --- the other outcomes ----------------------------------------------------------------------


def test_declined_or_cancelled_the_sender_keeps_the_chat(
    app_client: TestClient, anna: Member, bela: Member, database_url: str
) -> None:
    conversation_id, token, handoff_id = claimed(app_client, anna)
    bela_id = me(app_client, bela)
    with (
        agent_socket(app_client, anna) as desk_a,
        agent_socket(app_client, bela) as desk_b,
        connect(app_client, conversation_id, token) as widget,
    ):
        next_of(desk_a, "queue")
        first = transfer(app_client, anna, handoff_id, bela_id).json()["transfer"]
        next_of(desk_b, "transfer_offer")
        answers(decide(app_client, bela, first["transfer_id"], "decline"), 200)
        assert next_of(desk_a, "transfer_declined")["transfer"]["status"] == "declined"

        second = transfer(app_client, anna, handoff_id, bela_id, "again?").json()["transfer"]
        assert next_of(desk_b, "transfer_offer")["transfer"]["transfer_id"] == second["transfer_id"]
        cancelled = decide(app_client, anna, second["transfer_id"], "cancel")
        answers(cancelled, 200)
        assert cancelled.json()["status"] == "cancelled"
        assert (
            next_of(desk_b, "transfer_cancelled")["transfer"]["transfer_id"]
            == second["transfer_id"]
        )
        # Anna still holds the chat and writes in it.
        desk_a.send_json({"type": "subscribe", "conversation_id": conversation_id, "after": 0})
        desk_a.send_json(
            {"type": "message", "conversation_id": conversation_id, "text": "still me"}
        )
        assert next_of(widget, "message", role="agent")["author"] == "Anna"
    _, transfers, notes, _ = stored(database_url)
    assert [row.status for row in transfers] == ["declined", "cancelled"]
    assert notes == 1  # "again?"; the empty first note is no note


def test_closing_the_chat_withdraws_its_offer(
    app_client: TestClient, anna: Member, bela: Member
) -> None:
    _, _, handoff_id = claimed(app_client, anna)
    with agent_socket(app_client, bela) as desk_b:
        next_of(desk_b, "queue")
        offer = transfer(app_client, anna, handoff_id, me(app_client, bela)).json()["transfer"]
        next_of(desk_b, "transfer_offer")
        closed = app_client.post(f"/api/staff/handoffs/{handoff_id}/close", headers=anna.headers())
        answers(closed, 200)
        withdrawn = next_of(desk_b, "transfer_cancelled")["transfer"]
        assert withdrawn["transfer_id"] == offer["transfer_id"]
    late = decide(app_client, bela, offer["transfer_id"], "accept")
    answers(late, 409, "decided")
    assert late.json()["status"] == "cancelled"


def test_an_agent_who_drops_off_withdraws_their_offers(
    app_client: TestClient, anna: Member, bela: Member, database_url: str
) -> None:
    _, _, handoff_id = claimed(app_client, anna)
    offer = transfer(app_client, anna, handoff_id, me(app_client, bela)).json()["transfer"]
    built = services(app_client)
    assert app_client.portal is not None
    moved = app_client.portal.call(
        built.handoffs.requeue_agent, Agent(me(app_client, anna), "Anna")
    )
    assert moved == 1
    handoff_rows, transfers, _, _ = stored(database_url)
    assert [(h.id, h.status) for h in handoff_rows] == [(handoff_id, "waiting")]
    assert [(t.id, t.status) for t in transfers] == [(offer["transfer_id"], "cancelled")]


def test_back_to_the_queue_keeps_the_customer_s_place(
    app_client: TestClient, anna: Member, bela: Member
) -> None:
    conversation_id, token, handoff_id = claimed(app_client, anna)
    later, _ = start_conversation(app_client)
    app_client.post(
        "/api/handoffs",
        json={"conversation_id": later, "reason": "no_answer", "context": CONTEXT},
        headers=SERVICE,
    )
    with (
        agent_socket(app_client, anna) as desk_a,
        connect(app_client, conversation_id, token) as widget,
    ):
        next_of(desk_a, "queue")
        queued = transfer(app_client, anna, handoff_id, None, "Needs the billing team.")
        answers(queued, 201)
        assert queued.json()["transfer"]["status"] == "queued"
        assert queued.json()["transfer"]["to_agent"] is None
        assert queued.json()["handoff"]["status"] == "waiting"
        line = next_event(widget, "message")
        while line["role"] != "system" or "passed your chat" not in line["text"]:
            line = next_event(widget, "message")
        assert next_of(widget, "status", status="waiting_for_agent")
        assert line["text"] == (
            "Anna passed your chat on to a colleague. You are back in the queue; someone will "
            "be with you shortly."
        )
        told, snapshot = each_of(desk_a, "transfer_queued", "queue")
        assert told["transfer"]["status"] == "queued"
        places = [(h["handoff_id"], h["position"]) for h in snapshot["handoffs"]]
        assert places[0] == (handoff_id, 1)  # before the customer who came later
    claim = app_client.post(f"/api/staff/handoffs/{handoff_id}/claim", headers=bela.headers())
    answers(claim, 200)
    view = app_client.get(f"/api/staff/conversations/{conversation_id}", headers=bela.headers())
    assert [n["text"] for n in view.json()["notes"]] == ["Needs the billing team."]


def test_an_offer_nobody_accepts_expires_and_the_sender_keeps_the_chat(
    app_client: TestClient, anna: Member, bela: Member, clock: Clock, database_url: str
) -> None:
    _, _, handoff_id = claimed(app_client, anna)
    bela_id = me(app_client, bela)
    built = services(app_client)
    assert app_client.portal is not None
    with agent_socket(app_client, anna) as desk_a, agent_socket(app_client, bela) as desk_b:
        next_of(desk_a, "queue")
        next_of(desk_b, "queue")
        first = transfer(app_client, anna, handoff_id, bela_id).json()["transfer"]
        clock.advance(TIMEOUT_S - 1)
        assert app_client.portal.call(built.transfers.expire_due) == []
        listed = app_client.get("/api/staff/transfers", headers=bela.headers()).json()
        assert [t["transfer_id"] for t in listed["incoming"]] == [first["transfer_id"]]
        assert listed["outgoing"] == []
        clock.advance(1)  # at the limit: still open
        assert app_client.portal.call(built.transfers.expire_due) == []
        clock.advance(0.001)  # past it: the sweep marks it
        [expired] = app_client.portal.call(built.transfers.expire_due)
        assert (expired.transfer_id, expired.status) == (first["transfer_id"], "expired")
        assert next_of(desk_a, "transfer_expired")["transfer"]["transfer_id"] == expired.transfer_id
        assert next_of(desk_b, "transfer_expired")["transfer"]["status"] == "expired"

        # Past its time but not swept yet: accepting it expires it instead.
        second = transfer(app_client, anna, handoff_id, bela_id).json()["transfer"]
        clock.advance(TIMEOUT_S + 5)
        late = decide(app_client, bela, second["transfer_id"], "accept")
        answers(late, 409, "decided")
        assert late.json()["status"] == "expired"
        assert (
            next_of(desk_a, "transfer_expired")["transfer"]["transfer_id"] == second["transfer_id"]
        )
    handoff_rows, transfers, _, _ = stored(database_url)
    assert [(h.status, h.claimed_by) for h in handoff_rows] == [("claimed", me(app_client, anna))]
    assert [t.status for t in transfers] == ["expired", "expired"]
    assert app_client.get("/api/staff/transfers", headers=bela.headers()).json() == {
        "incoming": [],
        "outgoing": [],
    }
