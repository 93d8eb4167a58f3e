"""Agent presence: agents say whether they take chats; everyone on staff sees who is around."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from bridge.api.deps import services as services_of
from bridge.api.staff_deps import CHAT_ROLES, CsrfChecked, CurrentStaff, PresenceDep, require_role
from bridge.db import users
from bridge.services.ports import PresenceStatus
from bridge.services.staff_auth import StaffMember

router = APIRouter(prefix="/api/staff", tags=["staff"])
ChatStaff = Annotated[StaffMember, Depends(require_role("agent"))]


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: PresenceStatus


class PresenceOut(BaseModel):
    status: PresenceStatus


class AgentOut(BaseModel):
    id: int
    display_name: str
    role: str
    status: PresenceStatus


class AgentsOut(BaseModel):
    agents: list[AgentOut]


@router.put("/presence")
async def set_presence(
    body: PresenceIn, member: ChatStaff, _csrf: CsrfChecked, presence: PresenceDep
) -> PresenceOut:
    await presence.set_status(member.id, body.status)
    return PresenceOut(status=await presence.status(member.id))


@router.post("/heartbeat")
async def heartbeat(member: ChatStaff, _csrf: CsrfChecked, presence: PresenceDep) -> PresenceOut:
    """Activity while the console sits idle on screen (the request itself counts)."""
    return PresenceOut(status=await presence.status(member.id))


@router.get("/agents")
async def agents(_member: CurrentStaff, request: Request, presence: PresenceDep) -> AgentsOut:
    """Everyone who can take chats (agents and admins, enabled), with their presence."""
    async with services_of(request).sessions() as session:
        accounts = await users.list_users(session=session)
    return AgentsOut(
        agents=[
            AgentOut(
                id=user.id,
                display_name=user.display_name,
                role=user.role,
                status=await presence.status(user.id),
            )
            for user in accounts
            if user.role in CHAT_ROLES and not user.disabled
        ]
    )
