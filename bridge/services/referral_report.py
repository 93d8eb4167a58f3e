"""The referral report: how customers found us ("How did you hear about us?", asked once per
customer, bridge.services.referrals), by language and by day, week or month, next to the NPS.

Counted by when the question was asked (a cohort, as the review report counts invitations):
`asked` questions, `answered` (any answer, "skipped" included), `skipped`, and `named` (a real
source). Each source's share is of `named`; the **referral rate** is the friend-or-family share
of `named`. A question never answered (the customer went on with something else) counts as
asked only.

Relation to the NPS, three ways:

- each row carries the NPS (and the promoters' share) of the surveys answered among those asked
  in its bucket and language, as the NPS report counts them, so a chart can draw both lines;
- per source, the NPS of the customers who named it: for each named answer, the latest score
  (by asking time) that the same customer gave in the period, in any language: the same
  `customer_id` when the referral's conversation is identified, else the same `visitor_id`, else
  the same conversation; customers without a score are left out (`nps_n` says how many count).
  "Everyone else" next to friend or family is the customers who named another source;
- "do promoters' referrals show up?": the Pearson correlation between each bucket's promoters'
  share of NPS answers and the *next* bucket's referral rate (the languages of the report taken
  together), over the pairs of consecutive buckets where both are defined (the later one has at
  least one named answer, the earlier one an NPS answer); None below `MIN_PAIRS` pairs or when
  either series is constant. A positive value says more promoters were followed by more
  friend-or-family customers; it shows a tendency, not a cause.
"""

import itertools
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bridge.db.models import REFERRAL_SOURCES, NpsSurvey, ReferralAnswer
from bridge.services import nps_stats
from bridge.services.referral_nps import SKIPPED, answered_surveys, in_period, scores_by_source
from bridge.services.report_period import Period
from bridge.services.reports import percent
from bridge.services.review_report import Granularity, bucket_start, bucket_starts
from knowledge_base.text import LANGUAGES

FRIEND_FAMILY = "friend_family"
MIN_PAIRS = 4


@dataclass(frozen=True)
class SourceFigures:
    source: str
    count: int
    share_pct: float | None  # of the named answers
    # The NPS of the customers who named it (see the module docstring), and how many had a score.
    nps: float | None
    nps_n: int


@dataclass(frozen=True)
class ReferralRow:
    period_start: date
    language: str
    asked: int
    answered: int
    skipped: int
    named: int
    friend_family: int
    sources: dict[str, int]  # every REFERRAL_SOURCES entry, zeros included
    referral_rate_pct: float | None
    # The surveys answered among those asked in this bucket and language.
    nps: float | None
    promoter_share_pct: float | None
    nps_responses: int


@dataclass(frozen=True)
class ReferralReport:
    period: Period
    language: str | None
    by: Granularity
    asked: int
    answered: int
    skipped: int
    named: int
    answer_rate_pct: float | None
    referral_rate_pct: float | None
    top_source: str | None  # the most named source (ties: REFERRAL_SOURCES order)
    sources: list[SourceFigures]
    friend_family_nps: float | None
    friend_family_nps_n: int
    others_nps: float | None
    others_nps_n: int
    promoter_referral_correlation: float | None
    correlation_pairs: int
    rows: list[ReferralRow]


