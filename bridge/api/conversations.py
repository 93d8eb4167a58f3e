"""Customer conversations: start one, read its transcript."""

import math
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status

from bridge.api.deps import ChatDep, CustomerConversation, ServicesDep, client_ip
from bridge.api.params import AfterSeq
from bridge.schemas import ConversationCreate, ConversationCreated, Transcript
from bridge.services.conversation_limits import TooManyConversations

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={429: {"description": "Too many new conversations from this address or visitor"}},
)
async def start_conversation(
    body: ConversationCreate, request: Request, chat: ChatDep, services: ServicesDep
) -> ConversationCreated:
    try:
        await services.conversation_limits.admit(
            client_ip=client_ip(request), visitor_id=body.visitor_id
        )
    except TooManyConversations as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="too many new conversations; try again later",
            headers={"Retry-After": str(math.ceil(exc.retry_after_s))},
        ) from exc
    return await chat.start(body)


@router.get("/{conversation_id}/messages")
async def read_messages(
    conversation: CustomerConversation,
    chat: ChatDep,
    after: AfterSeq = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Transcript:
    messages = await chat.transcript(conversation.id, after=after, limit=limit)
    return Transcript(
        conversation_id=conversation.id, status=conversation.status, messages=messages
    )
