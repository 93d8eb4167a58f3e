""" "How did you hear about us?" for the action server (service token): may the bot ask this
customer now, and their answer. See bridge.services.referrals."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bridge.api.deps import services as services_of
from bridge.api.params import NoNul, RowId
from bridge.api.service_auth import ServiceCaller
from bridge.db.models import ReferralSource, utcnow
from bridge.db.referrals import UnknownReferral
from bridge.schemas import Language
from bridge.services.referrals import MAX_DETAIL_CHARS, Referrals, UnknownConversation

router = APIRouter(tags=["referrals"])

ConversationId = Annotated[str, StringConstraints(min_length=1, max_length=36), NoNul]
# A source, or "skipped": the customer chose not to say.
Source = ReferralSource | Literal["skipped"]


def current_time() -> datetime:
    """When questions are asked and answered; tests override it."""
    return utcnow()


def referrals(request: Request) -> Referrals:
    return Referrals(services_of(request).sessions)


Now = Annotated[datetime, Depends(current_time)]
Service = Annotated[Referrals, Depends(referrals)]


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId
    language: Language


class AskOut(BaseModel):
    status: Literal["asked", "already_asked"]
    referral_id: int | None = None


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId
    source: Source
    detail: Annotated[str, Field(max_length=MAX_DETAIL_CHARS), NoNul] | None = None


class AnswerOut(BaseModel):
    status: Literal["recorded", "already_answered"]


@router.post(
    "/api/referrals",
    response_model=AskOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "asked before"}, 404: {"description": "unknown conversation"}},
)
async def ask(
    body: AskIn, response: Response, _caller: ServiceCaller, service: Service, now: Now
) -> AskOut:
    """Record that the question is put now: 201 with its id, or 200 `already_asked` when this
    customer was asked before (in any conversation, on any browser)."""
    try:
        referral_id = await service.ask(
            conversation_id=body.conversation_id, language=body.language, now=now
        )
    except UnknownConversation as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    if referral_id is None:
        response.status_code = status.HTTP_200_OK
        return AskOut(status="already_asked")
    return AskOut(status="asked", referral_id=referral_id)


@router.post(
    "/api/referrals/{referral_id}/answer",
    response_model=AnswerOut,
    responses={404: {"description": "no such question in this conversation"}},
)
async def answer(
    referral_id: RowId, body: AnswerIn, _caller: ServiceCaller, service: Service, now: Now
) -> AnswerOut:
    """The customer's answer; only the first one counts."""
    try:
        outcome = await service.answer(
            referral_id=referral_id,
            conversation_id=body.conversation_id,
            source=body.source,
            detail=body.detail,
            now=now,
        )
    except UnknownReferral as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such question") from exc
    return AnswerOut(status=outcome)
