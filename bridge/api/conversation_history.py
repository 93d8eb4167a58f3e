"""The conversations view's HTTP side: every conversation, filtered and searched, a page at a
time, and one conversation's record, read-only. Agents and admins; reads only, so no CSRF.

`GET /api/staff/conversations/{id}` (the live console's) stays as it is; the record here is
what the view opens: transcript, notes, handoff history, NPS answers and answer feedback.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel

from bridge.api.deps import ServicesDep
from bridge.api.params import MAX_BIGINT, NO_NUL, REFUSED, ConversationIdPath, Refusal
from bridge.api.staff_deps import require_role
from bridge.db.conversation_search import DateField, Filters, NpsFilter, Status
from bridge.db.models import Message
from bridge.schemas import Language, MessageOut
from bridge.services import conversation_search as history
from bridge.services.conversation_search import ConversationHistory, ConversationHit
from bridge.services.search_text import MAX_QUERY_CHARS, SearchRefused, Segment
from bridge.services.staff_auth import StaffMember

router = APIRouter(prefix="/api/staff", tags=["conversations view"])
ChatAgent = Annotated[StaffMember, Depends(require_role("agent"))]


def _history(services: ServicesDep) -> ConversationHistory:
    # Stateless over the process's sessions: nothing to keep between requests.
    return ConversationHistory(services.sessions)


HistoryDep = Annotated[ConversationHistory, Depends(_history)]


def _moment(value: datetime) -> datetime:
    """A time in UTC; a time the UTC conversion cannot hold (year 1 east of Greenwich) is a
    422, not a 500."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("this time is out of range") from exc


Moment = Annotated[datetime, AfterValidator(_moment)]


class AgentOut(BaseModel):
    id: int
    display_name: str


class SegmentOut(BaseModel):
    text: str
    hit: bool


class SnippetOut(BaseModel):
    seq: int
    role: str
    segments: list[SegmentOut]


class HitOut(BaseModel):
    conversation_id: str
    created_at: datetime
    updated_at: datetime
    status: str
    language: str
    erased: bool
    message_count: int
    topic: str | None
    agents: list[AgentOut]
    handoffs: int
    nps_score: int | None
    nps_category: str | None
    snippets: list[SnippetOut]


class PageOut(BaseModel):
    conversations: list[HitOut]
    next_cursor: str | None


def _hit(hit: ConversationHit) -> HitOut:
    return HitOut(
        conversation_id=hit.conversation_id,
        created_at=hit.created_at,
        updated_at=hit.updated_at,
        status=hit.status,
        language=hit.language,
        erased=hit.erased,
        message_count=hit.message_count,
        topic=hit.topic,
        agents=[AgentOut(id=a.id, display_name=a.display_name) for a in hit.agents],
        handoffs=hit.handoffs,
        nps_score=hit.nps_score,
        nps_category=hit.nps_category,
        snippets=[
            SnippetOut(
                seq=s.seq,
                role=s.role,
                segments=_segments(s.segments),
            )
            for s in hit.snippets
        ],
    )


def _refused(exc: SearchRefused) -> JSONResponse:
    return JSONResponse(
        {"detail": str(exc), "code": exc.code}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def _segments(segments: Sequence[Segment]) -> list[SegmentOut]:
    return [SegmentOut(text=g.text, hit=g.hit) for g in segments]


@router.get("/conversations", response_model=PageOut, responses=REFUSED)
async def conversations(
    _member: ChatAgent,
    service: HistoryDep,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS, pattern=NO_NUL)] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    language: Language | None = None,
    date_field: DateField = "updated",
    since: Annotated[Moment | None, Query(alias="from")] = None,
    before: Annotated[Moment | None, Query(alias="to")] = None,
    handed_off: bool | None = None,
    nps: NpsFilter | None = None,
    agent: Annotated[int | None, Query(ge=1, le=MAX_BIGINT)] = None,
    cursor: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=history.MAX_PAGE)] = 20,
) -> PageOut | JSONResponse:
    """Every conversation, bot-only ones too, newest activity first. `q` finds the
    conversations with a message that has every word of it, as a word's beginning, without
    regard to case or accents ("szamla" finds "számlámat"); each hit then has up to three
    snippets, the found words marked. `from` (inclusive) and `to` (exclusive) bound the
    `date_field` of the conversations; `agent` is a staff member's id (who claimed one of its
    handoffs); `nps` the category of its answered survey (`none`: no answer). Pass
    `next_cursor` back as `cursor` for the next page. 422 with a `code` for a query without
    words (`no_words`), too many words, a period that ends before it starts (`bad_range`),
    an unknown agent (`unknown_agent`) or a cursor this list did not give (`bad_cursor`)."""
    filters = Filters(
        status=status_,
        language=language,
        date_field=date_field,
        since=since,
        before=before,
        handed_off=handed_off,
        nps=nps,
        agent_id=agent,
    )
    try:
        page = await service.search(filters, query=q, cursor=cursor, limit=limit)
    except SearchRefused as exc:
        return _refused(exc)
    return PageOut(conversations=[_hit(h) for h in page.hits], next_cursor=page.next_cursor)


