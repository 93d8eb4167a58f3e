"""Review tracking: the counted redirect (only ever to the configured review URL), the
invitations the action server asks for, and the report (API JSON + CSV, CLI) against a plain
computation written here, on SQLite and PostgreSQL."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import func, select
from typer.testing import CliRunner

from bridge import report_cli
from bridge.api import review_links
from bridge.app import create_app
from bridge.cli import app as cli_app
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import Conversation, NpsSurvey, ReviewClick, ReviewInvitation
from bridge.settings import Settings, get_settings
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import TEST_SERVICE_TOKEN, make_settings
from tests.staff import Signed, add_user, sign_in

REVIEW_URL = "https://reviews.example/northwind"
SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
FROM, TO = "2026-11-01", "2026-11-30"


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    conversation: str
    language: str
    invited: datetime
    clicks: int


# Two invitations of c3 (in two weeks), repeated clicks, both languages, and some outside.
SEEDS = [
    Seed("c1", "en", at(11, 2), 1),
    Seed("c2", "en", at(11, 3), 0),
    Seed("c3", "hu", at(11, 4), 3),
    Seed("c3", "hu", at(11, 12), 0),
    Seed("c4", "hu", at(11, 12), 1),
    Seed("c5", "en", at(11, 20), 2),
    Seed("c6", "en", at(11, 30, 23), 0),
    Seed("c7", "en", at(10, 31, 23), 1),  # before the period
    Seed("c8", "hu", at(12, 1, 0), 1),  # after it
]
SCORES = {"en": [10, 9, 7, 3], "hu": [10, 10, 0]}


async def _seed_conversations(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            for conversation in sorted({(s.conversation, s.language) for s in SEEDS}):
                session.add(Conversation(id=conversation[0], language=conversation[1]))
            await session.flush()
            for lang, scores in SCORES.items():
                for score in scores:
                    session.add(
                        NpsSurvey(
                            conversation_id="c1",
                            language=lang,
                            status="answered",
                            score=score,
                            category="promoter" if score >= 9 else "other",
                            trigger="goodbye",
                            asked_at=at(11, 10),
                        )
                    )
    finally:
        await engine.dispose()


async def _count(url: str, model: type[ReviewClick] | type[ReviewInvitation]) -> int:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        await engine.dispose()


def clicks_stored(url: str) -> int:
    return aio.run(_count(url, ReviewClick))


def invitations_stored(url: str) -> int:
    return aio.run(_count(url, ReviewInvitation))


def app(database_url: str, tmp_path: Path, **overrides: object) -> TestClient:
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index")
    return TestClient(create_app(make_settings(database_url, None, **overrides), kb))


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    aio.run(_seed_conversations(database_url))
    with app(database_url, tmp_path, nps_review_url=REVIEW_URL) as test_client:
        yield test_client


@pytest.fixture
def admin(client: TestClient, database_url: str) -> Signed:
    add_user(database_url, "root@example.com", role="admin")
    return sign_in(client, "root@example.com")


def at_time(client: TestClient, when: datetime) -> None:
    client.app.dependency_overrides[review_links.current_time] = lambda: when  # type: ignore[attr-defined]


def invite(client: TestClient, conversation: str, language: str = "en") -> Any:
    return client.post(
        "/api/review-links",
        json={"conversation_id": conversation, "language": language},
        headers=SERVICE,
    )


def follow(client: TestClient, path: str, **params: str) -> Any:
    return client.get(path, params=params, follow_redirects=False)


def link_path(url: str) -> str:
    assert url.startswith("http://127.0.0.1:8000/r/review/"), url
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def seeded(client: TestClient) -> None:
    """Every seed invitation made and clicked through the API, at the seed's time."""
    for seed in SEEDS:
        at_time(client, seed.invited)
        response = invite(client, seed.conversation, seed.language)
        assert response.status_code == 201, response.text
        for _ in range(seed.clicks):
            assert follow(client, link_path(response.json()["url"])).status_code == 303


# --- the plain computation -------------------------------------------------------------------


