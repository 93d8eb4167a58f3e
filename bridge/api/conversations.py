"""Customer conversations: start one, read its transcript."""

import logging
import math
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request, status
from pydantic import BaseModel

from bridge.api.deps import ChatDep, CustomerConversation, ServicesDep, client_ip
from bridge.api.params import REFUSED, AfterSeq
from bridge.db.customer_identity import IdentityConflict
from bridge.schemas import ConversationCreate, ConversationCreated, Transcript
from bridge.services.container import Services
from bridge.services.conversation_limits import TooManyConversations
from bridge.services.identity import IdentityRefused, IdentityVerifier

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


class IdentityAccepted(BaseModel):
    customer_id: str


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
    customer = _verifier(services).verify_or_none(body.customer)
    return await chat.start(body, customer=customer)


def _verifier(services: Services) -> IdentityVerifier:
    settings = services.settings
    return IdentityVerifier(
        secret=settings.identity_secret, allowed_attributes=settings.identity_attribute_names
    )


@router.post(
    "/{conversation_id}/identity",
    # 422: the identity is not trusted (bad signature, too large, junk), said in a sentence.
    responses={409: {"description": "The conversation belongs to another customer"}, **REFUSED},
)
async def identify(
    conversation: CustomerConversation,
    chat: ChatDep,
    services: ServicesDep,
    body: Annotated[Any, Body()],
) -> IdentityAccepted:
    """Identify a running conversation: the page signed its customer in after the chat began
    (or the widget resumed a conversation). Refusals change nothing; the chat goes on."""
    try:
        customer = _verifier(services).verify(body)
    except IdentityRefused as exc:
        log.warning("customer identity refused (%s); the chat goes on anonymously", exc.code)
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"identity refused: {exc.code}"
        ) from exc
    try:
        await chat.identify(conversation.id, customer)
    except IdentityConflict as exc:
        log.warning("customer identity refused: conversation belongs to another customer")
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail="this conversation belongs to another customer"
        ) from exc
    return IdentityAccepted(customer_id=customer.id)


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
