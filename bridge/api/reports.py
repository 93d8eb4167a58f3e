"""Support-metrics reports: NPS, answer helpfulness, conversations, agents (admins), and the
unanswered questions grouped by meaning (editors and admins: the writers' to-do list).

`from` and `to` are whole UTC days, both included. `?format=csv` gives one of the report's
tables (`table`, default `summary`) as a CSV attachment instead of the JSON.
"""

import csv
import dataclasses
import io
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.api.deps import services as services_of
from bridge.api.params import REFUSED
from bridge.api.staff_deps import CurrentStaff, require_role
from bridge.schemas import Language
from bridge.services import report_tables, reports
from bridge.services.agent_report import agent_report
from bridge.services.conversion_report import conversion_report
from bridge.services.referral_report import referral_report
from bridge.services.report_period import InvalidPeriod, Period
from bridge.services.report_tables import ReportTable
from bridge.services.review_report import review_report
from bridge.services.staff_auth import StaffMember
from bridge.services.unanswered_clusters import unanswered_groups

R = TypeVar("R")

ADMIN_ONLY = "reports need the admin role"


async def require_admin(member: CurrentStaff) -> StaffMember:
    """Only admins: unlike require_role, no other role is enough."""
    if member.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=ADMIN_ONLY)
    return member


Admin = Annotated[StaffMember, Depends(require_admin)]
# Strings checked by Period.parse, whose message says what is wrong; documented as dates.
DAY = {"format": "date"}
From = Annotated[
    str, Query(alias="from", description="First day, YYYY-MM-DD (UTC).", json_schema_extra=DAY)
]
To = Annotated[
    str,
    Query(alias="to", description="Last day, YYYY-MM-DD (UTC), included.", json_schema_extra=DAY),
]
Lang = Annotated[Language | None, Query(alias="lang")]
Format = Annotated[Literal["json", "csv"], Query(alias="format")]
TableName = Annotated[str, Query(alias="table", max_length=40)]

router = APIRouter(prefix="/api/staff/reports", tags=["reports"])


def _period(start: str, end: str) -> Period:
    try:
        return Period.parse(start, end)
    except InvalidPeriod as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc


def _csv(tables: list[ReportTable], name: str, filename: str) -> Response:
    chosen = next((t for t in tables if t.name == name), None)
    if chosen is None:
        known = ", ".join(t.name for t in tables)
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"unknown table {name!r}: {known}"
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(chosen.header)
    writer.writerows([["" if cell is None else cell for cell in row] for row in chosen.rows])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}-{name}.csv"'},
    )


async def _run(request: Request, work: Callable[[AsyncSession], Awaitable[R]]) -> R:
    async with services_of(request).sessions() as session:
        return await work(session)


def _answer(
    report: Any, tables: list[ReportTable], fmt: str, table: str, kind: str
) -> Response | dict[str, Any]:
    if fmt == "csv":
        period: Period = report.period
        return _csv(tables, table, f"{kind}-{period.start}-{period.end}")
    return dataclasses.asdict(report)


def _period_report(
    kind: str,
    compute: Callable[..., Awaitable[Any]],
    tables: Callable[[Any], list[ReportTable]],
    summary: str,
    first_table: str = "summary",
) -> None:
    """One admin route per report over a period and a language: JSON, or a table as CSV
    (`first_table` when none is named)."""

    async def route(
        _admin: Admin,
        request: Request,
        start: From,
        end: To,
        lang: Lang = None,
        fmt: Format = "json",
        table: TableName = first_table,
    ) -> Response | dict[str, Any]:
        period = _period(start, end)
        report = await _run(request, lambda s: compute(session=s, period=period, language=lang))
        return _answer(report, tables(report), fmt, table, kind)

    router.add_api_route(
        f"/{kind}",
        route,
        methods=["GET"],
        response_model=None,
        responses=REFUSED,
        summary=summary,
        name=kind,
    )


_period_report("nps", reports.nps_report, report_tables.nps_tables, "NPS with its interval")
_period_report(
    "helpful", reports.helpful_report, report_tables.helpful_tables, "Helpful rate of answers"
)
_period_report(
    "conversations",
    reports.conversation_report,
    report_tables.conversation_tables,
    "Handoffs, containment, waits",
)
_period_report(
    "agents",
    agent_report,
    report_tables.agent_tables,
    "Per agent: chats, response and handling times, NPS, hand-backs, transfers",
    first_table="agents",
)


Editor = Annotated[StaffMember, Depends(require_role("editor"))]
Similarity = Annotated[
    float, Query(gt=0, le=1, description="Cosine that joins a group (default: the model's).")
]


@router.get("/unanswered", response_model=None, responses=REFUSED)
async def unanswered(
    _editor: Editor,
    request: Request,
    start: From,
    end: To,
    lang: Lang = None,
    similarity: Similarity | None = None,
    fmt: Format = "json",
) -> Response | dict[str, Any]:
    """Questions the bot could not answer, grouped by meaning, biggest group first."""
    period = _period(start, end)
    questions = services_of(request).knowledge_base()
    groups = await _run(
        request,
        lambda s: unanswered_groups(
            session=s, period=period, language=lang, questions=questions, similarity=similarity
        ),
    )
    if fmt == "csv":
        table = report_tables.unanswered_table(groups)
        return _csv([table], table.name, f"unanswered-{period.start}-{period.end}")
    return {
        "period": {"start": period.start, "end": period.end},
        "groups": [dataclasses.asdict(group) for group in groups],
    }


GoalParam = Annotated[
    str, Query(alias="goal", pattern=r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$", description="Goal name.")
]


@router.get("/conversion", response_model=None, responses=REFUSED)
async def conversion(
    _admin: Admin,
    request: Request,
    start: From,
    end: To,
    lang: Lang = None,
    goal: GoalParam = "conversion",
    fmt: Format = "json",
    table: TableName = "summary",
) -> Response | dict[str, Any]:
    """Conversations in which the page reported `goal`, as a share of all conversations."""
    period = _period(start, end)
    report = await _run(
        request,
        lambda s: conversion_report(session=s, period=period, language=lang, goal=goal),
    )
    return _answer(report, report_tables.conversion_tables(report), fmt, table, "conversion")


By = Annotated[
    Literal["day", "week", "month"], Query(alias="by", description="Rows per day, week or month.")
]


@router.get("/reviews", response_model=None, responses=REFUSED)
async def reviews(
    _admin: Admin,
    request: Request,
    start: From,
    end: To,
    lang: Lang = None,
    by: By = "week",
    fmt: Format = "json",
    table: TableName = "summary",
) -> Response | dict[str, Any]:
    """Promoters invited to review, invited conversations that clicked the link, click rate,
    by language and period, next to the NPS."""
    period = _period(start, end)
    report = await _run(
        request, lambda s: review_report(session=s, period=period, language=lang, by=by)
    )
    return _answer(report, report_tables.review_tables(report), fmt, table, "reviews")


@router.get("/referrals", response_model=None, responses=REFUSED)
async def referrals(
    _admin: Admin,
    request: Request,
    start: From,
    end: To,
    lang: Lang = None,
    by: By = "week",
    fmt: Format = "json",
    table: TableName = "summary",
) -> Response | dict[str, Any]:
    """How customers found us: answers to "How did you hear about us?", each source's share,
    the friend-or-family share (referral rate) by language and period, next to the NPS."""
    period = _period(start, end)
    report = await _run(
        request, lambda s: referral_report(session=s, period=period, language=lang, by=by)
    )
    return _answer(report, report_tables.referral_tables(report), fmt, table, "referrals")
