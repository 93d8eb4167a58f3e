"""A returning customer's earlier chats, for the agent console's context panel."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel

from bridge.api.deps import ServicesDep
from bridge.api.params import ConversationIdPath, UtcDatetime
from bridge.api.staff_deps import require_role
from bridge.db.handoffs import UnknownConversation
from bridge.services import customer_history
from bridge.services.staff_auth import StaffMember

router = APIRouter(prefix="/api/staff", tags=["agent console"])
ChatAgent = Annotated[StaffMember, Depends(require_role("agent"))]


class ReturningOut(BaseModel):
    earlier_chats: int
    last_nps: int | None


class EarlierChatOut(BaseModel):
    conversation_id: str
    started_at: UtcDatetime
    language: str
    topic: str | None
    outcome: customer_history.Outcome
    agent: str | None
    nps_score: int | None


class HistoryOut(BaseModel):
    conversation_id: str
    summary: ReturningOut
    chats: list[EarlierChatOut]


@router.get("/conversations/{conversation_id}/history")
async def history(
    conversation_id: ConversationIdPath, _member: ChatAgent, services: ServicesDep
) -> HistoryOut:
    """The visitor's earlier chats, newest first (at most 20), and how many there are."""
    try:
        async with services.sessions() as session:
            found = await customer_history.history(session=session, conversation_id=conversation_id)
    except UnknownConversation as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown conversation") from exc
    return HistoryOut.model_validate(found, from_attributes=True)
