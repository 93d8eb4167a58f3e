"""Goals the host page reports through the widget (`SupportWidget.track("conversion")`).

Only goals reached during a conversation are stored: a conversion rate is conversations with
a conversion over conversations, so a goal without a conversation has nothing to count for.
"""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import goals

# A page that reports goals in a loop must not grow the table without bound.
MAX_GOALS_PER_CONVERSATION = 100


class TooManyGoals(Exception):
    def __init__(self) -> None:
        super().__init__(f"at most {MAX_GOALS_PER_CONVERSATION} goals per conversation")


class GoalService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def reach(self, *, conversation_id: str, goal: str, page_url: str | None) -> int:
        """Store the goal; its id. Raises `TooManyGoals`."""
        async with self._sessions.begin() as session:
            count = await goals.count_goals(session=session, conversation_id=conversation_id)
            if count >= MAX_GOALS_PER_CONVERSATION:
                raise TooManyGoals()
            row = await goals.add_goal(
                session=session, conversation_id=conversation_id, goal=goal, page_url=page_url
            )
            return row.id
