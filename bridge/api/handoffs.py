"""Handoffs to human agents: the action server queues them; the queue can be read.

Both routes take the service token for now; the agent console will read the queue with agent
sessions in a later slice.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bridge.api.deps import services as services_of
from bridge.api.params import NoNul, UtcDatetime
from bridge.api.service_auth import ServiceCaller
from bridge.db import handoffs
from bridge.db.models import Handoff
from bridge.schemas import Language
from bridge.services.handoff import Unavailable

router = APIRouter(prefix="/api/handoffs", tags=["handoffs"])

MAX_ARTICLES = 10


class ArticleRef(BaseModel):
    """A knowledge-base article the bot offered before giving up."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(min_length=1, max_length=100), NoNul]
    title: Annotated[str, StringConstraints(max_length=200), NoNul]
    score: float = Field(allow_inf_nan=False)


class HandoffContext(BaseModel):
    """What the agent sees first: the question the bot could not settle, and what it tried."""

    model_config = ConfigDict(extra="forbid")

    last_question: Annotated[str, StringConstraints(max_length=2000), NoNul] | None = None
    language: Language | None = None
    articles: list[ArticleRef] = Field(default_factory=list, max_length=MAX_ARTICLES)


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: Annotated[str, StringConstraints(min_length=1, max_length=36), NoNul]
    reason: handoffs.Reason
    context: HandoffContext = Field(default_factory=HandoffContext)


class HandoffQueued(BaseModel):
    """`position` and `estimated_wait_s` are None once an agent has claimed the handoff
    (a retried request after the claim gets the same handoff back)."""

    handoff_id: int
    status: str
    position: int | None
    estimated_wait_s: int | None


class QueuedHandoff(BaseModel):
    """`position` counts the customers on the page; None for one who left it (since
    `customer_left_at`: bridge.services.queue_hygiene)."""

    handoff_id: int
    conversation_id: str
    position: int | None
    reason: str
    context: dict[str, Any]
    created_at: UtcDatetime
    customer_left_at: UtcDatetime | None = None


class HandoffUnavailable(BaseModel):
    """Nobody can take the chat now; the customer may leave a message instead."""

    status: Literal["offline"] = "offline"
    reason: Literal["no_agents", "outside_hours"]
    hours: str


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=HandoffQueued,
    responses={200: {"model": HandoffUnavailable, "description": "nobody can take it now"}},
)
async def open_handoff(
    body: HandoffIn, _caller: ServiceCaller, request: Request
) -> HandoffQueued | JSONResponse:
    """Queue the conversation for an agent (201; repeating the request returns the same
    handoff), or 200 with why nobody can take it now: no agent online, or outside hours."""
    service = services_of(request).handoffs
    try:
        outcome = await service.request(
            conversation_id=body.conversation_id,
            reason=body.reason,
            context=body.context.model_dump(mode="json"),
        )
    except handoffs.UnknownConversation as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown conversation") from exc
    except handoffs.ConversationClosed as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="conversation closed") from exc
    if isinstance(outcome, Unavailable):
        unavailable = HandoffUnavailable(reason=outcome.reason, hours=outcome.hours)
        return JSONResponse(unavailable.model_dump(), status_code=status.HTTP_200_OK)
    return HandoffQueued(
        handoff_id=outcome.handoff_id,
        status=outcome.status,
        position=outcome.position,
        estimated_wait_s=outcome.estimated_wait_s,
    )


@router.get("/queue")
async def waiting(_caller: ServiceCaller, request: Request) -> list[QueuedHandoff]:
    """The waiting handoffs: the customers on the page, longest-waiting first, then those
    who left it."""
    async with services_of(request).sessions() as session:
        rows = await handoffs.queue(session=session)
    present = [row for row in rows if row.customer_left_at is None]
    gone = [row for row in rows if row.customer_left_at is not None]
    return [
        *(_queued(row, place) for place, row in enumerate(present, start=1)),
        *(_queued(row, None) for row in gone),
    ]


def _queued(row: Handoff, place: int | None) -> QueuedHandoff:
    return QueuedHandoff(
        handoff_id=row.id,
        conversation_id=row.conversation_id,
        position=place,
        reason=row.reason,
        context=row.context,
        created_at=row.created_at,
        customer_left_at=row.customer_left_at,
    )
