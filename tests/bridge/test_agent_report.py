"""The agent report: every figure against a computation written here from what happened (who
held which chat when, what they wrote, how it ended), over handoffs, agent messages, NPS
surveys and transfers seeded through the ORM; the admin-only API (JSON and CSV) and
`supportbot report agents`. On SQLite and PostgreSQL.

The seed describes each handoff as the agents' holds of it; the rows written to the database
are spelled out separately (claimed_at, claimed_by, transfers), so a wrong reading of the rows
gives figures that differ from the ones computed from the holds."""

import csv
import io
import json
import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from bridge import report_cli
from bridge.cli import app as cli_app
from bridge.db import users
from bridge.db.agent_activity import HandoffTimes, TransferTimes
from bridge.db.models import Conversation, Handoff, HandoffTransfer, Message, NpsSurvey
from bridge.services.agent_report import holds
from bridge.settings import get_settings
from tests import aio
from tests.bridge.conftest import Seeder
from tests.staff import Signed, add_user, password_hash, sign_in

FROM, TO = "2026-11-01", "2026-11-30"
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


# --- what happened ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedHold:
    agent: str
    start: datetime
    end: datetime | None
    messages: list[datetime] = field(default_factory=list)  # the agent's, during the hold
    # False: a hold that ended with the chat put back in the queue and claimed again; the
    # handoff row then keeps the new claim's time only, so nobody can know when this began.
    recorded: bool = True


@dataclass(frozen=True)
class SeedTransfer:
    sender: str
    receiver: str | None  # None: to the queue
    status: str
    created: datetime
    decided: datetime | None


@dataclass(frozen=True)
class SeedSurvey:
    score: int | None
    asked: datetime
    trigger: str = "after_agent"
    status: str = "answered"


@dataclass(frozen=True)
class SeedHandoff:
    key: str
    conversation: str
    language: str
    holds: list[SeedHold]
    status: str  # closed | returned | claimed | waiting
    ended: datetime | None
    # The handoff row as the bridge leaves it: the latest claim from the queue, the last holder.
    claimed_at: datetime | None
    claimed_by: str | None
    transfers: list[SeedTransfer] = field(default_factory=list)
    surveys: list[SeedSurvey] = field(default_factory=list)
    early_messages: list[datetime] = field(default_factory=list)  # before any claim