def _day(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC day of a timestamp, as the database computes it: grouping by day keeps the rows
    that come back to at most a few thousand, whatever the traffic."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)  # SQLite keeps the UTC time as text, which date() reads


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass
class _Tally:
    asked: int = 0
    answers: Counter[str] = field(default_factory=Counter)

    def add(self, source: str | None, count: int) -> None:
        self.asked += count
        if source is not None:
            self.answers[source] += count

    @property
    def answered(self) -> int:
        return sum(self.answers.values())

    @property
    def named(self) -> int:
        return self.answered - self.answers[SKIPPED]


def _nps(counts: Counter[int]) -> nps_stats.NpsSummary | None:
    return nps_stats.summarize(counts.elements())


async def _referral_counts(
    session: AsyncSession, period: Period, language: str | None, day: ColumnElement[Any]
) -> list[tuple[date, str, str | None, int]]:
    query = select(day, ReferralAnswer.language, ReferralAnswer.source, func.count()).where(
        *in_period(ReferralAnswer.asked_at, period)
    )
    if language is not None:
        query = query.where(ReferralAnswer.language == language)
    query = query.group_by(day, ReferralAnswer.language, ReferralAnswer.source)
    return [
        (_as_date(d), lang, source, int(n)) for d, lang, source, n in (await session.execute(query))
    ]


async def _nps_counts(
    session: AsyncSession, period: Period, language: str | None, day: ColumnElement[Any]
) -> list[tuple[date, str, int, int]]:
    query = select(day, NpsSurvey.language, NpsSurvey.score, func.count()).where(
        *answered_surveys(period)
    )
    if language is not None:
        query = query.where(NpsSurvey.language == language)
    query = query.group_by(day, NpsSurvey.language, NpsSurvey.score)
    return [
        (_as_date(d), lang, int(score), int(n))
        for d, lang, score, n in (await session.execute(query))
    ]


def _correlation(pairs: list[tuple[float, float]]) -> float | None:
    if len(pairs) < MIN_PAIRS:
        return None
    try:
        return statistics.correlation([p for p, _ in pairs], [r for _, r in pairs])
    except statistics.StatisticsError:  # a constant series has no correlation
        return None


def _lagged_pairs(
    starts: list[date], referrals: dict[date, _Tally], nps: dict[date, Counter[int]]
) -> list[tuple[float, float]]:
    pairs = []
    for earlier, later in itertools.pairwise(starts):
        tally, counts = referrals.get(later), nps.get(earlier)
        summary = _nps(counts) if counts else None
        if tally is None or not tally.named or summary is None:
            continue
        promoters = summary.promoters * 100 / summary.responses
        pairs.append((promoters, tally.answers[FRIEND_FAMILY] * 100 / tally.named))
    return pairs


def _row(start: date, language: str, tally: _Tally, scores: Counter[int] | None) -> ReferralRow:
    summary = _nps(scores) if scores else None
    return ReferralRow(
        period_start=start,
        language=language,
        asked=tally.asked,
        answered=tally.answered,
        skipped=tally.answers[SKIPPED],
        named=tally.named,
        friend_family=tally.answers[FRIEND_FAMILY],
        sources={s: tally.answers[s] for s in REFERRAL_SOURCES},
        referral_rate_pct=percent(tally.answers[FRIEND_FAMILY], tally.named),
        nps=summary.nps if summary else None,
        promoter_share_pct=percent(summary.promoters, summary.responses) if summary else None,
        nps_responses=summary.responses if summary else 0,
    )


def _with_scores(scores: Counter[int]) -> tuple[float | None, int]:
    summary = _nps(scores)
    return (summary.nps, summary.responses) if summary else (None, 0)


async def referral_report(
    *, session: AsyncSession, period: Period, language: str | None, by: Granularity = "week"
) -> ReferralReport:
    dialect = session.get_bind().dialect.name
    referral_day = _day(ReferralAnswer.asked_at, dialect)
    survey_day = _day(NpsSurvey.asked_at, dialect)

    total = _Tally()
    groups: dict[tuple[date, str], _Tally] = defaultdict(_Tally)
    per_bucket: dict[date, _Tally] = defaultdict(_Tally)
    for day, lang, source, n in await _referral_counts(session, period, language, referral_day):
        start = bucket_start(day, by)
        for tally in (total, groups[(start, lang)], per_bucket[start]):
            tally.add(source, n)

    nps_groups: dict[tuple[date, str], Counter[int]] = defaultdict(Counter)
    nps_per_bucket: dict[date, Counter[int]] = defaultdict(Counter)
    for day, lang, score, n in await _nps_counts(session, period, language, survey_day):
        start = bucket_start(day, by)
        nps_groups[(start, lang)][score] += n
        nps_per_bucket[start][score] += n

    starts = bucket_starts(period, by)
    languages = [language] if language is not None else list(LANGUAGES)
    rows = [
        _row(start, lang, groups.get((start, lang), _Tally()), nps_groups.get((start, lang)))
        for start in starts
        for lang in languages
    ]

    scores = await scores_by_source(session, period, language, dialect)
    sources = []
    for source in REFERRAL_SOURCES:
        nps, nps_n = _with_scores(scores.get(source, Counter()))
        count = total.answers[source]
        sources.append(SourceFigures(source, count, percent(count, total.named), nps, nps_n))
    others: Counter[int] = Counter()
    for source, counts in scores.items():
        if source != FRIEND_FAMILY:
            others.update(counts)
    friend_nps, friend_n = _with_scores(scores.get(FRIEND_FAMILY, Counter()))
    others_nps, others_n = _with_scores(others)
    top = max(sources, key=lambda s: s.count) if total.named else None
    pairs = _lagged_pairs(starts, per_bucket, nps_per_bucket)
    return ReferralReport(
        period=period,
        language=language,
        by=by,
        asked=total.asked,
        answered=total.answered,
        skipped=total.answers[SKIPPED],
        named=total.named,
        answer_rate_pct=percent(total.answered, total.asked),
        referral_rate_pct=percent(total.answers[FRIEND_FAMILY], total.named),
        top_source=top.source if top else None,
        sources=sources,
        friend_family_nps=friend_nps,
        friend_family_nps_n=friend_n,
        others_nps=others_nps,
        others_nps_n=others_n,
        promoter_referral_correlation=_correlation(pairs),
        correlation_pairs=len(pairs),
        rows=rows,
    )
