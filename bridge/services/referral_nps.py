"""The NPS of the customers who named each referral source (bridge.services.referral_report):
for each named answer, the latest score the same person gave in the period, in any language;
the person is the `customer_id` when the referral's conversation is identified, else its
`visitor_id`, else the conversation itself."""

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import case, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bridge.db.models import Conversation, NpsSurvey, ReferralAnswer
from bridge.services.report_period import Period

SKIPPED = "skipped"


def in_period(column: Any, period: Period) -> list[ColumnElement[bool]]:
    return [column >= period.since, column < period.until]


def answered_surveys(period: Period) -> list[ColumnElement[bool]]:
    return [
        *in_period(NpsSurvey.asked_at, period),
        NpsSurvey.status == "answered",
        NpsSurvey.score.is_not(None),
    ]


def _named_in_period(period: Period, language: str | None) -> list[ColumnElement[bool]]:
    where = [
        *in_period(ReferralAnswer.asked_at, period),
        ReferralAnswer.source.is_not(None),
        ReferralAnswer.source != SKIPPED,
    ]
    if language is not None:
        where.append(ReferralAnswer.language == language)
    return where


def _looked_up(period: Period, language: str | None) -> Any:
    """(source, score) per named answer: one correlated "latest survey" look-up each, through
    the index of the way the person matches. SQLite's way: its joins started from the surveys."""
    asked = Conversation.__table__.alias("asked")  # the referral's conversation
    surveyed = Conversation.__table__.alias("surveyed")  # a survey's conversation

    def latest(*match: ColumnElement[bool], join: bool = False) -> Any:
        source: Any = NpsSurvey.__table__
        if join:
            source = source.join(surveyed, surveyed.c.id == NpsSurvey.conversation_id)
        return (
            select(NpsSurvey.score)
            .select_from(source)
            .where(*match, *answered_surveys(period))
            .order_by(NpsSurvey.asked_at.desc(), NpsSurvey.id.desc())
            .limit(1)
            .correlate(ReferralAnswer.__table__, asked)
            .scalar_subquery()
        )

    score = case(
        (
            asked.c.customer_id.is_not(None),
            latest(surveyed.c.customer_id == asked.c.customer_id, join=True),
        ),
        (asked.c.visitor_id.is_not(None), latest(NpsSurvey.visitor_id == asked.c.visitor_id)),
        else_=latest(NpsSurvey.conversation_id == ReferralAnswer.conversation_id),
    )
    # Materialized, so the look-ups run once per answer, not again for the outer WHERE and
    # GROUP BY that SQLite would otherwise copy them into.
    return (
        select(ReferralAnswer.source.label("source"), score.label("score"))
        .join(asked, asked.c.id == ReferralAnswer.conversation_id)
        .where(*_named_in_period(period, language))
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )


def _joined(period: Period, language: str | None) -> Any:
    """(source, score) per named answer whose person has a score: each way of matching a person
    a plain join of its own, a window keeping each answer's latest score. PostgreSQL's way: for
    the look-ups it walked the surveys' time index backwards per answer (0.7 s over 90 days)."""
    asked = Conversation.__table__.alias("asked")
    surveyed = Conversation.__table__.alias("surveyed")
    columns = (
        ReferralAnswer.id.label("answer"),
        ReferralAnswer.source.label("source"),
        NpsSurvey.score.label("score"),
        NpsSurvey.asked_at.label("surveyed_at"),
        NpsSurvey.id.label("survey"),
    )
    where = [*_named_in_period(period, language), *answered_surveys(period)]

    def matches(*joins: tuple[Any, ColumnElement[bool]], only: ColumnElement[bool]) -> Any:
        query = select(*columns).join(asked, asked.c.id == ReferralAnswer.conversation_id)
        for table, on in joins:
            query = query.join(table, on)
        return query.where(*where, only)

    identified = asked.c.customer_id.is_not(None)
    anonymous = asked.c.customer_id.is_(None)
    matched = union_all(
        matches(
            (surveyed, surveyed.c.customer_id == asked.c.customer_id),
            (NpsSurvey, NpsSurvey.conversation_id == surveyed.c.id),
            only=identified,
        ),
        matches(
            (NpsSurvey, NpsSurvey.visitor_id == asked.c.visitor_id),
            only=anonymous & asked.c.visitor_id.is_not(None),
        ),
        matches(
            (NpsSurvey, NpsSurvey.conversation_id == ReferralAnswer.conversation_id),
            only=anonymous & asked.c.visitor_id.is_(None),
        ),
    ).subquery()
    rank = (
        func.row_number()
        .over(
            partition_by=matched.c.answer,
            order_by=(matched.c.surveyed_at.desc(), matched.c.survey.desc()),
        )
        .label("rank")
    )
    ranked = select(matched.c.source, matched.c.score, rank).subquery()
    return select(ranked.c.source, ranked.c.score).where(ranked.c.rank == 1).subquery()


async def scores_by_source(
    session: AsyncSession, period: Period, language: str | None, dialect: str
) -> dict[str, Counter[int]]:
    """Per named source, how many of its customers' latest scores in the period were each
    score. The two databases' planners each did well with a different query (both tested)."""
    matched = (_joined if dialect == "postgresql" else _looked_up)(period, language)
    rows = await session.execute(
        select(matched.c.source, matched.c.score, func.count())
        .where(matched.c.score.is_not(None))
        .group_by(matched.c.source, matched.c.score)
    )
    scores: dict[str, Counter[int]] = defaultdict(Counter)
    for source, value, n in rows:
        scores[source][int(value)] += int(n)
    return scores