HANDOFFS = [
    SeedHandoff(
        "h1",
        "c1",
        "en",
        [SeedHold("Anna", at(3, 10), at(3, 10, 20), [at(3, 10, 0, 30), at(3, 10, 5)])],
        "closed",
        at(3, 10, 20),
        at(3, 10),
        "Anna",
        early_messages=[at(3, 9, 59)],
        surveys=[SeedSurvey(10, at(3, 10, 21))],
    ),
    # The same conversation again, closed by Bela: the later survey is Bela's alone.
    SeedHandoff(
        "h1b",
        "c1",
        "en",
        [SeedHold("Bela", at(3, 11), at(3, 11, 10), [at(3, 11, 2)])],
        "closed",
        at(3, 11, 10),
        at(3, 11),
        "Bela",
        surveys=[SeedSurvey(6, at(3, 11, 11))],
    ),
    # Anna passes the chat to Bela, who closes it.
    SeedHandoff(
        "h2",
        "c2",
        "hu",
        [
            SeedHold("Anna", at(5, 12), at(5, 12, 10), [at(5, 12, 2)]),
            SeedHold("Bela", at(5, 12, 10), at(5, 12, 30), [at(5, 12, 11)]),
        ],
        "closed",
        at(5, 12, 30),
        at(5, 12),
        "Bela",
        transfers=[
            SeedTransfer("Anna", "Cecil", "declined", at(5, 12, 5), at(5, 12, 6)),
            SeedTransfer("Anna", "Bela", "accepted", at(5, 12, 9), at(5, 12, 10)),
        ],
        surveys=[SeedSurvey(3, at(5, 12, 31))],
    ),
    # Bela puts the chat back in the queue; Anna takes it and hands it back to the bot.
    SeedHandoff(
        "h3",
        "c3",
        "en",
        [
            SeedHold("Bela", at(10, 9), at(10, 9, 5), recorded=False),
            SeedHold("Anna", at(10, 9, 7), at(10, 9, 15), [at(10, 9, 8)]),
        ],
        "returned",
        at(10, 9, 15),
        at(10, 9, 7),
        "Anna",
        transfers=[SeedTransfer("Bela", None, "queued", at(10, 9, 5), at(10, 9, 5))],
    ),
    # Still with Bela: a first response, no handling time yet.
    SeedHandoff(
        "h4",
        "c4",
        "en",
        [SeedHold("Bela", at(20, 14), None, [at(20, 14, 1)])],
        "claimed",
        None,
        at(20, 14),
        "Bela",
        transfers=[SeedTransfer("Bela", "Anna", "expired", at(20, 14, 2), at(20, 14, 4))],
    ),
    # Taken in October, closed in November: closed (and rated) in November, not handled then.
    SeedHandoff(
        "h5",
        "c5",
        "en",
        [SeedHold("Anna", at(31, 23, 59, month=10), at(1, 0, 10), [at(1, 0, 1)])],
        "closed",
        at(1, 0, 10),
        at(31, 23, 59, month=10),
        "Anna",
        surveys=[SeedSurvey(9, at(1, 0, 11))],
    ),
    # Taken in the last minute of November, answered and closed in December.
    SeedHandoff(
        "h6",
        "c6",
        "en",
        [SeedHold("Anna", at(30, 23, 59, 30), at(1, 0, 5, month=12), [at(1, 0, 0, 10, month=12)])],
        "closed",
        at(1, 0, 5, month=12),
        at(30, 23, 59, 30),
        "Anna",
        surveys=[SeedSurvey(10, at(1, 0, 6, month=12))],
    ),
    SeedHandoff("h7", "c7", "hu", [], "waiting", None, None, None),
    # Bela's slowest answer; surveys that do not count: another trigger, and a declined one.
    SeedHandoff(
        "h8",
        "c8",
        "en",
        [SeedHold("Bela", at(15, 10), at(15, 10, 10), [at(15, 10, 3), at(15, 10, 4)])],
        "closed",
        at(15, 10, 10),
        at(15, 10),
        "Bela",
        surveys=[
            SeedSurvey(8, at(15, 10, 11)),
            SeedSurvey(0, at(15, 10, 12), trigger="goodbye"),
            SeedSurvey(None, at(15, 10, 13), status="declined"),
        ],
    ),
    # Bela, in Hungarian: handed back; then Anna's quick pass to Bela and back again.
    SeedHandoff(
        "h9",
        "c9",
        "hu",
        [
            SeedHold("Anna", at(22, 8), at(22, 8, 1), []),
            SeedHold("Bela", at(22, 8, 1), at(22, 8, 3), [at(22, 8, 2)]),
            SeedHold("Anna", at(22, 8, 3), at(22, 8, 9), [at(22, 8, 8)]),
        ],
        "returned",
        at(22, 8, 9),
        at(22, 8),
        "Anna",
        transfers=[
            SeedTransfer("Anna", "Bela", "accepted", at(22, 8, 0, 30), at(22, 8, 1)),
            SeedTransfer("Bela", "Anna", "accepted", at(22, 8, 2, 30), at(22, 8, 3)),
        ],
    ),
]
AGENTS = {"Anna": "agent", "Bela": "agent", "Cecil": "agent", "Root": "admin"}
NOT_LISTED = {"Dora": "agent", "Eve": "editor"}  # Dora's account is disabled; Eve writes


