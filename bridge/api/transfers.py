"""Passing a claimed chat to a colleague or back to the queue (bridge.services.transfer).

Every route needs a signed-in agent (or admin), the state-changing ones the CSRF header too.
A refusal carries a `code` the console acts on: `unknown` / `unknown_agent` (404),
`self_transfer` (422), `not_for_you` (403: someone else's offer), and 409 for whatever a
colleague or the clock got to first: `agent_offline`, `not_yours`, `not_active`,
`transfer_pending`, `decided` (with the offer's `status`), `void` (the chat left its sender).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bridge.api.deps import ServicesDep
from bridge.api.params import MAX_BIGINT, REFUSED, NoNul, RowId, UtcDatetime
from bridge.api.staff_console import ChatAgent, agent_of
from bridge.api.staff_deps import CsrfChecked
from bridge.db import handoffs, transfers
from bridge.services.handoff_views import Agent
from bridge.services.transfer import (
    MAX_NOTE_CHARS,
    AgentOffline,
    Transferred,
    TransferService,
    UnknownAgent,
)
from bridge.services.transfer_views import TransferView

router = APIRouter(prefix="/api/staff", tags=["agent console"])


def _service(services: ServicesDep) -> TransferService:
    return services.transfers


TransfersDep = Annotated[TransferService, Depends(_service)]


class TransferIn(BaseModel):
    """`to_agent_id` null: back to the queue. The note is private (staff only)."""

    model_config = ConfigDict(extra="forbid")

    to_agent_id: Annotated[int, Field(ge=1, le=MAX_BIGINT, strict=True)] | None
    note: Annotated[str, StringConstraints(max_length=MAX_NOTE_CHARS), NoNul] = ""


class AgentRef(BaseModel):
    id: int
    display_name: str


class TransferOut(BaseModel):
    transfer_id: int
    handoff_id: int
    conversation_id: str
    status: str
    from_agent: AgentRef | None
    to_agent: AgentRef | None
    note: str | None
    language: str
    last_question: str | None
    created_at: UtcDatetime
    decided_at: UtcDatetime | None
    expires_at: UtcDatetime | None

    @classmethod
    def of(cls, view: TransferView) -> "TransferOut":
        return cls.model_validate(view.as_json())


class TransferredOut(BaseModel):
    transfer: TransferOut
    handoff: dict[str, Any]  # as the queue shows it (bridge.services.handoff_views)


class ColleaguesOut(BaseModel):
    agents: list[AgentRef]


class PendingOut(BaseModel):
    incoming: list[TransferOut]  # offers waiting for the caller's answer
    outgoing: list[TransferOut]  # the caller's offers waiting for a colleague


# The answer to each of the repository's refusals but `decided`, which also says the status.
_TRANSFER_ANSWERS: dict[transfers.Refusal, tuple[int, str]] = {
    "unknown": (status.HTTP_404_NOT_FOUND, "unknown transfer"),
    "self_transfer": (
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        "a chat cannot be transferred to yourself",
    ),
    "not_for_you": (status.HTTP_403_FORBIDDEN, "this offer is not yours"),
    "transfer_pending": (status.HTTP_409_CONFLICT, "this chat is already being transferred"),
    "void": (status.HTTP_409_CONFLICT, "the chat is no longer with the agent who offered it"),
}

_REFUSALS: dict[int | str, dict[str, Any]] = {
    **REFUSED,
    403: {"description": "someone else's offer (`not_for_you`)"},
    404: {"description": "unknown handoff, transfer or agent"},
    409: {"description": "a colleague or the clock was first; `code` says what"},
}


def _refused(exc: Exception) -> JSONResponse:
    """The one mapping of the service's refusals to HTTP."""
    code, http, detail, extra = _refusal(exc)
    return JSONResponse({"detail": detail, "code": code, **extra}, status_code=http)