def start_of(day: date, by: str) -> date:
    if by == "day":
        return day
    if by == "week":
        year, week, _ = day.isocalendar()
        return date.fromisocalendar(year, week, 1)
    return date(day.year, day.month, 1)


def expected(by: str, lang: str | None) -> dict[str, Any]:
    chosen = [
        s
        for s in SEEDS
        if date(2026, 11, 1) <= s.invited.date() <= date(2026, 11, 30)
        and (lang is None or s.language == lang)
    ]

    def figures(seeds: list[Seed]) -> dict[str, Any]:
        invited = {s.conversation for s in seeds}
        clicked = {s.conversation for s in seeds if s.clicks}
        return {
            "invitations": len(seeds),
            "invited_conversations": len(invited),
            "clicked_conversations": len(clicked),
            "clicks": sum(s.clicks for s in seeds),
            "click_rate_pct": len(clicked) * 100 / len(invited) if invited else None,
        }

    starts = sorted({start_of(date(2026, 11, d), by) for d in range(1, 31)})
    rows = [
        {"period_start": start.isoformat(), "language": language}
        | figures(
            [
                s
                for s in chosen
                if s.language == language and start_of(s.invited.date(), by) == start
            ]
        )
        for start in starts
        for language in ([lang] if lang else ["en", "hu"])
    ]
    scores = [x for language, xs in SCORES.items() if lang in (None, language) for x in xs]
    promoters = sum(1 for x in scores if x >= 9)
    detractors = sum(1 for x in scores if x <= 6)
    return figures(chosen) | {
        "nps": (promoters - detractors) * 100 / len(scores),
        "promoters": promoters,
        "rows": rows,
    }


def test_the_seed_exercises_every_figure() -> None:
    whole = expected("week", None)
    assert whole["invitations"] > whole["invited_conversations"] > whole["clicked_conversations"]
    assert whole["clicks"] > whole["clicked_conversations"] > 0


# --- the report ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "lang"), [("day", None), ("week", None), ("week", "hu"), ("month", "en")]
)
@pytest.mark.usefixtures("seeded")
def test_report_matches_the_plain_computation(
    client: TestClient, admin: Signed, by: str, lang: str | None
) -> None:
    params = {"from": FROM, "to": TO, "by": by} | ({"lang": lang} if lang else {})
    response = client.get("/api/staff/reports/reviews", params=params, headers=admin.headers())
    assert response.status_code == 200, response.text
    body = response.json()
    want = expected(by, lang)
    for name in (
        "invitations",
        "invited_conversations",
        "clicked_conversations",
        "clicks",
        "promoters",
    ):
        assert body[name] == want[name], name
    assert body["click_rate_pct"] == pytest.approx(want["click_rate_pct"])
    assert body["nps"] == pytest.approx(want["nps"])
    assert [{k: row[k] for k in want["rows"][0]} for row in body["rows"]] == [
        row | {"click_rate_pct": pytest.approx(row["click_rate_pct"])} for row in want["rows"]
    ]

    csv_params = params | {"format": "csv", "table": "periods"}
    exported = client.get("/api/staff/reports/reviews", params=csv_params, headers=admin.headers())
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["period_start"], r["language"], int(r["clicked_conversations"])) for r in table] == [
        (r["period_start"], r["language"], r["clicked_conversations"]) for r in want["rows"]
    ]


def test_report_refuses_bad_parameters_and_non_admins(
    client: TestClient, admin: Signed, database_url: str
) -> None:
    url = "/api/staff/reports/reviews"
    for bad in (
        {"by": "year"},
        {"lang": "de"},
        {"from": "2026-11-31"},
        {"table": "nope", "format": "csv"},
    ):
        params = {"from": FROM, "to": TO} | bad
        assert client.get(url, params=params, headers=admin.headers()).status_code == 422, bad
    add_user(database_url, "agent@example.com", role="agent")
    agent = sign_in(client, "agent@example.com")
    assert (
        client.get(url, params={"from": FROM, "to": TO}, headers=agent.headers()).status_code == 403
    )


