"""Support-metrics reports: every figure against a computation written here, over a small
data set seeded through the ORM; the admin-only API (JSON and CSV) and `supportbot report`.

The expected figures are plain Python over the seed below, not the service's code."""

import csv
import io
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from typer.testing import CliRunner

from bridge import report_cli
from bridge.app import create_app
from bridge.cli import app as cli_app
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import AnswerFeedback, Conversation, Handoff, Message, NpsSurvey
from bridge.services.report_period import (
    MAX_DAYS,
    InvertedPeriod,
    MalformedDate,
    Period,
    PeriodTooLong,
)
from bridge.settings import get_settings
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import make_settings
from tests.staff import Signed, add_user, sign_in

FROM, TO = "2026-11-01", "2026-11-30"
START, END = date(2026, 11, 1), date(2026, 11, 30)


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


# --- the seed --------------------------------------------------------------------------------


@dataclass
class SeedHandoff:
    created: datetime
    claimed: datetime | None = None
    agent_messages: list[datetime] = field(default_factory=list)
    ended: datetime | None = None


@dataclass
class SeedConversation:
    id: str
    language: str
    created: datetime
    roles: list[str]  # the roles of its messages, in order
    handoffs: list[SeedHandoff] = field(default_factory=list)


CONVERSATIONS = [
    # Agent message before the claim (ignored), first answer 60 s after the 120 s wait.
    SeedConversation(
        "c1",
        "en",
        at(3, 10),
        ["customer", "bot"],
        [
            SeedHandoff(
                at(3, 10, 1),
                at(3, 10, 3),
                [at(3, 10, 2), at(3, 10, 4), at(3, 10, 10)],
                at(3, 10, 15),
            )
        ],
    ),
    # Two handoffs: claimed, never answered (the next one's answer is not its answer); then a
    # 30 s wait and a 10 s answer.
    SeedConversation(
        "c2",
        "hu",
        at(10, 9),
        ["customer"],
        [
            SeedHandoff(at(10, 9, 1), at(10, 9, 6), [], at(10, 9, 10)),
            SeedHandoff(at(10, 9, 20), at(10, 9, 20, 30), [at(10, 9, 20, 40)], at(10, 9, 25)),
        ],
    ),
    SeedConversation("c3", "en", at(12), ["bot", "customer", "bot"]),  # contained
    SeedConversation("c4", "en", at(20), ["bot"], [SeedHandoff(at(20, 12, 1), at(20, 12, 2))]),
    SeedConversation(
        "c5", "en", at(31, 23, 59, 59, month=10), ["customer"], [SeedHandoff(at(1, 0, 5))]
    ),
    SeedConversation("c6", "hu", at(30, 23, 59), ["customer"], [SeedHandoff(at(30, 23, 59, 30))]),
    SeedConversation("c7", "en", at(1, 0, 0, 0, month=12), ["customer"]),
    SeedConversation(
        "c8",
        "en",
        at(25),
        ["customer", "agent"],
        [SeedHandoff(at(25, 12, 1), at(25, 12, 11), [at(25, 12, 11, 5)])],  # not ended yet
    ),
]


@dataclass(frozen=True)
class SeedSurvey:
    conversation: str
    language: str
    asked: datetime
    status: str
    score: int | None = None


SURVEYS = [
    SeedSurvey("c1", "en", at(3, 11), "answered", 10),
    SeedSurvey("c1", "en", at(4, 11), "answered", 9),
    SeedSurvey("c2", "hu", at(10, 10), "answered", 3),
    SeedSurvey("c3", "en", at(12, 13), "answered", 7),
    SeedSurvey("c3", "en", at(13, 13), "declined"),
    SeedSurvey("c6", "hu", at(30, 23, 59, 50), "answered", 6),
    SeedSurvey("c8", "en", at(25, 13), "asked"),
    SeedSurvey("c8", "en", at(26, 13), "dropped"),
    SeedSurvey("c5", "en", at(31, 23, 59, 59, month=10), "answered", 0),  # before
    SeedSurvey("c7", "en", at(1, 0, 0, 0, month=12), "answered", 0),  # after
]


@dataclass(frozen=True)
class SeedFeedback:
    conversation: str
    article: str
    helpful: bool
    language: str
    created: datetime