async def _seed(session: AsyncSession) -> None:
    ids: dict[str, int] = {}
    for name, role in {**AGENTS, **NOT_LISTED}.items():
        user = await users.create_user(
            session=session,
            email=f"{name.lower()}@example.com",
            display_name=name,
            role=role,
            password_hash="not a hash",
        )
        user.disabled = name == "Dora"
        ids[name] = user.id
    for conversation in {h.conversation: h for h in HANDOFFS}.values():
        session.add(
            Conversation(
                id=conversation.conversation,
                language=conversation.language,
                created_at=at(1, 0, month=10),
            )
        )
    await session.flush()
    seq = 0
    for h in HANDOFFS:
        handoff = Handoff(
            conversation_id=h.conversation,
            status=h.status,
            reason="customer_request",
            context={},
            created_at=h.holds[0].start if h.holds else at(25, 9),
            claimed_at=h.claimed_at,
            claimed_by=ids[h.claimed_by] if h.claimed_by else None,
            ended_at=h.ended,
        )
        session.add(handoff)
        await session.flush()
        for when in h.early_messages + [m for hold in h.holds for m in hold.messages]:
            seq += 1
            session.add(
                Message(
                    conversation_id=h.conversation,
                    seq=seq,
                    role="agent",
                    text="hi",
                    created_at=when,
                )
            )
        for t in h.transfers:
            session.add(
                HandoffTransfer(
                    handoff_id=handoff.id,
                    conversation_id=h.conversation,
                    from_agent_id=ids[t.sender],
                    to_agent_id=ids[t.receiver] if t.receiver else None,
                    status=t.status,
                    created_at=t.created,
                    decided_at=t.decided,
                )
            )
        for s in h.surveys:
            session.add(
                NpsSurvey(
                    conversation_id=h.conversation,
                    language=h.language,
                    status=s.status,
                    score=s.score,
                    trigger=s.trigger,
                    asked_at=s.asked,
                    answered_at=s.asked if s.status == "answered" else None,
                )
            )


# --- the expected figures, computed independently ---------------------------------------------


