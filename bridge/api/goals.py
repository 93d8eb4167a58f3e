"""Goals the host page reports through the widget (see services/goals.py)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, StringConstraints

from bridge.api.deps import CustomerConversation, ServicesDep
from bridge.api.params import NoNul
from bridge.services.goals import GoalService, TooManyGoals

router = APIRouter(prefix="/api/conversations", tags=["conversations"])
# The same names the widget's loader accepts.
GoalName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")]


def _goals(services: ServicesDep) -> GoalService:
    return services.goals


GoalsDep = Annotated[GoalService, Depends(_goals)]


class GoalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal: GoalName
    page_url: Annotated[str, StringConstraints(max_length=2048), NoNul] | None = None
    # When the page called track(). Accepted but not trusted: reports count the server's time.
    at: datetime | None = None


@router.post("/{conversation_id}/goals", status_code=status.HTTP_201_CREATED)
async def reach_goal(
    body: GoalIn, conversation: CustomerConversation, service: GoalsDep
) -> dict[str, int]:
    try:
        goal_id = await service.reach(
            conversation_id=conversation.id, goal=body.goal, page_url=body.page_url
        )
    except TooManyGoals as exc:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail=str(exc)) from exc
    return {"id": goal_id}