FEEDBACK = [
    SeedFeedback("c1", "returns", True, "en", at(3, 10)),
    SeedFeedback("c1", "returns", True, "en", at(3, 10, 5)),
    SeedFeedback("c1", "shipping", False, "en", at(3, 10, 6)),
    SeedFeedback("c2", "returns", False, "hu", at(10, 9)),
    SeedFeedback("c2", "payment", True, "hu", at(30, 23, 59, 59)),
    SeedFeedback("c5", "payment", False, "en", at(31, 23, 59, 59, month=10)),  # before
    SeedFeedback("c7", "shipping", True, "en", at(1, 0, 0, 0, month=12)),  # after
]


async def _seed(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            for c in CONVERSATIONS:
                session.add(Conversation(id=c.id, language=c.language, created_at=c.created))
            await session.flush()
            for c in CONVERSATIONS:
                seq = 0
                for seq, role in enumerate(c.roles, start=1):
                    session.add(
                        Message(
                            conversation_id=c.id,
                            seq=seq,
                            role=role,
                            text="hi",
                            created_at=c.created + timedelta(seconds=seq),
                        )
                    )
                for h in c.handoffs:
                    session.add(
                        Handoff(
                            conversation_id=c.id,
                            status="closed" if h.ended else "claimed" if h.claimed else "waiting",
                            reason="customer_request",
                            context={},
                            created_at=h.created,
                            claimed_at=h.claimed,
                            ended_at=h.ended,
                        )
                    )
                    for when in h.agent_messages:
                        seq += 1
                        session.add(
                            Message(
                                conversation_id=c.id,
                                seq=seq,
                                role="agent",
                                text="hello",
                                created_at=when,
                            )
                        )
            for s in SURVEYS:
                session.add(
                    NpsSurvey(
                        conversation_id=s.conversation,
                        language=s.language,
                        status=s.status,
                        score=s.score,
                        trigger="goodbye",
                        asked_at=s.asked,
                    )
                )
            for f in FEEDBACK:
                session.add(
                    AnswerFeedback(
                        conversation_id=f.conversation,
                        article_id=f.article,
                        helpful=f.helpful,
                        language=f.language,
                        created_at=f.created,
                    )
                )
    finally:
        await engine.dispose()


# --- the expected figures, computed independently ---------------------------------------------


def in_period(when: datetime, start: date = START, end: date = END) -> bool:
    return start <= when.date() <= end


def pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def nps_of(scores: list[int]) -> float | None:
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100.0 * (promoters - detractors) / len(scores)


def expected_nps(lang: str | None) -> dict[str, Any]:
    asked = [s for s in SURVEYS if in_period(s.asked) and lang in (None, s.language)]
    answered = [s for s in asked if s.status == "answered"]
    scores = [s.score for s in answered if s.score is not None]
    monday = START - timedelta(days=START.weekday())
    weeks = []
    while monday <= END:
        week = [
            s.score
            for s in answered
            if s.score is not None and monday <= s.asked.date() < monday + timedelta(days=7)
        ]
        weeks.append(
            {"week_start": monday.isoformat(), "nps": nps_of(week), "responses": len(week)}
        )
        monday += timedelta(days=7)
    return {
        "asked": len(asked),
        "answered": len(answered),
        "response_rate_pct": pct(len(answered), len(asked)),
        "nps": nps_of(scores),
        "promoters": sum(1 for s in scores if s >= 9),
        "passives": sum(1 for s in scores if 7 <= s <= 8),
        "detractors": sum(1 for s in scores if s <= 6),
        "weekly": weeks,
    }


def expected_helpful(lang: str | None) -> dict[str, Any]:
    votes = [f for f in FEEDBACK if in_period(f.created) and lang in (None, f.language)]
    articles = []
    for article in sorted({f.article for f in votes}):
        yes = sum(1 for f in votes if f.article == article and f.helpful)
        no = sum(1 for f in votes if f.article == article and not f.helpful)
        articles.append(
            {
                "article_id": article,
                "helpful": yes,
                "not_helpful": no,
                "rate_pct": pct(yes, yes + no),
            }
        )
    yes = sum(1 for f in votes if f.helpful)
    return {
        "helpful": yes,
        "not_helpful": len(votes) - yes,
        "rate_pct": pct(yes, len(votes)),
        "articles": articles,
    }


def median_p90(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], values[0]
    return statistics.median(values), statistics.quantiles(values, n=10, method="inclusive")[8]


def expected_conversations(lang: str | None) -> dict[str, Any]:
    cohort = [
        c
        for c in CONVERSATIONS
        if in_period(c.created) and lang in (None, c.language) and "customer" in c.roles
    ]
    handoffs = [h for c in cohort for h in c.handoffs]
    with_handoff = sum(1 for c in cohort if c.handoffs)
    waits = [(h.claimed - h.created).total_seconds() for h in handoffs if h.claimed]
    firsts = []
    for h in handoffs:
        after = [m for m in h.agent_messages if h.claimed and m >= h.claimed]
        if h.claimed and after:
            firsts.append((min(after) - h.claimed).total_seconds())
    wait_median, wait_p90 = median_p90(waits)
    first_median, first_p90 = median_p90(firsts)
    return {
        "conversations": len(cohort),
        "handoffs": len(handoffs),
        "with_handoff": with_handoff,
        "handoff_rate_pct": pct(with_handoff, len(cohort)),
        "containment_pct": pct(len(cohort) - with_handoff, len(cohort)),
        "claimed": len(waits),
        "queue_wait_median_s": wait_median,
        "queue_wait_p90_s": wait_p90,
        "answered_by_agent": len(firsts),
        "first_response_median_s": first_median,
        "first_response_p90_s": first_p90,
    }


def approx(value: Any) -> Any:
    return None if value is None else pytest.approx(value)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def app_client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    # No article search here: the knowledge base is never loaded.
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index")
    with TestClient(create_app(make_settings(database_url, None), kb)) as client:
        yield client


@pytest.fixture
def admin(app_client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "root@example.com", role="admin")
    return sign_in(app_client, "root@example.com")


@pytest.fixture
def seeded(database_url: str) -> str:
    aio.run(_seed(database_url))
    return database_url


def get(
    client: TestClient, signed: Signed, kind: str, start: str = FROM, end: str = TO, **params: str
) -> Any:
    response = client.get(
        f"/api/staff/reports/{kind}",
        params={"from": start, "to": end, **params},
        headers=signed.headers(),
    )
    return response


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def cell(value: object) -> str:
    return "" if value is None else str(value)


# --- the figures -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", [None, "en", "hu"])
def test_nps_report_matches_the_seed(
    app_client: TestClient, admin: Signed, seeded: str, lang: str | None
) -> None:
    expected = expected_nps(lang)
    params = {"lang": lang} if lang else {}
    response = get(app_client, admin, "nps", **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["asked"] == expected["asked"] and body["answered"] == expected["answered"]
    assert body["response_rate_pct"] == approx(expected["response_rate_pct"])
    summary = body["summary"]
    assert summary["nps"] == approx(expected["nps"])
    for name in ("promoters", "passives", "detractors"):
        assert summary[name] == expected[name], name
    assert summary["ci_low"] <= summary["nps"] <= summary["ci_high"]
    assert [w["week_start"] for w in body["weekly"]] == [
        w["week_start"] for w in expected["weekly"]
    ]
    for got, want in zip(body["weekly"], expected["weekly"], strict=True):
        assert got["responses"] == want["responses"] and got["nps"] == approx(want["nps"])

    exported = get(app_client, admin, "nps", format="csv", **params)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"].startswith("attachment;")
    [line] = rows(exported.text)
    assert int(line["asked"]) == expected["asked"]
    assert int(line["promoters"]) == expected["promoters"]
    assert float(line["nps"]) == pytest.approx(expected["nps"])
    assert line["response_rate_pct"] == cell(body["response_rate_pct"])
    weekly = rows(get(app_client, admin, "nps", format="csv", table="weekly", **params).text)
    assert [(w["week_start"], int(w["responses"])) for w in weekly] == [
        (w["week_start"], w["responses"]) for w in expected["weekly"]
    ]
    assert [w["nps"] for w in weekly] == [cell(w["nps"]) for w in body["weekly"]]


@pytest.mark.parametrize("lang", [None, "en", "hu"])
def test_helpful_report_matches_the_seed(
    app_client: TestClient, admin: Signed, seeded: str, lang: str | None
) -> None:
    expected = expected_helpful(lang)
    params = {"lang": lang} if lang else {}
    body = get(app_client, admin, "helpful", **params).json()
    assert body["helpful"] == expected["helpful"]
    assert body["not_helpful"] == expected["not_helpful"]
    assert body["rate_pct"] == approx(expected["rate_pct"])
    assert len(body["articles"]) == len(expected["articles"])
    for got, want in zip(body["articles"], expected["articles"], strict=True):
        assert got["rate_pct"] == approx(want["rate_pct"])
        assert {**got, "rate_pct": 0} == {**want, "rate_pct": 0}

    [summary] = rows(get(app_client, admin, "helpful", format="csv", **params).text)
    assert int(summary["helpful"]) == expected["helpful"]
    assert summary["rate_pct"] == cell(body["rate_pct"])
    articles = rows(
        get(app_client, admin, "helpful", format="csv", table="articles", **params).text
    )
    assert [(a["article_id"], int(a["helpful"]), int(a["not_helpful"])) for a in articles] == [
        (a["article_id"], a["helpful"], a["not_helpful"]) for a in expected["articles"]
    ]
    assert [a["rate_pct"] for a in articles] == [cell(a["rate_pct"]) for a in body["articles"]]


@pytest.mark.parametrize("lang", [None, "en", "hu"])
def test_conversation_report_matches_the_seed(
    app_client: TestClient, admin: Signed, seeded: str, lang: str | None
) -> None:
    expected = expected_conversations(lang)
    params = {"lang": lang} if lang else {}
    body = get(app_client, admin, "conversations", **params).json()
    for name, value in expected.items():
        if isinstance(value, float):
            assert body[name] == pytest.approx(value), name
        else:
            assert body[name] == value, name
    [line] = rows(get(app_client, admin, "conversations", format="csv", **params).text)
    assert line == {name: cell(body[name]) for name in expected}


def test_the_seed_exercises_every_figure() -> None:
    """Guards the test itself: the overall figures are not trivially empty."""
    conversations = expected_conversations(None)
    assert conversations["conversations"] == 5 and conversations["claimed"] == 4
    assert conversations["queue_wait_median_s"] == 210.0
    assert conversations["first_response_median_s"] == 10.0
    assert expected_nps(None)["answered"] == 5 and expected_helpful(None)["helpful"] == 3


def test_a_period_with_no_data_gives_zero_counts_and_no_rates(
    app_client: TestClient, admin: Signed, seeded: str
) -> None:
    nps = get(app_client, admin, "nps", "2025-01-01", "2025-01-01").json()
    assert (nps["asked"], nps["answered"], nps["response_rate_pct"], nps["summary"]) == (
        0,
        0,
        None,
        None,
    )
    assert nps["weekly"] == [{"week_start": "2024-12-30", "nps": None, "responses": 0}]
    helpful = get(app_client, admin, "helpful", "2025-01-01", "2025-01-31").json()
    assert (helpful["helpful"], helpful["not_helpful"], helpful["rate_pct"]) == (0, 0, None)
    assert helpful["articles"] == []
    conversations = get(app_client, admin, "conversations", "2025-01-01", "2025-01-31").json()
    assert conversations["conversations"] == conversations["handoffs"] == 0
    for name in ("handoff_rate_pct", "containment_pct", "queue_wait_p90_s"):
        assert conversations[name] is None
    [line] = rows(
        get(app_client, admin, "conversations", "2025-01-01", "2025-01-31", format="csv").text
    )
    assert line["containment_pct"] == "" and line["conversations"] == "0"


async def _surveys(url: str, scores: list[int | None]) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            session.add(Conversation(id="s1", language="en", created_at=at(2)))
            await session.flush()
            for score in scores:
                session.add(
                    NpsSurvey(
                        conversation_id="s1",
                        language="en",
                        status="asked" if score is None else "answered",
                        score=score,
                        trigger="goodbye",
                        asked_at=at(2),
                    )
                )
    finally:
        await engine.dispose()


def test_nps_with_questions_but_no_answers(
    app_client: TestClient, admin: Signed, database_url: str
) -> None:
    aio.run(_surveys(database_url, [None, None]))
    body = get(app_client, admin, "nps").json()
    assert (body["asked"], body["answered"], body["response_rate_pct"]) == (2, 0, 0.0)
    assert body["summary"] is None
    assert all(w["nps"] is None and w["responses"] == 0 for w in body["weekly"])


def test_nps_with_only_passives_is_zero(
    app_client: TestClient, admin: Signed, database_url: str
) -> None:
    aio.run(_surveys(database_url, [7, 8, 8]))
    body = get(app_client, admin, "nps").json()
    assert body["summary"]["nps"] == 0.0 and body["summary"]["passives"] == 3
    assert body["response_rate_pct"] == 100.0
    assert body["weekly"][1] == {"week_start": "2026-11-02", "nps": 0.0, "responses": 3}


# --- periods ---------------------------------------------------------------------------------


def test_period_parsing_and_limits() -> None:
    period = Period.parse("2026-11-01", "2026-11-30")
    assert period.days == 30 and period.week_starts()[0] == date(2026, 10, 26)
    assert len(period.week_starts()) == 6
    assert Period.parse("2024-01-01", "2024-12-31").days == MAX_DAYS  # a leap year is allowed
    with pytest.raises(PeriodTooLong, match="at most 366 days"):
        Period.parse("2025-01-01", "2026-01-02")
    with pytest.raises(InvertedPeriod, match="before it starts"):
        Period.parse("2026-11-30", "2026-11-01")
    for bad in ("2026-13-01", "20261101", "2026-1-1", "yesterday", ""):
        with pytest.raises(MalformedDate, match="YYYY-MM-DD"):
            Period.parse(bad, "2026-11-30")


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2026-11-31", "2026-12-01", "YYYY-MM-DD"),
        ("2026/11/01", "2026-11-30", "YYYY-MM-DD"),
        ("2026-11-01", "soon", "YYYY-MM-DD"),
        ("2026-11-30", "2026-11-01", "before it starts"),
        ("2025-01-01", "2026-01-02", "at most 366 days"),
    ],
)
def test_bad_periods_are_422_with_a_clear_detail(
    app_client: TestClient, admin: Signed, start: str, end: str, words: str
) -> None:
    for kind in ("nps", "helpful", "conversations"):
        response = get(app_client, admin, kind, start, end)
        assert response.status_code == 422, (kind, response.text)
        assert words in response.json()["detail"]


