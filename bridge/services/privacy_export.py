"""What a person's data export holds, as typed records, and its two forms: JSON (machine
readable, GDPR Art. 20) and a readable HTML page (Art. 15)."""

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bridge.db import customer_identity
from bridge.db.models import Conversation
from bridge.db.privacy_rows import HeldRows
from bridge.web.privacy_strings import PRIVACY_STRINGS

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class MessageData:
    seq: int
    role: str  # customer | bot | agent | system
    text: str
    author: str | None
    created_at: datetime | None


@dataclass(frozen=True)
class HandoffData:
    status: str
    reason: str
    last_question: str | None
    created_at: datetime | None
    claimed_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class NoteData:
    author: str
    text: str
    created_at: datetime | None


@dataclass(frozen=True)
class SurveyData:
    status: str
    score: int | None
    reason: str | None
    language: str
    asked_at: datetime | None
    answered_at: datetime | None


@dataclass(frozen=True)
class FeedbackData:
    article_id: str
    helpful: bool
    query: str | None
    language: str
    created_at: datetime | None


@dataclass(frozen=True)
class OfflineRequestData:
    email: str
    message: str
    language: str
    created_at: datetime | None
    handled_at: datetime | None


@dataclass(frozen=True)
class GoalData:
    goal: str
    page_url: str | None
    reached_at: datetime | None


@dataclass(frozen=True)
class QuestionData:
    question: str
    language: str
    created_at: datetime | None


@dataclass(frozen=True)
class ReviewInvitationData:
    """A review link given to a promoter and when it was used. The link's token is left out:
    whoever holds it can add clicks to the count, and it tells the person nothing."""

    language: str
    invited_at: datetime | None
    clicked_at: list[datetime | None]


@dataclass(frozen=True)
class ReferralData:
    """ "How did you hear about us?": `subject` is who was asked (customer:, visitor: or
    conversation: and an id); `source` None while unanswered, `detail` what they typed."""

    subject: str
    language: str
    asked_at: datetime | None
    answered_at: datetime | None
    source: str | None
    detail: str | None


@dataclass(frozen=True)
class ConversationData:
    id: str
    created_at: datetime | None
    updated_at: datetime | None
    status: str
    language: str
    visitor_id: str | None
    page_url: str | None
    erased_at: datetime | None
    messages: list[MessageData]
    handoffs: list[HandoffData]
    notes: list[NoteData]
    nps: list[SurveyData]
    feedback: list[FeedbackData]
    offline_requests: list[OfflineRequestData]
    goals: list[GoalData]
    unanswered_questions: list[QuestionData]
    # An identified customer as the shop named them (bridge.services.identity); None: anonymous.
    customer: dict[str, Any] | None = None
    review_invitations: list[ReviewInvitationData] = field(default_factory=list)
    referrals: list[ReferralData] = field(default_factory=list)


@dataclass(frozen=True)
class PersonalData:
    """Everything the bridge holds about one person, by conversation."""

    selector: str  # conversation | visitor | email
    generated_at: datetime
    conversations: list[ConversationData]

    @property
    def records(self) -> int:
        """Rows exported, all kinds together (the audit log's count)."""
        lists = (
            "messages",
            "handoffs",
            "notes",
            "nps",
            "feedback",
            "offline_requests",
            "goals",
            "unanswered_questions",
            "review_invitations",
            "referrals",
        )
        rows = len(self.conversations)
        for conversation in self.conversations:
            rows += sum(len(getattr(conversation, name)) for name in lists)
            rows += sum(len(i.clicked_at) for i in conversation.review_invitations)
        return rows

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), default=_json_default, ensure_ascii=False)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def _customer(conversation: Conversation) -> dict[str, Any] | None:
    customer = customer_identity.stored(conversation)
    return None if customer is None else dataclasses.asdict(customer)


def personal_data(rows: HeldRows, *, selector: str, now: datetime) -> PersonalData:
    """The rows grouped by conversation, oldest conversation first."""
    by: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for m in rows.messages:
        by[m.conversation_id]["messages"].append(
            MessageData(m.seq, m.role, m.text, m.author, utc(m.created_at))
        )
    for h in rows.handoffs:
        by[h.conversation_id]["handoffs"].append(
            HandoffData(
                h.status,
                h.reason,
                (h.context or {}).get("last_question"),
                utc(h.created_at),
                utc(h.claimed_at),
                utc(h.ended_at),
            )
        )
    for n in rows.notes:
        by[n.conversation_id]["notes"].append(NoteData(n.author_name, n.text, utc(n.created_at)))
    for s in rows.surveys:
        by[s.conversation_id]["nps"].append(
            SurveyData(s.status, s.score, s.reason, s.language, utc(s.asked_at), utc(s.answered_at))
        )
    for f in rows.feedback:
        if f.conversation_id is not None:
            by[f.conversation_id]["feedback"].append(
                FeedbackData(f.article_id, f.helpful, f.query, f.language, utc(f.created_at))
            )
    for o in rows.offline_requests:
        by[o.conversation_id]["offline_requests"].append(
            OfflineRequestData(o.email, o.message, o.language, utc(o.created_at), utc(o.handled_at))
        )
    for g in rows.goals:
        by[g.conversation_id]["goals"].append(GoalData(g.goal, g.page_url, utc(g.reached_at)))
    for q in rows.unanswered:
        if q.conversation_id is not None:
            by[q.conversation_id]["unanswered_questions"].append(
                QuestionData(q.question, q.language, utc(q.created_at))
            )
    clicks: dict[int, list[datetime | None]] = defaultdict(list)
    for click in rows.review_clicks:
        clicks[click.invitation_id].append(utc(click.clicked_at))
    for i in rows.review_invitations:
        by[i.conversation_id]["review_invitations"].append(
            ReviewInvitationData(i.language, utc(i.invited_at), clicks[i.id])
        )
    for r in rows.referrals:
        by[r.conversation_id]["referrals"].append(
            ReferralData(
                r.subject, r.language, utc(r.asked_at), utc(r.answered_at), r.source, r.detail
            )
        )
    conversations = [
        ConversationData(
            id=c.id,
            created_at=utc(c.created_at),
            updated_at=utc(c.updated_at),
            status=c.status,
            language=c.language,
            visitor_id=c.visitor_id,
            page_url=c.page_url,
            erased_at=utc(c.erased_at),
            customer=_customer(c),
            messages=by[c.id]["messages"],
            handoffs=by[c.id]["handoffs"],
            notes=by[c.id]["notes"],
            nps=by[c.id]["nps"],
            feedback=by[c.id]["feedback"],
            offline_requests=by[c.id]["offline_requests"],
            goals=by[c.id]["goals"],
            unanswered_questions=by[c.id]["unanswered_questions"],
            review_invitations=by[c.id]["review_invitations"],
            referrals=by[c.id]["referrals"],
        )
        for c in rows.conversations
    ]
    return PersonalData(selector=selector, generated_at=now, conversations=conversations)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), cache_size=10
    )


def render_html(data: PersonalData, language: str = "en") -> str:
    """The export as a self-contained page (no scripts), every value escaped."""
    strings = PRIVACY_STRINGS.get(language, PRIVACY_STRINGS["en"])
    template = _environment().get_template("privacy_export.html")
    return template.render(
        data=data, t=strings, lang=language if language in PRIVACY_STRINGS else "en"
    )
