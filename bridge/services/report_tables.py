"""The reports as named tables of plain values: what the CSV export and the CLI show."""

from dataclasses import dataclass

from bridge.services.agent_report import AgentReport
from bridge.services.conversion_report import ConversionReport
from bridge.services.referral_report import ReferralReport
from bridge.services.reports import ConversationReport, HelpfulReport, NpsReport
from bridge.services.review_report import ReviewReport
from bridge.services.unanswered_clusters import QuestionGroup

Cell = str | int | float | None


@dataclass(frozen=True)
class ReportTable:
    name: str
    header: list[str]
    rows: list[list[Cell]]


def nps_tables(report: NpsReport) -> list[ReportTable]:
    s = report.summary
    summary = ReportTable(
        "summary",
        [
            "asked",
            "answered",
            "response_rate_pct",
            "nps",
            "ci_low",
            "ci_high",
            "promoters",
            "passives",
            "detractors",
        ],
        [
            [
                report.asked,
                report.answered,
                report.response_rate_pct,
                s.nps if s else None,
                s.ci_low if s else None,
                s.ci_high if s else None,
                s.promoters if s else 0,
                s.passives if s else 0,
                s.detractors if s else 0,
            ]
        ],
    )
    weekly = ReportTable(
        "weekly",
        ["week_start", "nps", "responses"],
        [[w.week_start.isoformat(), w.nps, w.responses] for w in report.weekly],
    )
    return [summary, weekly]


def helpful_tables(report: HelpfulReport) -> list[ReportTable]:
    summary = ReportTable(
        "summary",
        ["helpful", "not_helpful", "rate_pct"],
        [[report.helpful, report.not_helpful, report.rate_pct]],
    )
    articles = ReportTable(
        "articles",
        ["article_id", "helpful", "not_helpful", "rate_pct"],
        [[a.article_id, a.helpful, a.not_helpful, a.rate_pct] for a in report.articles],
    )
    return [summary, articles]


CONVERSATION_FIELDS = [
    "conversations",
    "handoffs",
    "with_handoff",
    "handoff_rate_pct",
    "containment_pct",
    "claimed",
    "queue_wait_median_s",
    "queue_wait_p90_s",
    "answered_by_agent",
    "first_response_median_s",
    "first_response_p90_s",
]


def conversation_tables(report: ConversationReport) -> list[ReportTable]:
    row: list[Cell] = [getattr(report, name) for name in CONVERSATION_FIELDS]
    return [ReportTable("summary", list(CONVERSATION_FIELDS), [row])]


def unanswered_table(groups: list[QuestionGroup]) -> ReportTable:
    return ReportTable(
        "groups",
        ["language", "count", "last_asked", "closest_article", "examples"],
        [
            [
                g.language,
                g.count,
                g.last_asked.isoformat(),
                g.best_article_id,
                " | ".join(g.examples),
            ]
            for g in groups
        ],
    )


def conversion_tables(report: ConversionReport) -> list[ReportTable]:
    return [
        ReportTable(
            "summary",
            ["goal", "conversations", "converted", "conversion_rate_pct"],
            [[report.goal, report.conversations, report.converted, report.conversion_rate_pct]],
        )
    ]


AGENT_FIELDS = [
    "agent_id",
    "display_name",
    "chats_handled",
    "answered",
    "first_response_median_s",
    "first_response_p90_s",
    "handling_median_s",
    "handling_p90_s",
    "closed",
    "hand_backs",
    "nps",
    "nps_responses",
    "nps_ci_low",
    "nps_ci_high",
    "transfers_given",
    "transfers_received",
]


def agent_tables(report: AgentReport) -> list[ReportTable]:
    """One row per agent, in the report's order (most chats handled first)."""
    rows: list[list[Cell]] = []
    for a in report.agents:
        nps = a.nps
        rows.append(
            [
                a.agent_id,
                a.display_name,
                a.chats_handled,
                a.answered,
                a.first_response_median_s,
                a.first_response_p90_s,
                a.handling_median_s,
                a.handling_p90_s,
                a.closed,
                a.hand_backs,
                nps.nps if nps else None,
                nps.responses if nps else 0,
                nps.ci_low if nps else None,
                nps.ci_high if nps else None,
                a.transfers_given,
                a.transfers_received,
            ]
        )
    return [ReportTable("agents", list(AGENT_FIELDS), rows)]


REVIEW_FIELDS = [
    "invitations",
    "invited_conversations",
    "clicked_conversations",
    "clicks",
    "click_rate_pct",
]


def review_tables(report: ReviewReport) -> list[ReportTable]:
    summary = ReportTable(
        "summary",
        [*REVIEW_FIELDS, "nps", "promoters"],
        [[*(getattr(report, name) for name in REVIEW_FIELDS), report.nps, report.promoters]],
    )
    periods = ReportTable(
        "periods",
        ["period_start", "language", *REVIEW_FIELDS],
        [
            [r.period_start.isoformat(), r.language, *(getattr(r, name) for name in REVIEW_FIELDS)]
            for r in report.rows
        ],
    )
    return [summary, periods]


REFERRAL_FIELDS = [
    "asked",
    "answered",
    "skipped",
    "named",
    "answer_rate_pct",
    "referral_rate_pct",
    "top_source",
    "friend_family_nps",
    "friend_family_nps_n",
    "others_nps",
    "others_nps_n",
    "promoter_referral_correlation",
    "correlation_pairs",
]
REFERRAL_ROW_FIELDS = ["asked", "answered", "skipped", "named", "referral_rate_pct"]


def referral_tables(report: ReferralReport) -> list[ReportTable]:
    summary = ReportTable(
        "summary",
        list(REFERRAL_FIELDS),
        [[getattr(report, name) for name in REFERRAL_FIELDS]],
    )
    names = [s.source for s in report.sources]
    periods = ReportTable(
        "periods",
        [
            "period_start",
            "language",
            *REFERRAL_ROW_FIELDS,
            *names,
            "nps",
            "promoter_share_pct",
            "nps_responses",
        ],
        [
            [
                r.period_start.isoformat(),
                r.language,
                *(getattr(r, name) for name in REFERRAL_ROW_FIELDS),
                *(r.sources[name] for name in names),
                r.nps,
                r.promoter_share_pct,
                r.nps_responses,
            ]
            for r in report.rows
        ],
    )
    sources = ReportTable(
        "sources",
        ["source", "count", "share_pct", "nps", "nps_n"],
        [[s.source, s.count, s.share_pct, s.nps, s.nps_n] for s in report.sources],
    )
    return [summary, periods, sources]
