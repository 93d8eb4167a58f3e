"""Customer conversations: start one, read its transcript."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from bridge.api.deps import ChatDep, CustomerConversation
from bridge.schemas import ConversationCreate, ConversationCreated, Transcript

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def start_conversation(body: ConversationCreate, chat: ChatDep) -> ConversationCreated:
    return await chat.start(body)


@router.get("/{conversation_id}/messages")
async def read_messages(
    conversation: CustomerConversation,
    chat: ChatDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Transcript:
    messages = await chat.transcript(conversation.id, after=after, limit=limit)
    return Transcript(
        conversation_id=conversation.id, status=conversation.status, messages=messages
    )
