"""The referral report (API JSON + CSV, CLI) against a plain computation written here over the
seeded rows, on SQLite and PostgreSQL: counts, shares, the referral rate, the NPS per bucket, the
NPS of each source's customers (matched by customer, visitor or conversation) and the lagged
correlation between promoters and referrals."""

import csv
import io
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
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
from bridge.db.models import REFERRAL_SOURCES, Conversation, NpsSurvey, ReferralAnswer
from bridge.settings import get_settings
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import make_settings
from tests.staff import Signed, add_user, sign_in

FROM, TO = "2026-11-01", "2026-11-30"
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)
URL = "/api/staff/reports/referrals"


@dataclass(frozen=True)
class Chat:
    id: str
    language: str
    visitor: str | None
    customer: str | None


@dataclass(frozen=True)
class Referral:
    chat: Chat
    asked: datetime
    source: str | None  # None: never answered


@dataclass(frozen=True)
class Survey:
    chat: Chat
    asked: datetime
    status: str
    score: int | None


def _seed() -> tuple[list[Chat], list[Referral], list[Survey]]:
    """Customers (identified, visitors, neither) asked once each, most in November and some
    either side of it; surveys in their own and in other conversations of the same person."""
    rng = random.Random(15)
    # October 26 to December 3: every ISO week of November, and rows outside the period.
    start = datetime(2026, 10, 26, tzinfo=UTC)
    chats: list[Chat] = []
    referrals: list[Referral] = []
    surveys: list[Survey] = []
    minute = 0

    def moment(day: int) -> datetime:
        nonlocal minute
        minute += 1  # every survey at its own minute: "latest" is never a tie
        return start + timedelta(days=day, minutes=minute)

    sources = [*REFERRAL_SOURCES, "skipped", None]
    for n in range(90):
        kind = n % 3
        customer = f"cust-{n}" if kind == 0 else None
        visitor = f"vis-{n}" if kind in (0, 1) else None
        chat = Chat(f"c{n:03d}", "en" if rng.random() < 0.6 else "hu", visitor, customer)
        chats.append(chat)
        day = rng.randrange(0, 39)
        weights = [5, 3, 2, 1, 1, 1, 2, 2]
        referrals.append(Referral(chat, moment(day), rng.choices(sources, weights)[0]))
        # The same person's other conversation: another browser for an identified customer (a
        # new visitor id), the same browser for a visitor; none for the anonymous.
        other = None
        if kind in (0, 1):
            other = Chat(
                f"c{n:03d}b", chat.language, f"vis-{n}-b" if kind == 0 else visitor, customer
            )
            chats.append(other)
        for target in [chat, other, chat]:
            if target is None or rng.random() < 0.35:
                continue
            status = rng.choices(["answered", "declined", "asked"], [8, 1, 1])[0]
            score = rng.randrange(11) if status == "answered" else None
            surveys.append(Survey(target, moment(rng.randrange(0, 39)), status, score))
    return chats, referrals, surveys


CHATS, REFERRALS, SURVEYS = _seed()