def test_missing_period_unknown_language_and_unknown_table_are_422(
    app_client: TestClient, admin: Signed
) -> None:
    missing = app_client.get("/api/staff/reports/nps", headers=admin.headers())
    assert missing.status_code == 422
    assert get(app_client, admin, "nps", lang="de").status_code == 422
    unknown = get(app_client, admin, "helpful", format="csv", table="weekly")
    assert unknown.status_code == 422 and "articles" in unknown.json()["detail"]


# --- who may see them ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "editor"])
def test_reports_are_for_admins_only(app_client: TestClient, database_url: str, role: str) -> None:
    add_user(database_url, f"{role}@example.com", role=role)
    signed = sign_in(app_client, f"{role}@example.com")
    for kind in ("nps", "helpful", "conversations"):
        response = get(app_client, signed, kind)
        assert response.status_code == 403, (kind, response.text)
        assert response.json() == {"detail": "reports need the admin role"}
        app_client.cookies.clear()
        signed_out = app_client.get(f"/api/staff/reports/{kind}", params={"from": FROM, "to": TO})
        assert signed_out.status_code == 401


# --- supportbot report -----------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_database(seeded: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", seeded)
    # Wide enough that no figure is wrapped or cut.
    monkeypatch.setattr(report_cli, "console", Console(width=200, force_terminal=False))
    get_settings.cache_clear()
    yield seeded
    get_settings.cache_clear()


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli_app, ["report", *args])
    return result.exit_code, result.output