def p90(values: list[float]) -> float:
    """Linear interpolation between closest ranks (as PostgreSQL's percentile_cont)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def stats(values: list[float]) -> tuple[float | None, float | None]:
    return (statistics.median(values), p90(values)) if values else (None, None)


def nps_of(scores: list[int]) -> float | None:
    if not scores:
        return None
    return 100.0 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def expected(
    period: tuple[date, date] = NOVEMBER, lang: str | None = None
) -> dict[str, dict[str, Any]]:
    def inside(when: datetime | None) -> bool:
        return when is not None and period[0] <= when.date() <= period[1]

    chosen = [h for h in HANDOFFS if lang in (None, h.language)]
    figures = {}
    for agent in AGENTS:
        mine = [
            (h, hold)
            for h in chosen
            for hold in h.holds
            if hold.agent == agent and hold.recorded and inside(hold.start)
        ]
        firsts = [
            (min(hold.messages) - hold.start).total_seconds() for _h, hold in mine if hold.messages
        ]
        handling = [(hold.end - hold.start).total_seconds() for _h, hold in mine if hold.end]
        ended_by = [h for h in chosen if h.holds and h.holds[-1].agent == agent and inside(h.ended)]
        scores = [
            s.score
            for h in ended_by
            if h.status == "closed"
            for s in h.surveys
            if s.trigger == "after_agent" and s.status == "answered" and s.score is not None
        ]
        moved = [t for h in chosen for t in h.transfers if inside(t.decided)]
        figures[agent] = {
            "chats_handled": len({h.key for h, _hold in mine}),
            "answered": len(firsts),
            "first_response": stats(firsts),
            "handling": stats(handling),
            "closed": sum(h.status == "closed" for h in ended_by),
            "hand_backs": sum(h.status == "returned" for h in ended_by),
            "nps": nps_of(scores),
            "nps_responses": len(scores),
            "transfers_given": sum(
                t.sender == agent and t.status in ("accepted", "queued") for t in moved
            ),
            "transfers_received": sum(
                t.receiver == agent and t.status == "accepted" for t in moved
            ),
        }
    return figures


def approx(value: float | None) -> Any:
    return None if value is None else pytest.approx(value)


def check(body: dict[str, Any], want: dict[str, dict[str, Any]]) -> None:
    rows = body["agents"]
    assert [r["display_name"] for r in rows] == sorted(
        want, key=lambda name: (-want[name]["chats_handled"], name)
    )
    for row in rows:
        name, figures = row["display_name"], want[row["display_name"]]
        assert row["chats_handled"] == figures["chats_handled"], name
        assert row["answered"] == figures["answered"], name
        median, high = figures["first_response"]
        assert row["first_response_median_s"] == approx(median), name
        assert row["first_response_p90_s"] == approx(high), name
        median, high = figures["handling"]
        assert row["handling_median_s"] == approx(median), name
        assert row["handling_p90_s"] == approx(high), name
        for key in ("closed", "hand_backs", "transfers_given", "transfers_received"):
            assert row[key] == figures[key], (name, key)
        if figures["nps"] is None:
            assert row["nps"] is None, name
        else:
            assert row["nps"]["nps"] == pytest.approx(figures["nps"]), name
            assert row["nps"]["responses"] == figures["nps_responses"], name
            assert row["nps"]["ci_low"] <= row["nps"]["nps"] <= row["nps"]["ci_high"], name


def test_the_seed_exercises_every_figure() -> None:
    """Guards the test itself: the figures it checks are not trivially empty or equal."""
    anna, bela, cecil = (expected()[name] for name in ("Anna", "Bela", "Cecil"))
    assert anna["chats_handled"] == 5 and anna["answered"] == 5  # h1 h2 h3 h6 h9
    assert anna["first_response"] == (60.0, pytest.approx(228.0))  # 30 40 60 120 300
    assert bela["chats_handled"] == 5 and bela["closed"] == 3 and bela["nps_responses"] == 3
    assert anna["hand_backs"] == 2 and anna["closed"] == 2 and anna["nps"] == 100.0
    assert (anna["transfers_given"], anna["transfers_received"]) == (2, 1)
    assert (bela["transfers_given"], bela["transfers_received"]) == (2, 2)
    assert cecil["chats_handled"] == 0 and cecil["first_response"] == (None, None)
    assert expected(lang="hu")["Anna"]["chats_handled"] == 2
    # The disabled agent and the editor did nothing that would list them.
    assert set(NOT_LISTED).isdisjoint({hold.agent for h in HANDOFFS for hold in h.holds})


# --- the pieces -------------------------------------------------------------------------------


def test_holds_follow_the_chat_from_agent_to_agent() -> None:
    handoff = HandoffTimes(1, "returned", 2, at(1, 8), at(1, 9), at(1, 8, 30))
    moves = [
        TransferTimes(1, "accepted", 1, 2, at(1, 8, 20), at(1, 8, 30)),
        TransferTimes(1, "queued", 1, None, at(1, 7), None),  # an earlier round
        TransferTimes(1, "accepted", 3, 1, at(1, 6), at(1, 6, 10)),
    ]
    found = [(h.agent_id, h.start, h.end, h.first_reply) for h in holds(handoff, moves)]
    assert found == [
        (1, at(1, 8), at(1, 8, 20), None),  # its reply came after it had passed the chat on
        (1, at(1, 6), at(1, 7), at(1, 6, 10)),
        (2, at(1, 8, 20), at(1, 9), at(1, 8, 30)),
    ]


# --- the route --------------------------------------------------------------------------------


@pytest.fixture
def seed() -> Seeder:
    """The rows `seeded` (tests/bridge/conftest.py) writes."""
    return _seed


@pytest.fixture
def root(app_client: TestClient, seeded: str) -> Signed:
    async def password(session: AsyncSession) -> None:
        user = await users.require_user(session=session, email="root@example.com")
        user.password_hash = password_hash()

    aio.run_sql(seeded, password)
    return sign_in(app_client, "root@example.com")


def get(
    client: TestClient, signed: Signed | None, start: str = FROM, end: str = TO, **params: str
) -> Any:
    return client.get(
        "/api/staff/reports/agents",
        params={"from": start, "to": end, **params},
        headers=signed.headers() if signed else {},
    )


@pytest.mark.parametrize("lang", [None, "en", "hu"])
def test_every_figure_per_agent(app_client: TestClient, root: Signed, lang: str | None) -> None:
    response = get(app_client, root, **({"lang": lang} if lang else {}))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == {"start": FROM, "end": TO} and body["language"] == lang
    check(body, expected(lang=lang))


def test_another_period(app_client: TestClient, root: Signed) -> None:
    body = get(app_client, root, "2026-12-01", "2026-12-31").json()
    check(body, expected((date(2026, 12, 1), date(2026, 12, 31))))
    anna = next(r for r in body["agents"] if r["display_name"] == "Anna")
    assert anna["chats_handled"] == 0 and anna["closed"] == 1 and anna["nps"]["nps"] == 100.0


def test_csv_has_one_row_per_agent(app_client: TestClient, root: Signed) -> None:
    body = get(app_client, root).json()
    exported = get(app_client, root, format="csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"] == (
        f'attachment; filename="agents-{FROM}-{TO}-agents.csv"'
    )
    lines = list(csv.reader(io.StringIO(exported.text)))
    assert lines[0] == [
        "agent_id",
        "display_name",
        "chats_handled",
        "answered",
        "first_response_median_s",
        "first_response_p90_s",
        "handling_median_s",
        "handling_p90_s",
        "closed",
        "hand_backs",
        "nps",
        "nps_responses",
        "nps_ci_low",
        "nps_ci_high",
        "transfers_given",
        "transfers_received",
    ]
    records = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["display_name"] for r in records] == [a["display_name"] for a in body["agents"]]
    for record, agent in zip(records, body["agents"], strict=True):
        assert int(record["chats_handled"]) == agent["chats_handled"]
        assert record["first_response_p90_s"] == (
            "" if agent["first_response_p90_s"] is None else str(agent["first_response_p90_s"])
        )
        nps = agent["nps"]
        assert record["nps"] == ("" if nps is None else str(nps["nps"]))
        assert int(record["nps_responses"]) == (0 if nps is None else nps["responses"])
    named = get(app_client, root, format="csv", table="summary")
    assert named.status_code == 422 and "agents" in named.json()["detail"]


def test_bad_periods_and_languages(app_client: TestClient, root: Signed) -> None:
    for start, end, words in [
        ("2026-11-30", "2026-11-01", "before it starts"),
        ("2026-11-31", "2026-12-01", "YYYY-MM-DD"),
        ("2025-01-01", "2026-01-02", "at most 366 days"),
    ]:
        response = get(app_client, root, start, end)
        assert response.status_code == 422 and words in response.json()["detail"]
    assert get(app_client, root, lang="de").status_code == 422
    assert get(app_client, root, format="xml").status_code == 422


@pytest.mark.parametrize("role", ["agent", "editor"])
def test_admins_only(app_client: TestClient, database_url: str, role: str) -> None:
    add_user(database_url, f"someone-{role}@example.com", role=role)
    signed = sign_in(app_client, f"someone-{role}@example.com")
    refused = get(app_client, signed)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "reports need the admin role"}
    app_client.cookies.clear()
    assert get(app_client, None).status_code == 401


# --- supportbot report agents -----------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_database(seeded: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", seeded)
    monkeypatch.setattr(report_cli, "console", Console(width=250, force_terminal=False))
    get_settings.cache_clear()
    yield seeded
    get_settings.cache_clear()


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli_app, ["report", "agents", *args])
    return result.exit_code, result.output


def test_cli_json_csv_and_table(cli_database: str) -> None:
    code, output = _cli("--start", FROM, "--end", TO, "--format", "json")
    assert code == 0, output
    check(json.loads(output), expected())

    code, output = _cli("--from", FROM, "--to", TO, "--lang", "hu", "--format", "csv")
    assert code == 0, output
    records = list(csv.DictReader(io.StringIO(output)))
    want = expected(lang="hu")
    assert {r["display_name"]: int(r["chats_handled"]) for r in records} == {
        name: figures["chats_handled"] for name, figures in want.items()
    }
    bela = next(r for r in records if r["display_name"] == "Bela")
    assert math.isclose(float(bela["first_response_median_s"]), want["Bela"]["first_response"][0])

    code, output = _cli("--from", FROM, "--to", TO)
    assert code == 0, output
    assert "Agents 2026-11-01 – 2026-11-30" in output and "Cecil" in output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-11-30", "--to", "2026-11-01"], "before it starts"),
        (["--from", FROM, "--to", TO, "--lang", "de"], "--lang"),
        (["--from", FROM, "--to", TO, "--format", "xml"], "--format"),
    ],
)
def test_cli_refuses_bad_options(cli_database: str, args: list[str], words: str) -> None:
    code, output = _cli(*args)
    assert code == 1 and words in output, output
