"""Conversion rate: conversations in which the host page reported a goal (by default
"conversion") ÷ conversations started in the period × 100."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import Conversation, Goal
from bridge.services.report_period import Period
from bridge.services.reports import percent


@dataclass(frozen=True)
class ConversionReport:
    period: Period
    language: str | None
    goal: str
    conversations: int
    converted: int
    conversion_rate_pct: float | None


async def conversion_report(
    *, session: AsyncSession, period: Period, language: str | None, goal: str = "conversion"
) -> ConversionReport:
    started = select(Conversation.id).where(
        Conversation.created_at >= period.since, Conversation.created_at < period.until
    )
    if language is not None:
        started = started.where(Conversation.language == language)
    ids = started.subquery()
    conversations = await session.scalar(select(func.count()).select_from(ids))
    converted = await session.scalar(
        select(func.count(func.distinct(Goal.conversation_id))).where(
            Goal.goal == goal, Goal.conversation_id.in_(select(ids.c.id))
        )
    )
    total, hits = int(conversations or 0), int(converted or 0)
    return ConversionReport(period, language, goal, total, hits, percent(hits, total))