async def _store(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            for chat in CHATS:
                session.add(
                    Conversation(
                        id=chat.id,
                        language=chat.language,
                        visitor_id=chat.visitor,
                        customer_id=chat.customer,
                    )
                )
            await session.flush()
            for r in REFERRALS:
                if r.chat.customer:
                    subject = f"customer:{r.chat.customer}"
                elif r.chat.visitor:
                    subject = f"visitor:{r.chat.visitor}"
                else:
                    subject = f"conversation:{r.chat.id}"
                session.add(
                    ReferralAnswer(
                        subject=subject,
                        conversation_id=r.chat.id,
                        language=r.chat.language,
                        asked_at=r.asked,
                        answered_at=r.asked + timedelta(seconds=20) if r.source else None,
                        source=r.source,
                        detail="my neighbour" if r.source == "other" else None,
                    )
                )
            for s in SURVEYS:
                session.add(
                    NpsSurvey(
                        conversation_id=s.chat.id,
                        visitor_id=s.chat.visitor,
                        language=s.chat.language,
                        status=s.status,
                        score=s.score,
                        category=None,
                        trigger="goodbye",
                        asked_at=s.asked,
                        answered_at=s.asked if s.score is not None else None,
                    )
                )
    finally:
        await engine.dispose()


# --- the plain computation -------------------------------------------------------------------


def start_of(day: date, by: str) -> date:
    if by == "day":
        return day
    if by == "week":
        return day - timedelta(days=day.weekday())
    return date(day.year, day.month, 1)


def in_period(moment: datetime) -> bool:
    return FIRST <= moment.date() <= LAST


def nps_of(scores: list[int]) -> float | None:
    if not scores:
        return None
    return (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) * 100 / len(scores)


def pct(part: int, whole: int) -> float | None:
    return part * 100 / whole if whole else None


def pearson(xs: list[float], ys: list[float]) -> float | None:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return None if sxx == 0 or syy == 0 else sxy / math.sqrt(sxx * syy)


def latest_score(r: Referral) -> int | None:
    """The person's latest answered score in the period, in any language."""
    if r.chat.customer:
        mine = [s for s in SURVEYS if s.chat.customer == r.chat.customer]
    elif r.chat.visitor:
        mine = [s for s in SURVEYS if s.chat.visitor == r.chat.visitor]
    else:
        mine = [s for s in SURVEYS if s.chat.id == r.chat.id]
    given = [s for s in mine if s.status == "answered" and s.score is not None]
    given = [s for s in given if in_period(s.asked)]
    return max(given, key=lambda s: s.asked).score if given else None


def expected(by: str, lang: str | None) -> dict[str, Any]:
    chosen = [
        r for r in REFERRALS if in_period(r.asked) and (lang is None or r.chat.language == lang)
    ]
    scored = [
        s
        for s in SURVEYS
        if in_period(s.asked)
        and s.status == "answered"
        and (lang is None or s.chat.language == lang)
    ]

    def counts(referrals: list[Referral]) -> dict[str, Any]:
        answered = [r for r in referrals if r.source is not None]
        named = [r for r in answered if r.source != "skipped"]
        friends = sum(r.source == "friend_family" for r in named)
        return {
            "asked": len(referrals),
            "answered": len(answered),
            "skipped": len(answered) - len(named),
            "named": len(named),
            "friend_family": friends,
            "sources": {s: sum(r.source == s for r in named) for s in REFERRAL_SOURCES},
            "referral_rate_pct": pct(friends, len(named)),
        }

    starts = sorted({start_of(FIRST + timedelta(days=d), by) for d in range(30)})
    rows = []
    for start in starts:
        for language in [lang] if lang else ["en", "hu"]:
            here = [
                r
                for r in chosen
                if r.chat.language == language and start_of(r.asked.date(), by) == start
            ]
            scores = [
                s.score
                for s in scored
                if s.chat.language == language
                and start_of(s.asked.date(), by) == start
                and s.score is not None
            ]
            rows.append(
                {"period_start": start.isoformat(), "language": language}
                | counts(here)
                | {
                    "nps": nps_of(scores),
                    "promoter_share_pct": pct(sum(x >= 9 for x in scores), len(scores)),
                    "nps_responses": len(scores),
                }
            )
    whole = counts(chosen)
    named = [r for r in chosen if r.source not in (None, "skipped")]
    per_source: dict[str, list[int]] = {s: [] for s in REFERRAL_SOURCES}
    for r in named:
        score = latest_score(r)
        if score is not None and r.source is not None:
            per_source[r.source].append(score)
    others = [x for s, xs in per_source.items() if s != "friend_family" for x in xs]
    # Promoters' share in one bucket against the next bucket's referral rate.
    pairs = []
    for earlier, later in itertools.pairwise(starts):
        given = [s.score for s in scored if start_of(s.asked.date(), by) == earlier]
        nxt = [r for r in named if start_of(r.asked.date(), by) == later]
        if given and nxt:
            share = sum(x is not None and x >= 9 for x in given) * 100 / len(given)
            pairs.append((share, sum(r.source == "friend_family" for r in nxt) * 100 / len(nxt)))
    correlation = pearson([p for p, _ in pairs], [q for _, q in pairs]) if len(pairs) >= 4 else None
    counted = whole["sources"]
    return {
        "asked": whole["asked"],
        "answered": whole["answered"],
        "skipped": whole["skipped"],
        "named": whole["named"],
        "answer_rate_pct": pct(whole["answered"], whole["asked"]),
        "referral_rate_pct": whole["referral_rate_pct"],
        "top_source": max(REFERRAL_SOURCES, key=lambda s: counted[s]) if named else None,
        "sources": [
            {
                "source": s,
                "count": counted[s],
                "share_pct": pct(counted[s], whole["named"]),
                "nps": nps_of(per_source[s]),
                "nps_n": len(per_source[s]),
            }
            for s in REFERRAL_SOURCES
        ],
        "friend_family_nps": nps_of(per_source["friend_family"]),
        "friend_family_nps_n": len(per_source["friend_family"]),
        "others_nps": nps_of(others),
        "others_nps_n": len(others),
        "promoter_referral_correlation": correlation,
        "correlation_pairs": len(pairs),
        "rows": rows,
    }


def approx(value: Any) -> Any:
    """Floats compared to the last few digits, everything else exactly, inside dicts/lists."""
    if isinstance(value, float):
        return pytest.approx(value)
    if isinstance(value, dict):
        return {k: approx(v) for k, v in value.items()}
    if isinstance(value, list):
        return [approx(v) for v in value]
    return value


def test_the_seed_exercises_every_figure() -> None:
    whole = expected("week", None)
    assert whole["asked"] > whole["answered"] > whole["named"] > 0 and whole["skipped"] > 0
    assert len(REFERRALS) > whole["asked"]  # some asked outside the period
    assert whole["friend_family_nps_n"] > 0 and whole["others_nps_n"] > 0
    assert whole["correlation_pairs"] >= 4 and whole["promoter_referral_correlation"] is not None
    # Every way of matching a person's score is used, and some people have none.
    kinds = {
        ("customer" if r.chat.customer else "visitor" if r.chat.visitor else "chat")
        for r in REFERRALS
        if r.source not in (None, "skipped") and in_period(r.asked) and latest_score(r) is not None
    }
    assert kinds == {"customer", "visitor", "chat"}
    assert any(latest_score(r) is None for r in REFERRALS if r.source)
    # An identified customer's score given in another browser (another visitor id) counts.
    assert any(s.chat.id.endswith("b") and s.chat.customer for s in SURVEYS if s.score is not None)


# --- the API ---------------------------------------------------------------------------------


def app(database_url: str, tmp_path: Path) -> TestClient:
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index")
    return TestClient(create_app(make_settings(database_url, None), kb))


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    aio.run(_store(database_url))
    with app(database_url, tmp_path) as test_client:
        yield test_client


@pytest.fixture
def admin(client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "root@example.com", role="admin")
    return sign_in(client, "root@example.com")


@pytest.mark.parametrize(
    ("by", "lang"), [("day", None), ("week", None), ("week", "hu"), ("month", "en")]
)
def test_report_matches_the_plain_computation(
    client: TestClient, admin: Signed, by: str, lang: str | None
) -> None:
    params = {"from": FROM, "to": TO, "by": by} | ({"lang": lang} if lang else {})
    response = client.get(URL, params=params, headers=admin.headers())
    assert response.status_code == 200, response.text
    body = response.json()
    want = expected(by, lang)
    got_rows = body.pop("rows")
    want_rows = want.pop("rows")
    assert {k: body[k] for k in want} == approx(want)
    assert [{k: row[k] for k in want_rows[0]} for row in got_rows] == approx(want_rows)
    if by == "month":
        assert body["promoter_referral_correlation"] is None  # one bucket: no pairs

    for name, key in (("periods", "period_start"), ("sources", "source")):
        exported = client.get(
            URL, params=params | {"format": "csv", "table": name}, headers=admin.headers()
        )
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        table = list(csv.DictReader(io.StringIO(exported.text)))
        if name == "periods":
            assert [
                (r[key], r["language"], int(r["named"]), int(r["friend_family"])) for r in table
            ] == [
                (r[key], r["language"], r["named"], r["sources"]["friend_family"])
                for r in want_rows
            ]
        else:
            assert [(r[key], int(r["count"]), int(r["nps_n"])) for r in table] == [
                (s["source"], s["count"], s["nps_n"]) for s in want["sources"]
            ]


def test_report_refuses_bad_parameters_and_non_admins(
    client: TestClient, admin: Signed, database_url: str
) -> None:
    for bad in (
        {"by": "year"},
        {"lang": "de"},
        {"from": "2026-11-31"},
        {"to": "2026-10-01"},
        {"format": "xml"},
        {"table": "nope", "format": "csv"},
    ):
        params = {"from": FROM, "to": TO} | bad
        assert client.get(URL, params=params, headers=admin.headers()).status_code == 422, bad
    assert client.get(URL, params={"from": FROM, "to": TO}).status_code in (401, 403)
    add_user(database_url, "agent@example.com", role="agent")
    agent = sign_in(client, "agent@example.com")
    assert (
        client.get(URL, params={"from": FROM, "to": TO}, headers=agent.headers()).status_code == 403
    )


def test_an_empty_period_has_no_rates(client: TestClient, admin: Signed) -> None:
    params = {"from": "2025-01-01", "to": "2025-01-31", "by": "week"}
    body = client.get(URL, params=params, headers=admin.headers()).json()
    assert body["asked"] == 0 and body["answer_rate_pct"] is None
    assert body["referral_rate_pct"] is None and body["top_source"] is None
    assert body["promoter_referral_correlation"] is None and body["correlation_pairs"] == 0
    assert all(row["asked"] == 0 and row["nps"] is None for row in body["rows"])


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    aio.run(_store(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(report_cli, "console", Console(width=250, force_terminal=False))
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_database")
def test_cli_prints_the_same_figures() -> None:
    result = CliRunner().invoke(
        cli_app, ["report", "referrals", "--from", FROM, "--to", TO, "--by", "week"]
    )
    assert result.exit_code == 0, result.output
    want = expected("week", None)
    figures = {}
    for line in result.output.splitlines():
        parts = [p.strip() for p in line.strip("│┃| ").split("│")]
        if len(parts) == 2:
            figures[parts[0]] = parts[1]
    assert figures["asked"] == str(want["asked"])
    assert figures["named"] == str(want["named"])
    assert figures["referral_rate_pct"] == f"{want['referral_rate_pct']:.1f}"
    assert figures["top_source"] == want["top_source"]

    exported = CliRunner().invoke(
        cli_app, ["report", "referrals", "--from", FROM, "--to", TO, "--csv", "sources"]
    )
    assert exported.exit_code == 0, exported.output
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["source"], int(r["count"])) for r in table] == [
        (s["source"], s["count"]) for s in want["sources"]
    ]

    for bad, message in (
        (["--by", "year"], "--by is day, week or month"),
        (["--csv", "x"], "--csv"),
    ):
        refused = CliRunner().invoke(
            cli_app, ["report", "referrals", "--from", FROM, "--to", TO, *bad]
        )
        assert refused.exit_code == 1 and message in refused.output
