"""A customer leaves a message when nobody can chat (the widget's "Leave a message" form)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from bridge.api.deps import CustomerConversation, ServicesDep
from bridge.api.params import NoNul
from bridge.db.users import normalize_email
from bridge.schemas import Language, OfflineRequestOut
from bridge.services.chat_text import clean_text
from bridge.services.offline_requests import OfflineRequests, TooManyOfflineRequests

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


class OfflineRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(max_length=254), NoNul]
    message: Annotated[str, StringConstraints(max_length=2000)]
    language: Language | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)  # InvalidEmail is a ValueError: 422 with its message

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        cleaned = clean_text(value)
        if not cleaned:
            raise ValueError("the message must not be empty")
        return cleaned


def _offline_requests(services: ServicesDep) -> OfflineRequests:
    return services.offline_requests


OfflineRequestsDep = Annotated[OfflineRequests, Depends(_offline_requests)]


@router.post("/{conversation_id}/offline-requests", status_code=status.HTTP_201_CREATED)
async def leave_message(
    body: OfflineRequestIn, conversation: CustomerConversation, service: OfflineRequestsDep
) -> OfflineRequestOut:
    try:
        return await service.leave(
            conversation,
            email=body.email,
            message=body.message,
            language=body.language or conversation.language,
        )
    except TooManyOfflineRequests:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"at most {service.max_per_conversation} messages per conversation",
        ) from None