class NoteOut(BaseModel):
    author: str
    text: str
    created_at: datetime


class HandoffOut(BaseModel):
    id: int
    reason: str
    status: str  # waiting | claimed | returned | closed | cancelled | missed
    created_at: datetime
    claimed_by: AgentOut | None
    claimed_at: datetime | None
    ended_at: datetime | None


class SurveyOut(BaseModel):
    status: str  # asked | answered | declined | dropped
    trigger: str
    score: int | None
    category: str | None
    reason: str | None
    asked_at: datetime
    answered_at: datetime | None


class FeedbackOut(BaseModel):
    article_id: str
    helpful: bool
    query: str | None
    created_at: datetime


class RecordMessageOut(MessageOut):
    # The words of the search the record was opened from, marked; null: not a found message.
    segments: list[SegmentOut] | None = None


class RecordOut(BaseModel):
    conversation_id: str
    status: str
    language: str
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None
    visitor_id: str | None
    page_url: str | None
    messages: list[RecordMessageOut]
    notes: list[NoteOut]
    handoffs: list[HandoffOut]
    nps: list[SurveyOut]
    feedback: list[FeedbackOut]


def _message(row: Message, marked: Sequence[Segment] | None) -> RecordMessageOut:
    shown = MessageOut.from_row(row)
    return RecordMessageOut(
        **shown.model_dump(exclude={"created_at"}),
        created_at=history.utc(row.created_at),
        segments=None if marked is None else _segments(marked),
    )


def _at(moment: datetime | None) -> datetime | None:
    return None if moment is None else history.utc(moment)


@router.get(
    "/conversations/{conversation_id}/record",
    responses={404: {"model": Refusal, "description": "unknown conversation"}, **REFUSED},
    response_model=RecordOut,
)
async def record(
    conversation_id: ConversationIdPath,
    _member: ChatAgent,
    service: HistoryDep,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS, pattern=NO_NUL)] = None,
) -> RecordOut | JSONResponse:
    """One conversation as it was, to read: transcript, private notes, every handoff (why,
    who claimed it and when, how and when it ended), NPS answers and answer feedback. With
    `q` (the search it was opened from), the messages it finds carry `segments`, the found
    words marked as in the list's snippets."""
    try:
        found = await service.record(conversation_id, query=q)
    except SearchRefused as exc:
        return _refused(exc)
    except history.UnknownConversation as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown conversation") from exc
    c = found.conversation
    return RecordOut(
        conversation_id=c.id,
        status=c.status,
        language=c.language,
        created_at=history.utc(c.created_at),
        updated_at=history.utc(c.updated_at),
        erased_at=_at(c.erased_at),
        visitor_id=c.visitor_id,
        page_url=c.page_url,
        messages=[_message(m, found.highlights.get(m.seq)) for m in found.messages],
        notes=[
            NoteOut(author=n.author_name, text=n.text, created_at=history.utc(n.created_at))
            for n in found.notes
        ],
        handoffs=[
            HandoffOut(
                id=h.handoff.id,
                reason=h.handoff.reason,
                status=h.handoff.status,
                created_at=history.utc(h.handoff.created_at),
                claimed_by=None
                if h.claimed_by is None
                else AgentOut(id=h.claimed_by.id, display_name=h.claimed_by.display_name),
                claimed_at=_at(h.handoff.claimed_at),
                ended_at=_at(h.handoff.ended_at),
            )
            for h in found.handoffs
        ],
        nps=[
            SurveyOut(
                status=s.status,
                trigger=s.trigger,
                score=s.score,
                category=s.category,
                reason=s.reason,
                asked_at=history.utc(s.asked_at),
                answered_at=_at(s.answered_at),
            )
            for s in found.surveys
        ],
        feedback=[
            FeedbackOut(
                article_id=f.article_id,
                helpful=f.helpful,
                query=f.query,
                created_at=history.utc(f.created_at),
            )
            for f in found.feedback
        ],
    )
