"""SQL for review links: keyword-only functions; callers own the transaction."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import ReviewClick, ReviewInvitation


async def add_invitation(
    *, session: AsyncSession, token: str, conversation_id: str, language: str, at: datetime
) -> ReviewInvitation:
    row = ReviewInvitation(
        token=token, conversation_id=conversation_id, language=language, invited_at=at
    )
    session.add(row)
    await session.flush()
    return row


async def invitation_by_token(*, session: AsyncSession, token: str) -> ReviewInvitation | None:
    found: ReviewInvitation | None = await session.scalar(
        select(ReviewInvitation).where(ReviewInvitation.token == token)
    )
    return found


async def add_click(*, session: AsyncSession, invitation_id: int, at: datetime) -> None:
    session.add(ReviewClick(invitation_id=invitation_id, clicked_at=at))
    await session.flush()
