"""NPS surveys, run by the action server: ask, take the score and the reason, or end unanswered.

Conflicts answer 409 with a machine-readable `code`: `recently_asked` (with `last_asked_at`)
when the visitor was asked within `NPS_COOLDOWN_DAYS`, `closed` (with the survey's `status`)
when the survey is past the step asked for.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from bridge.api.deps import services as services_of
from bridge.api.params import NoNul, RowId
from bridge.api.service_auth import ServiceCaller
from bridge.db import nps
from bridge.db.models import NpsSurvey, utcnow
from bridge.schemas import Language
from bridge.services.redaction import redact_text

router = APIRouter(prefix="/api/nps", tags=["nps"])


def current_time() -> datetime:
    """The surveys' clock (asked and answered times, the cooldown); tests override it."""
    return utcnow()


Now = Annotated[datetime, Depends(current_time)]


class SurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: Annotated[str, StringConstraints(min_length=1, max_length=36), NoNul]
    language: Language
    trigger: nps.Trigger


class SurveyStarted(BaseModel):
    survey_id: int


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Strict: "9", 9.5 and true are not scores.
    score: StrictInt = Field(ge=nps.MIN_SCORE, le=nps.MAX_SCORE)


class ReasonIn(BaseModel):
    """The length limit is a setting (`NPS_REASON_MAX_CHARS`), checked by the route."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), NoNul]


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: nps.Outcome


class SurveyOut(BaseModel):
    survey_id: int
    status: str
    score: int | None
    category: str | None
    reason: str | None


class Conflict(BaseModel):
    detail: str
    code: Literal["recently_asked", "closed"]
    last_asked_at: datetime | None = None
    status: str | None = None


_CONFLICT: dict[int | str, dict[str, Any]] = {status.HTTP_409_CONFLICT: {"model": Conflict}}


@router.post(
    "/surveys",
    status_code=status.HTTP_201_CREATED,
    response_model=SurveyStarted,
    responses=_CONFLICT,
)
async def start_survey(
    body: SurveyIn, _caller: ServiceCaller, request: Request, now: Now
) -> SurveyStarted | JSONResponse:
    """Record that the customer is asked now (201), or 409 `recently_asked` when they were
    asked within the cooldown: then the bot does not ask."""
    services = services_of(request)
    try:
        async with services.sessions.begin() as session:
            survey = await nps.start_survey(
                session=session,
                conversation_id=body.conversation_id,
                language=body.language,
                trigger=body.trigger,
                cooldown_days=services.settings.nps_cooldown_days,
                now=now,
            )
    except nps.UnknownConversation as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown conversation") from exc
    except nps.RecentlyAsked as exc:
        return _conflict(
            Conflict(
                detail="asked for NPS recently",
                code="recently_asked",
                last_asked_at=exc.last_asked_at.astimezone(UTC),
            )
        )
    return SurveyStarted(survey_id=survey.id)


@router.put("/surveys/{survey_id}/score", response_model=SurveyOut, responses=_CONFLICT)
async def record_score(
    survey_id: RowId, body: ScoreIn, _caller: ServiceCaller, request: Request, now: Now
) -> SurveyOut | JSONResponse:
    """Answer the survey; 409 `closed` once it was answered, declined or dropped (a score is
    never changed)."""
    try:
        async with services_of(request).sessions.begin() as session:
            survey = await nps.record_score(
                session=session, survey_id=survey_id, score=body.score, now=now
            )
    except nps.UnknownSurvey as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown survey") from exc
    except nps.SurveyClosed as exc:
        return _closed(exc)
    return _out(survey)


@router.put("/surveys/{survey_id}/reason", response_model=SurveyOut, responses=_CONFLICT)
async def record_reason(
    survey_id: RowId, body: ReasonIn, _caller: ServiceCaller, request: Request
) -> SurveyOut | JSONResponse:
    """Why the customer gave their score; 409 `closed` before a score (or without one)."""
    services = services_of(request)
    limit = services.settings.nps_reason_max_chars
    if len(body.reason) > limit:
        raise RequestValidationError(
            [
                {
                    "type": "string_too_long",
                    "loc": ("body", "reason"),
                    "msg": f"String should have at most {limit} characters",
                    "input": body.reason,
                    "ctx": {"max_length": limit},
                }
            ]
        )
    try:
        async with services.sessions.begin() as session:
            survey = await nps.record_reason(
                # Typed by the customer: card numbers and passwords are masked first.
                session=session,
                survey_id=survey_id,
                reason=redact_text(body.reason),
            )
    except nps.UnknownSurvey as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown survey") from exc
    except nps.SurveyClosed as exc:
        return _closed(exc)
    return _out(survey)


@router.post("/surveys/{survey_id}/end", response_model=SurveyOut, responses=_CONFLICT)
async def end_survey(
    survey_id: RowId, body: EndIn, _caller: ServiceCaller, request: Request
) -> SurveyOut | JSONResponse:
    """The customer declined or left; 409 `closed` unless the survey is still asked."""
    try:
        async with services_of(request).sessions.begin() as session:
            survey = await nps.end_survey(
                session=session, survey_id=survey_id, outcome=body.outcome
            )
    except nps.UnknownSurvey as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown survey") from exc
    except nps.SurveyClosed as exc:
        return _closed(exc)
    return _out(survey)


def _out(survey: NpsSurvey) -> SurveyOut:
    return SurveyOut(
        survey_id=survey.id,
        status=survey.status,
        score=survey.score,
        category=survey.category,
        reason=survey.reason,
    )


def _closed(exc: nps.SurveyClosed) -> JSONResponse:
    return _conflict(Conflict(detail=f"survey is {exc.status}", code="closed", status=exc.status))


def _conflict(body: Conflict) -> JSONResponse:
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status.HTTP_409_CONFLICT
    )
