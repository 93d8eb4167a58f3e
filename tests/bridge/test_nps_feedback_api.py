"""NPS surveys and answer feedback: the internal API the action server calls, and what it
stores, on SQLite and PostgreSQL. Time is moved with the API's clock dependency."""

import asyncio
import json
import math
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.api import nps as nps_api
from bridge.app import create_app
from bridge.db import feedback, nps, repository
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import AnswerFeedback, Conversation, NpsSurvey
from knowledge_base.settings import KBSettings
from tests import aio
from tests.conftest import TEST_SERVICE_TOKEN, make_settings

SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


@dataclass
class Clock:
    """What the NPS routes take as now; a test moves it."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _client(
    database_url: str,
    tmp_path: Path,
    clock: Clock,
    *,
    raise_server_exceptions: bool = True,
    **overrides: object,
) -> Iterator[TestClient]:
    """The bridge without Rasa or the knowledge base (these routes reach neither), on `clock`."""
    settings = make_settings(database_url, None, **overrides)
    kb = KBSettings(articles_dir=tmp_path / "articles", index_dir=tmp_path / "index")
    app = create_app(settings, kb)
    app.dependency_overrides[nps_api.current_time] = clock
    with TestClient(app, raise_server_exceptions=raise_server_exceptions) as test_client:
        yield test_client


@pytest.fixture
def api(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    yield from _client(database_url, tmp_path, clock)


_run_sql = aio.run_sql


def _conversation(database_url: str, visitor_id: str | None = None) -> str:
    async def create(session: AsyncSession) -> str:
        conversation = await repository.create_conversation(
            session=session, language="en", visitor_id=visitor_id, page_url=None
        )
        return conversation.id

    return _run_sql(database_url, create)


def _survey(database_url: str, survey_id: int) -> NpsSurvey:
    async def read(session: AsyncSession) -> NpsSurvey:
        survey = await nps.get_survey(session=session, survey_id=survey_id)
        assert survey is not None
        return survey

    return _run_sql(database_url, read)


def _survey_count(database_url: str) -> int:
    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(NpsSurvey)) or 0)

    return _run_sql(database_url, count)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite returns stored times without their zone (they are UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _ask(
    api: TestClient, conversation_id: str, trigger: str = "after_agent", language: str = "en"
) -> Any:
    return api.post(
        "/api/nps/surveys",
        json={"conversation_id": conversation_id, "language": language, "trigger": trigger},
        headers=SERVICE,
    )


def _asked(api: TestClient, conversation_id: str) -> int:
    response = _ask(api, conversation_id)
    assert response.status_code == 201, response.text
    return int(response.json()["survey_id"])


def _score(api: TestClient, survey_id: int, score: object) -> Any:
    return api.put(f"/api/nps/surveys/{survey_id}/score", json={"score": score}, headers=SERVICE)


def _reason(api: TestClient, survey_id: int, reason: object) -> Any:
    return api.put(f"/api/nps/surveys/{survey_id}/reason", json={"reason": reason}, headers=SERVICE)


def _end(api: TestClient, survey_id: int, outcome: str) -> Any:
    return api.post(f"/api/nps/surveys/{survey_id}/end", json={"outcome": outcome}, headers=SERVICE)


# --- the survey's life cycle -------------------------------------------------------------------


def test_a_survey_is_asked_scored_and_given_a_reason(
    api: TestClient, database_url: str, clock: Clock
) -> None:
    conversation_id = _conversation(database_url, visitor_id="visitor-1")
    asked = _ask(api, conversation_id, trigger="goodbye", language="hu")
    assert asked.status_code == 201, asked.text
    assert set(asked.json()) == {"survey_id"}
    survey_id = asked.json()["survey_id"]
    stored = _survey(database_url, survey_id)
    assert (stored.conversation_id, stored.visitor_id, stored.language, stored.trigger) == (
        conversation_id,
        "visitor-1",
        "hu",
        "goodbye",
    )
    assert (stored.status, stored.score, stored.category, stored.reason) == (
        "asked",
        None,
        None,
        None,
    )
    assert _aware(stored.asked_at) == START and stored.answered_at is None

    clock.advance(timedelta(seconds=40))
    scored = _score(api, survey_id, 9)
    assert scored.status_code == 200, scored.text
    assert scored.json() == {
        "survey_id": survey_id,
        "status": "answered",
        "score": 9,
        "category": "promoter",
        "reason": None,
    }
    stored = _survey(database_url, survey_id)
    assert (stored.status, stored.score, stored.category) == ("answered", 9, "promoter")
    assert _aware(stored.answered_at) == START + timedelta(seconds=40)

    reason = _reason(api, survey_id, "  Quick and friendly help.\n")
    assert reason.status_code == 200, reason.text
    assert reason.json()["reason"] == "Quick and friendly help."
    assert _survey(database_url, survey_id).reason == "Quick and friendly help."
    # A retried or rephrased reason replaces the earlier one; the score stays.
    assert _reason(api, survey_id, "Fast.").status_code == 200
    stored = _survey(database_url, survey_id)
    assert (stored.reason, stored.score, stored.status) == ("Fast.", 9, "answered")


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_the_category_follows_from_the_score(
    api: TestClient, database_url: str, score: int, category: str
) -> None:
    survey_id = _asked(api, _conversation(database_url))
    response = _score(api, survey_id, score)
    assert response.status_code == 200, response.text
    assert (response.json()["score"], response.json()["category"]) == (score, category)
    assert _survey(database_url, survey_id).category == category


def test_a_score_is_given_once(api: TestClient, database_url: str) -> None:
    survey_id = _asked(api, _conversation(database_url))
    assert _score(api, survey_id, 3).status_code == 200
    again = _score(api, survey_id, 10)
    assert again.status_code == 409
    assert again.json() == {"detail": "survey is answered", "code": "closed", "status": "answered"}
    stored = _survey(database_url, survey_id)
    assert (stored.score, stored.category) == (3, "detractor")
    # An answered survey cannot be ended any more either.
    assert _end(api, survey_id, "dropped").json()["code"] == "closed"
    assert _survey(database_url, survey_id).status == "answered"


@pytest.mark.parametrize("outcome", ["declined", "dropped"])
def test_an_ended_survey_takes_no_score_reason_or_second_end(
    api: TestClient, database_url: str, outcome: str
) -> None:
    survey_id = _asked(api, _conversation(database_url))
    ended = _end(api, survey_id, outcome)
    assert ended.status_code == 200, ended.text
    assert (ended.json()["status"], ended.json()["score"]) == (outcome, None)

    for refused in (
        _end(api, survey_id, outcome),
        _end(api, survey_id, "declined" if outcome == "dropped" else "dropped"),
        _score(api, survey_id, 8),
        _reason(api, survey_id, "too late"),
    ):
        assert refused.status_code == 409, refused.text
        assert refused.json() == {
            "detail": f"survey is {outcome}",
            "code": "closed",
            "status": outcome,
        }
    stored = _survey(database_url, survey_id)
    assert (stored.status, stored.score, stored.reason, stored.answered_at) == (
        outcome,
        None,
        None,
        None,
    )


def test_a_reason_needs_a_score_first(api: TestClient, database_url: str) -> None:
    survey_id = _asked(api, _conversation(database_url))
    early = _reason(api, survey_id, "because")
    assert early.status_code == 409
    assert early.json() == {"detail": "survey is asked", "code": "closed", "status": "asked"}
    assert _survey(database_url, survey_id).reason is None


# --- once per cooldown -------------------------------------------------------------------------


def test_a_visitor_is_asked_once_per_30_days_across_conversations(
    api: TestClient, database_url: str, clock: Clock
) -> None:
    first = _conversation(database_url, visitor_id="visitor-1")
    later = _conversation(database_url, visitor_id="visitor-1")
    other_visitor = _conversation(database_url, visitor_id="visitor-2")
    _asked(api, first)

    clock.advance(timedelta(days=1))
    again = _ask(api, first)
    assert again.status_code == 409
    assert again.json() == {
        "detail": "asked for NPS recently",
        "code": "recently_asked",
        "last_asked_at": START.isoformat().replace("+00:00", "Z"),
    }
    assert _ask(api, other_visitor).status_code == 201  # someone else is asked

    clock.now = START + timedelta(days=30) - timedelta(seconds=1)
    in_new_conversation = _ask(api, later)
    assert in_new_conversation.status_code == 409, in_new_conversation.text
    assert in_new_conversation.json()["code"] == "recently_asked"
    assert _survey_count(database_url) == 2

    clock.now = START + timedelta(days=31)
    survey_id = _asked(api, later)
    stored = _survey(database_url, survey_id)
    assert (stored.conversation_id, stored.visitor_id) == (later, "visitor-1")
    assert _aware(stored.asked_at) == START + timedelta(days=31)
    # ... and the new question starts the next 30 days.
    clock.advance(timedelta(days=29))
    assert _ask(api, first).json()["last_asked_at"].startswith("2026-04-01T12:00:00")


def test_an_unanswered_or_declined_question_counts_too(
    api: TestClient, database_url: str, clock: Clock
) -> None:
    dropped = _asked(api, _conversation(database_url, visitor_id="visitor-1"))
    assert _end(api, dropped, "dropped").status_code == 200
    clock.advance(timedelta(days=2))
    assert _ask(api, _conversation(database_url, visitor_id="visitor-1")).status_code == 409

    _asked(api, _conversation(database_url, visitor_id="visitor-2"))  # never answered
    clock.advance(timedelta(days=2))
    assert _ask(api, _conversation(database_url, visitor_id="visitor-2")).status_code == 409


def test_without_a_visitor_id_the_limit_is_per_conversation(
    api: TestClient, database_url: str, clock: Clock
) -> None:
    anonymous = _conversation(database_url)
    _asked(api, anonymous)
    clock.advance(timedelta(days=3))
    repeated = _ask(api, anonymous)
    assert repeated.status_code == 409
    assert repeated.json()["code"] == "recently_asked"
    # Other anonymous conversations are not the same customer as far as anyone can tell.
    assert _ask(api, _conversation(database_url)).status_code == 201
    assert _ask(api, _conversation(database_url)).status_code == 201
    clock.advance(timedelta(days=28))
    assert _ask(api, anonymous).status_code == 201


def test_the_cooldown_is_a_setting(database_url: str, tmp_path: Path, clock: Clock) -> None:
    for api in _client(database_url, tmp_path, clock, nps_cooldown_days=7):
        _asked(api, _conversation(database_url, visitor_id="visitor-1"))
        clock.advance(timedelta(days=6))
        assert _ask(api, _conversation(database_url, visitor_id="visitor-1")).status_code == 409
        clock.advance(timedelta(days=1))
        assert _ask(api, _conversation(database_url, visitor_id="visitor-1")).status_code == 201


@pytest.mark.parametrize("days", [0, 3651])
def test_the_cooldown_setting_is_bounded(database_url: str, days: int) -> None:
    with pytest.raises(ValueError, match="nps_cooldown_days"):
        make_settings(database_url, None, nps_cooldown_days=days)


# --- refused bodies and unknown ids ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"score": -1},
        {"score": 11},
        {"score": 9.5},
        {"score": 9.0},
        {"score": "9"},
        {"score": True},
        {"score": None},
        {},
        {"score": 9, "category": "promoter"},
    ],
)
def test_a_score_is_an_integer_from_0_to_10(
    api: TestClient, database_url: str, body: dict[str, object]
) -> None:
    survey_id = _asked(api, _conversation(database_url))
    response = api.put(f"/api/nps/surveys/{survey_id}/score", json=body, headers=SERVICE)
    assert response.status_code == 422, response.text
    stored = _survey(database_url, survey_id)
    assert (stored.status, stored.score) == ("asked", None)


@pytest.mark.parametrize(
    "body",
    [
        {"language": "de"},
        {"trigger": "bored"},
        {"trigger": None},
        {"conversation_id": ""},
        {"visitor_id": "someone"},
    ],
)
def test_a_survey_request_is_checked(
    api: TestClient, database_url: str, body: dict[str, object]
) -> None:
    valid = {
        "conversation_id": _conversation(database_url),
        "language": "en",
        "trigger": "feedback_request",
    }
    response = api.post("/api/nps/surveys", json={**valid, **body}, headers=SERVICE)
    assert response.status_code == 422, response.text
    assert _survey_count(database_url) == 0


def test_unknown_conversations_and_surveys_are_404(api: TestClient, database_url: str) -> None:
    missing = _ask(api, "00000000-0000-4000-8000-000000000000")
    assert (missing.status_code, missing.json()) == (404, {"detail": "unknown conversation"})
    for response in (
        _score(api, 424242, 9),
        _reason(api, 424242, "fine"),
        _end(api, 424242, "declined"),
    ):
        assert (response.status_code, response.json()) == (404, {"detail": "unknown survey"})
    # Past PostgreSQL's BIGINT an id is refused before it reaches the database.
    assert _score(api, 2**63, 9).status_code == 422
    assert _survey_count(database_url) == 0


def test_a_reason_is_1_to_nps_reason_max_chars_after_trimming(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    for api in _client(database_url, tmp_path, clock, nps_reason_max_chars=20):
        survey_id = _asked(api, _conversation(database_url))
        assert _score(api, survey_id, 5).status_code == 200
        for refused in ("", "   \n", "x" * 21, 42, None):
            response = _reason(api, survey_id, refused)
            assert response.status_code == 422, (refused, response.text)
        too_long = _reason(api, survey_id, "x" * 21).json()["detail"][0]
        assert (too_long["type"], too_long["loc"]) == ("string_too_long", ["body", "reason"])
        assert _survey(database_url, survey_id).reason is None
        # The limit counts what is stored: surrounding blanks are trimmed first.
        assert _reason(api, survey_id, "  " + "y" * 20 + "  ").status_code == 200
        assert _survey(database_url, survey_id).reason == "y" * 20


def test_the_default_reason_limit_is_1000(api: TestClient, database_url: str) -> None:
    survey_id = _asked(api, _conversation(database_url))
    assert _score(api, survey_id, 10).status_code == 200
    assert _reason(api, survey_id, "z" * 1001).status_code == 422
    assert _reason(api, survey_id, "z" * 1000).status_code == 200


@pytest.mark.parametrize("outcome", ["answered", "asked", "", None])
def test_an_end_is_declined_or_dropped(api: TestClient, database_url: str, outcome: object) -> None:
    survey_id = _asked(api, _conversation(database_url))
    response = api.post(
        f"/api/nps/surveys/{survey_id}/end", json={"outcome": outcome}, headers=SERVICE
    )
    assert response.status_code == 422, response.text
    assert _survey(database_url, survey_id).status == "asked"


# --- the service token -------------------------------------------------------------------------

BAD_HEADERS = [
    {},
    {"Authorization": "Bearer forged-token-of-about-the-same-length-000"},
    {"Authorization": f"Basic {TEST_SERVICE_TOKEN}"},
    {"Authorization": TEST_SERVICE_TOKEN},
]


@pytest.mark.parametrize("headers", BAD_HEADERS, ids=["missing", "forged", "basic", "bare"])
def test_every_route_needs_the_service_token(
    api: TestClient, database_url: str, headers: dict[str, str]
) -> None:
    conversation_id = _conversation(database_url, visitor_id="visitor-1")
    survey_id = _asked(api, conversation_id)
    calls: list[tuple[str, str, dict[str, object]]] = [
        (
            "POST",
            "/api/nps/surveys",
            {"conversation_id": conversation_id, "language": "en", "trigger": "goodbye"},
        ),
        ("PUT", f"/api/nps/surveys/{survey_id}/score", {"score": 9}),
        ("PUT", f"/api/nps/surveys/{survey_id}/reason", {"reason": "nice"}),
        ("POST", f"/api/nps/surveys/{survey_id}/end", {"outcome": "declined"}),
        (
            "POST",
            "/api/feedback",
            {
                "conversation_id": conversation_id,
                "article_id": "shipping-times",
                "helpful": True,
                "language": "en",
            },
        ),
    ]
    for method, path, body in calls:
        response = api.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
    stored = _survey(database_url, survey_id)
    assert (stored.status, stored.score, stored.reason) == ("asked", None, None)
    assert _survey_count(database_url) == 1
    assert _feedback(database_url, conversation_id) == []


# --- answer feedback ---------------------------------------------------------------------------


def _feedback(database_url: str, conversation_id: str | None = None) -> list[AnswerFeedback]:
    return _run_sql(
        database_url,
        lambda s: feedback.list_feedback(session=s, conversation_id=conversation_id),
    )


FULL_FEEDBACK = {
    "article_id": "return-policy",
    "chunk_id": "return-policy#2",
    "query": "how do I send a parcel back?",
    "score": 0.71,
    "helpful": False,
    "language": "hu",
}


def test_feedback_is_stored_with_its_fields(api: TestClient, database_url: str) -> None:
    conversation_id = _conversation(database_url)
    other = _conversation(database_url)
    full = api.post(
        "/api/feedback", json={"conversation_id": conversation_id, **FULL_FEEDBACK}, headers=SERVICE
    )
    assert full.status_code == 201, full.text
    assert set(full.json()) == {"id"}
    minimal = api.post(
        "/api/feedback",
        json={
            "conversation_id": conversation_id,
            "article_id": "shipping-times",
            "helpful": True,
            "language": "en",
        },
        headers=SERVICE,
    )
    assert minimal.status_code == 201, minimal.text
    assert minimal.json()["id"] != full.json()["id"]
    elsewhere = {"conversation_id": other, "article_id": "a1", "helpful": True, "language": "en"}
    assert api.post("/api/feedback", json=elsewhere, headers=SERVICE).status_code == 201

    rows = {row.id: row for row in _feedback(database_url, conversation_id)}
    assert set(rows) == {full.json()["id"], minimal.json()["id"]}
    stored = rows[full.json()["id"]]
    assert (
        stored.conversation_id,
        stored.article_id,
        stored.chunk_id,
        stored.query,
        stored.helpful,
        stored.language,
    ) == (
        conversation_id,
        "return-policy",
        "return-policy#2",
        "how do I send a parcel back?",
        False,
        "hu",
    )
    assert stored.score == pytest.approx(0.71)
    assert stored.created_at is not None
    bare = rows[minimal.json()["id"]]
    assert (bare.article_id, bare.chunk_id, bare.query, bare.score, bare.helpful) == (
        "shipping-times",
        None,
        None,
        None,
        True,
    )
    assert len(_feedback(database_url)) == 3


def test_feedback_for_an_unknown_conversation_is_404(api: TestClient, database_url: str) -> None:
    response = api.post(
        "/api/feedback",
        json={"conversation_id": "00000000-0000-4000-8000-000000000000", **FULL_FEEDBACK},
        headers=SERVICE,
    )
    assert (response.status_code, response.json()) == (404, {"detail": "unknown conversation"})
    assert _feedback(database_url) == []


@pytest.mark.parametrize(
    "change",
    [
        {"article_id": ""},
        {"article_id": "Return-Policy"},
        {"article_id": "-leading-dash"},
        {"article_id": "return_policy"},
        {"article_id": "a" * 101},
        {"chunk_id": "c" * 201},
        {"query": "q" * 2001},
        {"score": 2.01},
        {"score": -1.5},
        {"score": "0.5x"},
        {"helpful": "yes"},
        {"helpful": 1},
        {"helpful": None},
        {"language": "de"},
        {"rating": 5},
    ],
)
def test_feedback_bodies_are_checked(
    api: TestClient, database_url: str, change: dict[str, object]
) -> None:
    body = {"conversation_id": _conversation(database_url), **FULL_FEEDBACK, **change}
    response = api.post("/api/feedback", json=body, headers=SERVICE)
    assert response.status_code == 422, response.text
    assert _feedback(database_url) == []


@pytest.mark.parametrize("score", [math.nan, math.inf, -math.inf])
def test_non_finite_feedback_scores_are_refused(
    database_url: str, tmp_path: Path, clock: Clock, score: float
) -> None:
    """json.dumps writes NaN and Infinity, and the bridge's JSON parser reads them. They are
    refused with a plain 422 (the answer leaves out the input JSON cannot carry)."""
    body = {"conversation_id": _conversation(database_url), **FULL_FEEDBACK, "score": score}
    for api in _client(database_url, tmp_path, clock, raise_server_exceptions=False):
        response = api.post(
            "/api/feedback",
            content=json.dumps(body),
            headers={**SERVICE, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == ["body", "score"]
    assert _feedback(database_url) == []


def test_feedback_at_the_limits_is_accepted(api: TestClient, database_url: str) -> None:
    conversation_id = _conversation(database_url)
    body = {
        "conversation_id": conversation_id,
        **FULL_FEEDBACK,
        "article_id": "a" * 100,
        "chunk_id": "c" * 200,
        "query": "q" * 2000,
        "score": -1,
    }
    assert api.post("/api/feedback", json=body, headers=SERVICE).status_code == 201
    assert (
        api.post("/api/feedback", json={**body, "score": 2.0}, headers=SERVICE).status_code == 201
    )
    assert sorted(row.score or 0 for row in _feedback(database_url)) == [-1.0, 2.0]


# --- the repository and the schema -------------------------------------------------------------


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _start(sessions: Sessions, conversation_id: str, now: datetime = START) -> NpsSurvey:
    async with sessions.begin() as session:
        return await nps.start_survey(
            session=session,
            conversation_id=conversation_id,
            language="en",
            trigger="goodbye",
            cooldown_days=30,
            now=now,
        )


async def _new_conversation(sessions: Sessions, visitor_id: str | None) -> str:
    async with sessions.begin() as session:
        conversation = await repository.create_conversation(
            session=session, language="en", visitor_id=visitor_id, page_url=None
        )
        return conversation.id


async def test_a_second_question_waits_for_the_first_and_is_refused(sessions: Sessions) -> None:
    """Two of a visitor's conversations asking at once: the second waits for the first
    transaction, then sees its survey (without the lock both would be asked)."""
    first_conversation = await _new_conversation(sessions, "visitor-1")
    second_conversation = await _new_conversation(sessions, "visitor-1")
    first = sessions()
    await first.begin()
    try:
        await nps.start_survey(
            session=first,
            conversation_id=first_conversation,
            language="en",
            trigger="goodbye",
            cooldown_days=30,
            now=START,
        )
        second = asyncio.create_task(_start(sessions, second_conversation, START))
        await asyncio.sleep(0.5)
        assert not second.done()  # blocked by the first transaction
        await first.commit()
    finally:
        await first.close()
    with pytest.raises(nps.RecentlyAsked) as refused:
        await second
    assert _aware(refused.value.last_asked_at) == START
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(NpsSurvey))
    assert count == 1


async def test_the_repository_refuses_what_the_api_cannot_send(sessions: Sessions) -> None:
    conversation_id = await _new_conversation(sessions, None)
    with pytest.raises(nps.UnknownConversation):
        await _start(sessions, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(ValueError, match="unknown NPS trigger"):
        async with sessions.begin() as session:
            await nps.start_survey(
                session=session,
                conversation_id=conversation_id,
                language="en",
                trigger="bored",
                cooldown_days=30,
                now=START,
            )
    survey = await _start(sessions, conversation_id)
    with pytest.raises(ValueError, match="not 11"):
        async with sessions.begin() as session:
            await nps.record_score(session=session, survey_id=survey.id, score=11)
    with pytest.raises(ValueError, match="unknown NPS outcome"):
        async with sessions.begin() as session:
            await nps.end_survey(session=session, survey_id=survey.id, outcome="answered")
    with pytest.raises(feedback.UnknownConversation):
        async with sessions.begin() as session:
            await feedback.add_feedback(
                session=session,
                conversation_id="00000000-0000-4000-8000-000000000000",
                article_id="a",
                helpful=True,
                language="en",
            )


@pytest.mark.parametrize("score", [-1, 11])
async def test_the_database_keeps_scores_within_0_to_10(sessions: Sessions, score: int) -> None:
    conversation_id = await _new_conversation(sessions, None)
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(
                NpsSurvey(
                    conversation_id=conversation_id,
                    language="en",
                    status="answered",
                    score=score,
                    trigger="goodbye",
                )
            )


async def test_deleting_a_conversation_deletes_its_surveys_and_feedback(
    sessions: Sessions,
) -> None:
    conversation_id = await _new_conversation(sessions, "visitor-1")
    await _start(sessions, conversation_id)
    async with sessions.begin() as session:
        await feedback.add_feedback(
            session=session,
            conversation_id=conversation_id,
            article_id="a",
            helpful=True,
            language="en",
        )
    async with sessions.begin() as session:
        await session.execute(delete(Conversation).where(Conversation.id == conversation_id))
    async with sessions() as session:
        surveys = await session.scalar(select(func.count()).select_from(NpsSurvey))
        ratings = await session.scalar(select(func.count()).select_from(AnswerFeedback))
    assert (surveys, ratings) == (0, 0)
