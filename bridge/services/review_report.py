"""Review tracking: promoters invited to leave a review, the invited conversations that used
the link, and the click rate, by language and by day, week or month, next to the NPS.

Clicks are attributed to the invitation (a cohort): a conversation invited in the period
counts as clicked when its link was ever used, so the rate never passes 100 %. A conversation
that clicked many times counts once; `clicks` keeps every use.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import NpsSurvey, ReviewClick, ReviewInvitation
from bridge.services import nps_stats
from bridge.services.report_period import Period
from bridge.services.reports import percent
from knowledge_base.text import LANGUAGES

Granularity = Literal["day", "week", "month"]


@dataclass(frozen=True)
class ReviewRow:
    period_start: date
    language: str
    invitations: int
    invited_conversations: int
    clicked_conversations: int
    clicks: int
    click_rate_pct: float | None


@dataclass(frozen=True)
class ReviewReport:
    period: Period
    language: str | None
    by: Granularity
    invitations: int
    invited_conversations: int
    clicked_conversations: int
    clicks: int
    click_rate_pct: float | None
    # Next to the NPS of the surveys asked in the period: invitations follow its promoters.
    nps: float | None
    promoters: int
    rows: list[ReviewRow]


def bucket_start(day: date, by: Granularity) -> date:
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def bucket_starts(period: Period, by: Granularity) -> list[date]:
    starts: list[date] = []
    day = period.start
    while day <= period.end:
        start = bucket_start(day, by)
        if not starts or starts[-1] != start:
            starts.append(start)
        day += timedelta(days=1)
    return starts


def _utc(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes, which were stored as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass
class _Tally:
    invitations: int = 0
    clicks: int = 0

    def __post_init__(self) -> None:
        self.invited: set[str] = set()
        self.clicked: set[str] = set()

    def add(self, conversation_id: str, clicks: int) -> None:
        self.invitations += 1
        self.clicks += clicks
        self.invited.add(conversation_id)
        if clicks:
            self.clicked.add(conversation_id)


async def _nps(
    session: AsyncSession, period: Period, language: str | None
) -> tuple[float | None, int]:
    where = [
        NpsSurvey.asked_at >= period.since,
        NpsSurvey.asked_at < period.until,
        NpsSurvey.status == "answered",
        NpsSurvey.score.is_not(None),
    ]
    if language is not None:
        where.append(NpsSurvey.language == language)
    rows = await session.execute(
        select(NpsSurvey.score, func.count()).where(*where).group_by(NpsSurvey.score)
    )
    scores = [
        int(score) for score, count in rows.all() if score is not None for _ in range(int(count))
    ]
    summary = nps_stats.summarize(scores)
    return (summary.nps, summary.promoters) if summary else (None, 0)


async def review_report(
    *, session: AsyncSession, period: Period, language: str | None, by: Granularity = "week"
) -> ReviewReport:
    # A correlated count per invitation reads the clicks' index for the period's invitations
    # only; joining a grouped subquery of all clicks let PostgreSQL pick a nested loop over it.
    clicks = (
        select(func.count())
        .where(ReviewClick.invitation_id == ReviewInvitation.id)
        .correlate(ReviewInvitation)
        .scalar_subquery()
    )
    query = select(
        ReviewInvitation.invited_at,
        ReviewInvitation.language,
        ReviewInvitation.conversation_id,
        clicks,
    ).where(
        ReviewInvitation.invited_at >= period.since,
        ReviewInvitation.invited_at < period.until,
    )
    if language is not None:
        query = query.where(ReviewInvitation.language == language)
    total = _Tally()
    groups: dict[tuple[date, str], _Tally] = defaultdict(_Tally)
    for invited_at, lang, conversation_id, n in (await session.execute(query)).all():
        total.add(conversation_id, int(n))
        groups[(bucket_start(_utc(invited_at).date(), by), lang)].add(conversation_id, int(n))
    languages = [language] if language is not None else list(LANGUAGES)
    rows = []
    for start in bucket_starts(period, by):
        for lang in languages:
            tally = groups.get((start, lang), _Tally())
            rows.append(
                ReviewRow(
                    start,
                    lang,
                    tally.invitations,
                    len(tally.invited),
                    len(tally.clicked),
                    tally.clicks,
                    percent(len(tally.clicked), len(tally.invited)),
                )
            )
    nps, promoters = await _nps(session, period, language)
    return ReviewReport(
        period=period,
        language=language,
        by=by,
        invitations=total.invitations,
        invited_conversations=len(total.invited),
        clicked_conversations=len(total.clicked),
        clicks=total.clicks,
        click_rate_pct=percent(len(total.clicked), len(total.invited)),
        nps=nps,
        promoters=promoters,
        rows=rows,
    )
