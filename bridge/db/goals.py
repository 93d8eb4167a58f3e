"""SQL for the goals host pages report: keyword-only functions; callers own the transaction."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import Goal


async def count_goals(*, session: AsyncSession, conversation_id: str) -> int:
    found = await session.scalar(
        select(func.count()).select_from(Goal).where(Goal.conversation_id == conversation_id)
    )
    return int(found or 0)


async def add_goal(
    *, session: AsyncSession, conversation_id: str, goal: str, page_url: str | None
) -> Goal:
    row = Goal(conversation_id=conversation_id, goal=goal, page_url=page_url)
    session.add(row)
    await session.flush()
    return row
