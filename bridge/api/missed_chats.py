"""Missed chats for the agent console's "Messages left" panel: customers who left the queue
before an agent came (bridge.services.queue_hygiene), and marking one followed up.

The offline requests keep their own route (GET /api/staff/offline-requests, unchanged); the
console lists both in the one panel.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bridge.api.deps import ServicesDep
from bridge.api.params import RowId, UtcDatetime
from bridge.api.staff_deps import CsrfChecked, require_role
from bridge.schemas import Language
from bridge.services.handoff_views import Agent
from bridge.services.missed_chats import AlreadyHandled, MissedChats, UnknownMissedChat
from bridge.services.staff_auth import StaffMember

router = APIRouter(prefix="/api/staff/missed-chats", tags=["agent console"])
ChatAgent = Annotated[StaffMember, Depends(require_role("agent"))]


def _service(services: ServicesDep) -> MissedChats:
    return services.missed_chats


MissedChatsDep = Annotated[MissedChats, Depends(_service)]


class MissedChatOut(BaseModel):
    handoff_id: int
    conversation_id: str
    language: Language
    last_question: str | None
    waited_since: UtcDatetime
    missed_at: UtcDatetime
    email: str | None  # what the customer gave in the conversation, if anything


class MissedChatList(BaseModel):
    missed: list[MissedChatOut]


class Refused(BaseModel):
    detail: str
    code: Literal["unknown", "handled"]


@router.get("")
async def missed_chats(
    _member: ChatAgent,
    service: MissedChatsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MissedChatList:
    """Missed chats nobody has marked handled yet, newest first."""
    found = await service.open(limit)
    return MissedChatList(
        missed=[MissedChatOut.model_validate(chat, from_attributes=True) for chat in found]
    )


@router.post(
    "/{handoff_id}/handled",
    status_code=status.HTTP_204_NO_CONTENT,
    response_model=None,
    responses={404: {"model": Refused}, 409: {"model": Refused}},
)
async def mark_handled(
    handoff_id: RowId, member: ChatAgent, _csrf: CsrfChecked, service: MissedChatsDep
) -> JSONResponse | None:
    """The agent followed the missed chat up: it leaves every console's list. 404 `unknown`
    when no missed chat has that id; 409 `handled` when someone marked it first."""
    try:
        await service.mark_handled(
            handoff_id=handoff_id, agent=Agent(member.id, member.display_name)
        )
    except UnknownMissedChat:
        body = Refused(detail="no missed chat with that id", code="unknown")
        return JSONResponse(body.model_dump(), status_code=status.HTTP_404_NOT_FOUND)
    except AlreadyHandled:
        body = Refused(detail="already marked handled", code="handled")
        return JSONResponse(body.model_dump(), status_code=status.HTTP_409_CONFLICT)
    return None
