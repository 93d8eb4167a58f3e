"""The agent console's HTTP side: the queue, claiming, hand back, close, a conversation with
its context and notes, knowledge-base search for replies, offline requests.

Every route needs a signed-in agent (or admin); the state-changing ones the CSRF header too.
The live side (queue updates, messages, typing) is the /ws/agent websocket.
"""

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from bridge.api.deps import ServicesDep
from bridge.api.params import REFUSED, ConversationIdPath, NoNul, RowId, UtcDatetime
from bridge.api.staff_deps import CsrfChecked, require_role
from bridge.db import customer_identity, handoffs
from bridge.db.models import Conversation
from bridge.schemas import Language, MessageOut
from bridge.services.agent_console import AgentConsole, EmptyNote
from bridge.services.handoff import BotUnavailable, HandoffService
from bridge.services.handoff_views import Agent
from bridge.services.staff_auth import StaffMember
from knowledge_base.index_store import KBIndexError

router = APIRouter(prefix="/api/staff", tags=["agent console"])
ChatAgent = Annotated[StaffMember, Depends(require_role("agent"))]
SNIPPET_CHARS = 240


def _service(services: ServicesDep) -> HandoffService:
    return services.handoffs


HandoffsDep = Annotated[HandoffService, Depends(_service)]


def _console(services: ServicesDep) -> AgentConsole:
    return services.console


ConsoleDep = Annotated[AgentConsole, Depends(_console)]


def agent_of(member: StaffMember) -> Agent:
    return Agent(member.id, member.display_name)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(min_length=1, max_length=4000), NoNul]


class NoteOut(BaseModel):
    id: int
    author: str
    text: str
    created_at: UtcDatetime


class KbHit(BaseModel):
    article_id: str
    title: str
    url: str
    score: float
    snippet: str


def _refused(exc: handoffs.HandoffError, taken_by: str | None = None) -> JSONResponse:
    """404 for an unknown handoff; otherwise 409 with a `code` the console acts on."""
    if isinstance(exc, handoffs.UnknownHandoff):
        return JSONResponse({"detail": "unknown handoff", "code": "unknown"}, status_code=404)
    body: dict[str, Any]
    if isinstance(exc, handoffs.HandoffTaken):
        who = taken_by or "another agent"
        body = {"detail": f"already taken by {who}", "code": "taken"}
        if taken_by:
            body["claimed_by"] = {"display_name": taken_by}
    elif isinstance(exc, handoffs.NotYourHandoff):
        body = {"detail": "another agent has this conversation", "code": "not_yours"}
    else:
        body = {"detail": "this conversation is no longer waiting", "code": "not_active"}
    return JSONResponse(body, status_code=status.HTTP_409_CONFLICT)


@router.get("/queue")
async def queue(_member: ChatAgent, service: HandoffsDep) -> dict[str, Any]:
    return {"handoffs": await service.queue()}


@router.post("/handoffs/{handoff_id}/claim", response_model=None)
async def claim(
    handoff_id: RowId, member: ChatAgent, _csrf: CsrfChecked, service: HandoffsDep
) -> dict[str, Any] | JSONResponse:
    """Of agents claiming at once exactly one wins; the others get 409 `taken` with the name."""
    try:
        return {"handoff": await service.claim(handoff_id=handoff_id, agent=agent_of(member))}
    except handoffs.HandoffError as exc:
        return _refused(exc, await service.taken_by(handoff_id))


@router.post("/handoffs/{handoff_id}/hand-back", response_model=None)
async def hand_back(
    handoff_id: RowId, member: ChatAgent, _csrf: CsrfChecked, service: HandoffsDep
) -> dict[str, Any] | JSONResponse:
    """The bot is resumed first: when Rasa is down, nothing changes (503) and the agent
    keeps the chat."""
    try:
        return {"handoff": await service.hand_back(handoff_id=handoff_id, agent=agent_of(member))}
    except handoffs.HandoffError as exc:
        return _refused(exc)
    except BotUnavailable:
        return JSONResponse(
            {"detail": "the assistant is not reachable; try again", "code": "bot_unavailable"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )


@router.post("/handoffs/{handoff_id}/close", response_model=None)
async def close(
    handoff_id: RowId, member: ChatAgent, _csrf: CsrfChecked, service: HandoffsDep
) -> dict[str, Any] | JSONResponse:
    try:
        return {"handoff": await service.close(handoff_id=handoff_id, agent=agent_of(member))}
    except handoffs.HandoffError as exc:
        return _refused(exc)


@router.get("/conversations/{conversation_id}")
async def conversation(
    conversation_id: ConversationIdPath, _member: ChatAgent, console: ConsoleDep
) -> dict[str, Any]:
    """The whole conversation as an agent sees it: transcript, handoff context, notes."""
    try:
        found = await console.conversation(conversation_id)
    except handoffs.UnknownConversation as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown conversation") from exc
    return {
        "conversation_id": found.conversation.id,
        "status": found.conversation.status,
        "language": found.conversation.language,
        "page_url": found.conversation.page_url,
        # An identified shop customer (bridge.services.identity); None: anonymous.
        "customer": _customer(found.conversation),
        "handoff": found.handoff,
        "messages": [MessageOut.from_row(m).model_dump(mode="json") for m in found.messages],
        "notes": [_note(n).model_dump(mode="json") for n in found.notes],
        "customer_present": found.customer_present,
    }


def _customer(conversation: Conversation) -> dict[str, Any] | None:
    customer = customer_identity.stored(conversation)
    return None if customer is None else dataclasses.asdict(customer)


@router.post(
    "/conversations/{conversation_id}/notes",
    status_code=status.HTTP_201_CREATED,
    responses=REFUSED,
)
async def add_note(
    conversation_id: ConversationIdPath,
    body: NoteIn,
    member: ChatAgent,
    _csrf: CsrfChecked,
    console: ConsoleDep,
) -> NoteOut:
    try:
        note = await console.add_note(
            conversation_id=conversation_id, author=agent_of(member), text=body.text
        )
    except EmptyNote as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="empty note") from exc
    except handoffs.UnknownConversation as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown conversation") from exc
    return _note(note)


@router.get("/kb/search")
async def kb_search(
    _member: ChatAgent,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    lang: Language = "en",
) -> dict[str, list[KbHit]]:
    """Articles for a reply: the same hybrid search the bot uses, top five."""
    try:
        result = await services.search_articles(q, language=lang, top_k=5)
    except KBIndexError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="the knowledge base is not indexed"
        ) from exc
    base = services.settings.public_url
    return {
        "hits": [
            KbHit(
                article_id=hit.article_id,
                title=hit.title,
                url=f"{base}{hit.url}" if hit.url.startswith("/") else hit.url,
                score=round(hit.score, 3),
                snippet=hit.chunk.text[:SNIPPET_CHARS],
            )
            for hit in result.hits
        ]
    }


@router.get("/offline-requests")
async def offline_requests(
    _member: ChatAgent,
    console: ConsoleDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, list[dict[str, Any]]]:
    rows = await console.offline_requests(limit)
    return {
        "requests": [
            {
                "id": r.id,
                "conversation_id": r.conversation_id,
                "email": r.email,
                "message": r.message,
                "language": r.language,
                "created_at": r.created_at.isoformat(),
            }
            for r in rows
        ]
    }


def _note(note: Any) -> NoteOut:
    return NoteOut(id=note.id, author=note.author_name, text=note.text, created_at=note.created_at)
