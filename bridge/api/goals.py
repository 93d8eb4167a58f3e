"""Goals the host page reports through the widget (`SupportWidget.track("conversion")`).

Only goals reached during a conversation are stored: a conversion rate is conversations with
a conversion over conversations, so a goal without a conversation has nothing to count for.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func, select

from bridge.api.deps import CustomerConversation
from bridge.db.models import Goal

router = APIRouter(prefix="/api/conversations", tags=["conversations"])
# The same names the widget's loader accepts.
GoalName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")]
# A page that reports goals in a loop must not grow the table without bound.
MAX_GOALS_PER_CONVERSATION = 100


class GoalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal: GoalName
    page_url: Annotated[str, StringConstraints(max_length=2048)] | None = None
    # When the page called track(). Accepted but not trusted: reports count the server's time.
    at: datetime | None = None


@router.post("/{conversation_id}/goals", status_code=status.HTTP_201_CREATED)
async def reach_goal(
    body: GoalIn, conversation: CustomerConversation, request: Request
) -> dict[str, int]:
    async with request.app.state.services.sessions.begin() as session:
        count = await session.scalar(
            select(func.count()).select_from(Goal).where(Goal.conversation_id == conversation.id)
        )
        if (count or 0) >= MAX_GOALS_PER_CONVERSATION:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail=f"at most {MAX_GOALS_PER_CONVERSATION} goals per conversation",
            )
        goal = Goal(conversation_id=conversation.id, goal=body.goal, page_url=body.page_url)
        session.add(goal)
        await session.flush()
        return {"id": goal.id}