# --- the redirect and the invitations --------------------------------------------------------


def test_the_redirect_goes_only_to_the_review_url(client: TestClient, database_url: str) -> None:
    response = invite(client, "c1")
    assert response.status_code == 201
    path = link_path(response.json()["url"])
    for attempt in ({}, {"next": "https://evil.com"}, {"url": "//evil.com"}, {"to": "/\\evil.com"}):
        answer = follow(client, path, **attempt)
        assert answer.status_code == 303
        assert answer.headers["location"] == REVIEW_URL
        assert answer.headers["referrer-policy"] == "no-referrer"
    assert clicks_stored(database_url) == 4  # every click is kept; reports count c1 once


@pytest.mark.parametrize(
    "path",
    [
        "/r/review/junk",
        "/r/review/" + "A" * 43,  # well formed, never issued
        "/r/review/" + "A" * 44,
        "/r/review/" + "x" * 5000,
        "/r/review///evil.com",
        "/r/review/https:%2F%2Fevil.com",
        "/r/review/https://evil.com",
        "/r/review/%00" + "A" * 42,
        "/r/review/",
    ],
)
def test_unknown_or_malformed_tokens_are_404_and_store_nothing(
    client: TestClient, database_url: str, path: str
) -> None:
    assert invite(client, "c1").status_code == 201
    answer = follow(client, path)
    assert answer.status_code == 404
    assert "location" not in answer.headers
    assert clicks_stored(database_url) == 0


def test_invitations_need_the_service_token_and_a_known_conversation(
    client: TestClient, database_url: str
) -> None:
    body = {"conversation_id": "c1", "language": "en"}
    assert client.post("/api/review-links", json=body).status_code == 401
    forged = {"Authorization": "Bearer forged"}
    assert client.post("/api/review-links", json=body, headers=forged).status_code == 401
    assert invite(client, "nobody").status_code == 404
    for bad in (
        body | {"language": "de"},
        body | {"url": "https://evil.com"},  # the target is never taken from a request
        body | {"conversation_id": ""},
        body | {"conversation_id": "x" * 37},
        {"language": "en"},
    ):
        assert client.post("/api/review-links", json=bad, headers=SERVICE).status_code == 422, bad
    assert invitations_stored(database_url) == 0
    made = invite(client, "c1", "hu").json()["url"]
    assert follow(client, link_path(made)).headers["location"] == REVIEW_URL
    assert invitations_stored(database_url) == 1


def test_without_a_review_url_nothing_is_invited_or_redirected(
    database_url: str, tmp_path: Path
) -> None:
    aio.run(_seed_conversations(database_url))
    with app(database_url, tmp_path) as client:
        assert invite(client, "c1").status_code == 404
        assert follow(client, "/r/review/" + "A" * 43).status_code == 404
    assert invitations_stored(database_url) == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.com", "https://a b", "ftp://x"])
def test_the_review_url_setting_refuses_what_is_not_a_web_address(url: str) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({"environment": "test", "nps_review_url": url})


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(report_cli, "console", Console(width=200, force_terminal=False))
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


@pytest.mark.usefixtures("seeded")
def test_cli_prints_the_same_figures(cli_database: str) -> None:
    result = CliRunner().invoke(
        cli_app, ["report", "reviews", "--from", FROM, "--to", TO, "--by", "month"]
    )
    assert result.exit_code == 0, result.output
    want = expected("month", None)
    figures = {}
    for line in result.output.splitlines():
        parts = [p.strip() for p in line.strip("│┃| ").split("│")]
        if len(parts) == 2:
            figures[parts[0]] = parts[1]
    assert figures["invitations"] == str(want["invitations"])
    assert figures["clicked_conversations"] == str(want["clicked_conversations"])
    assert figures["click_rate_pct"] == f"{want['click_rate_pct']:.1f}"
    bad = CliRunner().invoke(
        cli_app, ["report", "reviews", "--from", FROM, "--to", TO, "--by", "year"]
    )
    assert bad.exit_code == 1 and "--by is day, week or month" in bad.output
