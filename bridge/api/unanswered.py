"""Questions the knowledge base could not answer, recorded by the action server."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.exc import IntegrityError

from bridge.api.deps import ServicesDep
from bridge.api.params import NoNul, UtcDatetime
from bridge.api.service_auth import ServiceCaller
from bridge.db import repository
from bridge.schemas import Language

router = APIRouter(prefix="/api/unanswered", tags=["knowledge base"])
Question = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul
]


class UnansweredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: Annotated[str, StringConstraints(max_length=36), NoNul] | None = None
    question: Question
    language: Language
    best_article_id: Annotated[str, StringConstraints(max_length=100), NoNul] | None = None
    best_score: float | None = Field(None, ge=-1.0, le=1.0)


class UnansweredOut(BaseModel):
    id: int
    conversation_id: str | None
    question: str
    language: str
    best_article_id: str | None
    best_score: float | None
    created_at: UtcDatetime


@router.post("", status_code=status.HTTP_201_CREATED)
async def record(
    body: UnansweredIn, _caller: ServiceCaller, services: ServicesDep
) -> UnansweredOut:
    sessions = services.sessions
    try:
        async with sessions.begin() as session:
            row = await repository.add_unanswered(session=session, **body.model_dump())
    except IntegrityError as exc:  # the conversation id names no conversation
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown conversation") from exc
    return UnansweredOut.model_validate(row, from_attributes=True)


@router.get("")
async def recent(
    _caller: ServiceCaller,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[UnansweredOut]:
    async with services.sessions() as session:
        rows = await repository.recent_unanswered(session=session, limit=limit)
    return [UnansweredOut.model_validate(row, from_attributes=True) for row in rows]
