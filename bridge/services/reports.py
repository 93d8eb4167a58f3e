"""Support-metrics reports over a period of whole days (UTC): NPS, answer helpfulness and
conversations (handoffs, containment, queue wait, first agent response).

Counting happens in the database (GROUP BY, correlated subqueries); only small aggregates
come back, plus one row of timestamps per handoff for the wait-time percentiles, which the
two supported databases cannot compute the same way in SQL.
"""

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import feedback
from bridge.db.models import Conversation, Handoff, Message, NpsSurvey
from bridge.services import nps_stats
from bridge.services.report_period import Period


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else part * 100 / whole


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- NPS -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekNps:
    week_start: date
    nps: float | None
    responses: int


@dataclass(frozen=True)
class NpsReport:
    period: Period
    language: str | None
    asked: int
    answered: int
    response_rate_pct: float | None
    summary: nps_stats.NpsSummary | None
    weekly: list[WeekNps]


def _scores(counts: Iterable[tuple[int, int]]) -> Iterable[int]:
    return itertools.chain.from_iterable(itertools.repeat(score, n) for score, n in counts)


async def nps_report(*, session: AsyncSession, period: Period, language: str | None) -> NpsReport:
    """Surveys asked in the period; the NPS over those answered, overall and per ISO week."""
    where = [NpsSurvey.asked_at >= period.since, NpsSurvey.asked_at < period.until]
    if language is not None:
        where.append(NpsSurvey.language == language)
    asked = await session.scalar(select(func.count()).select_from(NpsSurvey).where(*where)) or 0
    weeks = period.week_starts()
    # Week number of each survey, computed the same way on SQLite and PostgreSQL.
    boundaries = [datetime.combine(w + timedelta(weeks=1), time(), UTC) for w in weeks]
    week = case(
        *((NpsSurvey.asked_at < bound, index) for index, bound in enumerate(boundaries)),
        else_=len(weeks) - 1,
    )
    answered_rows = await session.execute(
        select(week, NpsSurvey.score, func.count())
        .where(*where, NpsSurvey.status == "answered", NpsSurvey.score.is_not(None))
        .group_by(week, NpsSurvey.score)
    )
    per_week: dict[int, list[tuple[int, int]]] = {}
    for index, score, count in answered_rows.all():
        per_week.setdefault(int(index), []).append((int(score), int(count)))
    overall = [pair for pairs in per_week.values() for pair in pairs]
    answered = sum(count for _score, count in overall)
    weekly = []
    for index, start in enumerate(weeks):
        summary = nps_stats.summarize(_scores(per_week.get(index, [])))
        weekly.append(
            WeekNps(start, summary.nps if summary else None, summary.responses if summary else 0)
        )
    rate = nps_stats.response_rate(answered, asked)
    return NpsReport(
        period=period,
        language=language,
        asked=asked,
        answered=answered,
        response_rate_pct=None if rate is None else rate * 100,
        summary=nps_stats.summarize(_scores(overall)),
        weekly=weekly,
    )


# --- helpfulness -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleHelpfulness:
    article_id: str
    helpful: int
    not_helpful: int
    rate_pct: float | None


@dataclass(frozen=True)
class HelpfulReport:
    period: Period
    language: str | None
    helpful: int
    not_helpful: int
    rate_pct: float | None
    articles: list[ArticleHelpfulness]


async def helpful_report(
    *, session: AsyncSession, period: Period, language: str | None
) -> HelpfulReport:
    """ "Helpful" votes on answers given in the period, overall and per article."""
    votes = await feedback.votes_by_article(
        session=session, since=period.since, until=period.until, language=language
    )
    articles = [
        ArticleHelpfulness(article_id, h, n, percent(h, h + n))
        for article_id, (h, n) in sorted(votes.items())
    ]
    helpful = sum(a.helpful for a in articles)
    not_helpful = sum(a.not_helpful for a in articles)
    return HelpfulReport(
        period=period,
        language=language,
        helpful=helpful,
        not_helpful=not_helpful,
        rate_pct=percent(helpful, helpful + not_helpful),
        articles=articles,
    )


# --- conversations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationReport:
    """Over conversations started in the period with at least one customer message, and
    the handoffs of those conversations. The first response of a handoff is its conversation's
    first agent message from the claim until the handoff ended."""

    period: Period
    language: str | None
    conversations: int
    handoffs: int
    with_handoff: int
    handoff_rate_pct: float | None
    containment_pct: float | None
    claimed: int
    queue_wait_median_s: float | None
    queue_wait_p90_s: float | None
    answered_by_agent: int
    first_response_median_s: float | None
    first_response_p90_s: float | None


def _asked_conversations(period: Period, language: str | None) -> Select[Any]:
    customer_spoke = (
        select(Message.id)
        .where(Message.conversation_id == Conversation.id, Message.role == "customer")
        .exists()
    )
    query = select(Conversation.id).where(
        Conversation.created_at >= period.since,
        Conversation.created_at < period.until,
        customer_spoke,
    )
    if language is not None:
        query = query.where(Conversation.language == language)
    return query


def _seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


async def conversation_report(
    *, session: AsyncSession, period: Period, language: str | None
) -> ConversationReport:
    cohort = _asked_conversations(period, language).subquery()
    conversations = await session.scalar(select(func.count()).select_from(cohort)) or 0
    first_agent_message = (
        select(func.min(Message.created_at))
        .where(
            Message.conversation_id == Handoff.conversation_id,
            Message.role == "agent",
            Message.created_at >= Handoff.claimed_at,
            # Within this handoff: a later handoff's agent did not answer this one.
            or_(Handoff.ended_at.is_(None), Message.created_at <= Handoff.ended_at),
        )
        .scalar_subquery()
    )
    # One row per handoff of the cohort (a few per cent of the conversations): counted here,
    # so that the cohort, the costly part, is found once more rather than twice.
    handoff_rows = (
        await session.execute(
            select(
                Handoff.conversation_id,
                Handoff.created_at,
                Handoff.claimed_at,
                first_agent_message,
            ).where(Handoff.conversation_id.in_(select(cohort.c.id)))
        )
    ).all()
    handoffs = len(handoff_rows)
    with_handoff = len({conversation_id for conversation_id, *_times in handoff_rows})
    waits: list[float] = []
    responses: list[float] = []
    for _conversation_id, created, claimed, first in handoff_rows:
        if claimed is None:
            continue
        waits.append(_seconds(claimed, created))
        if first is not None:
            responses.append(_seconds(first, claimed))
    return ConversationReport(
        period=period,
        language=language,
        conversations=conversations,
        handoffs=handoffs,
        with_handoff=with_handoff,
        handoff_rate_pct=percent(with_handoff, conversations),
        containment_pct=percent(conversations - with_handoff, conversations),
        claimed=len(waits),
        queue_wait_median_s=percentile(waits, 0.5),
        queue_wait_p90_s=percentile(waits, 0.9),
        answered_by_agent=len(responses),
        first_response_median_s=percentile(responses, 0.5),
        first_response_p90_s=percentile(responses, 0.9),
    )
