"""A customer leaves a message when nobody can chat (the widget's "Leave a message" form)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from bridge import i18n
from bridge.api.deps import CustomerConversation
from bridge.db import agent_records, repository
from bridge.db.users import normalize_email
from bridge.schemas import Language, MessageOut
from bridge.services.chat import clean_text
from bridge.services.handoff import QUEUE_KEY

router = APIRouter(prefix="/api/conversations", tags=["conversations"])
# Enough for a correction or two; more from one chat is a script, not a customer.
MAX_PER_CONVERSATION = 3


class OfflineRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(max_length=254)]
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


class OfflineRequestOut(BaseModel):
    id: int
    conversation_id: str
    email: str
    message: str
    language: str
    created_at: datetime


@router.post("/{conversation_id}/offline-requests", status_code=status.HTTP_201_CREATED)
async def leave_message(
    body: OfflineRequestIn, conversation: CustomerConversation, request: Request
) -> OfflineRequestOut:
    services = request.app.state.services
    language = body.language or conversation.language
    async with services.sessions.begin() as session:
        count = await agent_records.count_offline_requests(
            session=session, conversation_id=conversation.id
        )
        if count >= MAX_PER_CONVERSATION:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail=f"at most {MAX_PER_CONVERSATION} messages per conversation",
            )
        row = await agent_records.add_offline_request(
            session=session,
            conversation_id=conversation.id,
            email=body.email,
            message=body.message,
            language=language,
        )
        line = await repository.append_message(
            session=session,
            conversation_id=conversation.id,
            role="system",
            text=i18n.text("message_left", language, email=body.email),
        )
        out = OfflineRequestOut.model_validate(row, from_attributes=True)
    services.hub.publish(conversation.id, MessageOut.from_row(line).event())
    notice = {"type": "offline_request", "request": out.model_dump(mode="json")}
    services.hub.publish(QUEUE_KEY, notice)
    return out