def _refusal(exc: Exception) -> tuple[str, int, str, dict[str, Any]]:
    conflict = status.HTTP_409_CONFLICT
    match exc:
        case handoffs.UnknownHandoff():
            return "unknown", status.HTTP_404_NOT_FOUND, "unknown handoff", {}
        case UnknownAgent():
            return "unknown_agent", status.HTTP_404_NOT_FOUND, "no such agent", {}
        case AgentOffline():
            detail = f"{exc.agent.display_name} is not online"
            return "agent_offline", conflict, detail, {}
        case handoffs.NotYourHandoff():
            return "not_yours", conflict, "another agent has this conversation", {}
        case handoffs.HandoffNotActive():
            return "not_active", conflict, "this conversation is not with an agent", {}
        case transfers.TransferError(code="decided"):
            detail = f"the offer was {exc.status} already"
            return "decided", conflict, detail, {"status": exc.status}
        case transfers.TransferError():
            http, detail = _TRANSFER_ANSWERS[exc.code]
            return exc.code, http, detail, {}
    raise exc


def _out(result: Transferred) -> TransferredOut:
    return TransferredOut(transfer=TransferOut.of(result.transfer), handoff=result.handoff)


def _ref(agent: Agent) -> AgentRef:
    return AgentRef(id=agent.id, display_name=agent.display_name)


_FAILURES = (handoffs.HandoffError, transfers.TransferError, UnknownAgent, AgentOffline)


@router.get("/agents/online")
async def online_agents(member: ChatAgent, service: TransfersDep) -> ColleaguesOut:
    """The colleagues online now (not away), whom a chat can be offered to; not the caller."""
    colleagues = await service.online_colleagues(agent_of(member))
    return ColleaguesOut(agents=[_ref(agent) for agent in colleagues])


@router.get("/transfers")
async def pending(member: ChatAgent, service: TransfersDep) -> PendingOut:
    """The caller's pending offers both ways (a console shows them again after a reload)."""
    views = await service.pending(agent_of(member))
    return PendingOut(
        incoming=[TransferOut.of(v) for v in views if v.to_agent and v.to_agent.id == member.id],
        outgoing=[
            TransferOut.of(v) for v in views if v.from_agent and v.from_agent.id == member.id
        ],
    )


@router.post(
    "/handoffs/{handoff_id}/transfer",
    status_code=status.HTTP_201_CREATED,
    response_model=TransferredOut,
    responses=_REFUSALS,
)
async def transfer(
    handoff_id: RowId,
    body: TransferIn,
    member: ChatAgent,
    _csrf: CsrfChecked,
    service: TransfersDep,
) -> TransferredOut | JSONResponse:
    """Offer the caller's chat to an online colleague (pending until they accept), or with
    `to_agent_id` null put it back in the queue at once; the note is kept as a private note."""
    try:
        result = await service.offer(
            handoff_id=handoff_id,
            sender=agent_of(member),
            to_agent_id=body.to_agent_id,
            note=body.note,
        )
    except _FAILURES as exc:
        return _refused(exc)
    return _out(result)


@router.post("/transfers/{transfer_id}/accept", response_model=TransferredOut, responses=_REFUSALS)
async def accept(
    transfer_id: RowId, member: ChatAgent, _csrf: CsrfChecked, service: TransfersDep
) -> TransferredOut | JSONResponse:
    """The receiver takes the chat; of an accept and a close (or a cancel) at once, one wins."""
    try:
        return _out(await service.accept(transfer_id=transfer_id, agent=agent_of(member)))
    except _FAILURES as exc:
        return _refused(exc)


@router.post("/transfers/{transfer_id}/decline", response_model=TransferOut, responses=_REFUSALS)
async def decline(
    transfer_id: RowId, member: ChatAgent, _csrf: CsrfChecked, service: TransfersDep
) -> TransferOut | JSONResponse:
    try:
        return TransferOut.of(
            await service.decline(transfer_id=transfer_id, agent=agent_of(member))
        )
    except _FAILURES as exc:
        return _refused(exc)


@router.post("/transfers/{transfer_id}/cancel", response_model=TransferOut, responses=_REFUSALS)
async def cancel(
    transfer_id: RowId, member: ChatAgent, _csrf: CsrfChecked, service: TransfersDep
) -> TransferOut | JSONResponse:
    """The sender takes the offer back."""
    try:
        return TransferOut.of(await service.cancel(transfer_id=transfer_id, agent=agent_of(member)))
    except _FAILURES as exc:
        return _refused(exc)