def _figures(output: str) -> dict[str, str]:
    """The name | value rows of the printed summary tables."""
    found = {}
    for line in output.splitlines():
        parts = [p.strip() for p in line.strip("│┃| ").split("│")]
        if len(parts) == 2:
            found[parts[0]] = parts[1]
    return found


def shown(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def test_cli_prints_the_same_figures(cli_database: str) -> None:
    code, output = _cli("conversations", "--from", FROM, "--to", TO)
    assert code == 0, output
    figures = _figures(output)
    for name, value in expected_conversations(None).items():
        assert figures[name] == (shown(value) if isinstance(value, float) else str(value)), name

    code, output = _cli("nps", "--from", FROM, "--to", TO, "--lang", "en")
    assert code == 0, output
    figures = _figures(output)
    expected = expected_nps("en")
    assert figures["asked"] == str(expected["asked"]) and figures["nps"] == shown(expected["nps"])
    assert "2026-11-02" in output and "2026-11-30" in output  # the weekly trend

    code, output = _cli("helpful", "--from", FROM, "--to", TO)
    assert code == 0, output
    assert _figures(output)["rate_pct"] == shown(expected_helpful(None)["rate_pct"])
    assert "shipping" in output and "payment" in output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-11-30", "--to", "2026-11-01"], "before it starts"),
        (["--from", "2026-11-01", "--to", "2026-13-01"], "YYYY-MM-DD"),
        (["--from", "2025-01-01", "--to", "2026-06-01"], "at most 366 days"),
        (["--from", FROM, "--to", TO, "--lang", "de"], "--lang"),
    ],
)
def test_cli_refuses_bad_periods(cli_database: str, args: list[str], words: str) -> None:
    for kind in ("nps", "helpful", "conversations"):
        code, output = _cli(kind, *args)
        assert code == 1, output
        assert words in output
