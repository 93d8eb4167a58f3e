"""How a transfer looks to the agents' consoles, and where its news goes: each agent's own hub
key, which every console socket of that agent subscribes to (bridge.api.ws_agent), on whichever
bridge process holds the socket (the Redis event bus carries it there in the scaled mode).

Shared by the transfer service and the handoff service, which withdraws a pending offer when
the chat is closed, handed back or requeued under it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import repository, transfers
from bridge.db.models import Handoff, HandoffTransfer
from bridge.services.handoff_views import Agent, agents
from bridge.services.ports import EventBus


def agent_key(agent_id: int) -> str:
    """The hub key of one agent's consoles (conversation keys are UUIDs: no clash)."""
    return f"agent:{agent_id}"


@dataclass(frozen=True)
class TransferView:
    transfer_id: int
    handoff_id: int
    conversation_id: str
    status: str
    from_agent: Agent | None
    to_agent: Agent | None  # None: back to the queue
    note: str | None
    language: str  # the customer's
    last_question: str | None
    created_at: datetime
    decided_at: datetime | None
    expires_at: datetime | None  # pending offers only

    def as_json(self) -> dict[str, Any]:
        """The event form; the REST answer (bridge.api.transfers.TransferOut) has the same."""
        return {
            "transfer_id": self.transfer_id,
            "handoff_id": self.handoff_id,
            "conversation_id": self.conversation_id,
            "status": self.status,
            "from_agent": _agent(self.from_agent),
            "to_agent": _agent(self.to_agent),
            "note": self.note,
            "language": self.language,
            "last_question": self.last_question,
            "created_at": _iso(self.created_at),
            "decided_at": _iso(self.decided_at),
            "expires_at": _iso(self.expires_at),
        }


async def transfer_view(
    session: AsyncSession, row: HandoffTransfer, *, expires_at: datetime | None = None
) -> TransferView:
    handoff = await session.get(Handoff, row.handoff_id)
    conversation = await repository.get_conversation(
        session=session, conversation_id=row.conversation_id
    )
    names = await agents(session, {i for i in (row.from_agent_id, row.to_agent_id) if i})
    context = (handoff.context if handoff else None) or {}
    return TransferView(
        transfer_id=row.id,
        handoff_id=row.handoff_id,
        conversation_id=row.conversation_id,
        status=row.status,
        from_agent=names.get(row.from_agent_id) if row.from_agent_id else None,
        to_agent=names.get(row.to_agent_id) if row.to_agent_id else None,
        note=row.note,
        language=conversation.language if conversation else context.get("language") or "en",
        last_question=context.get("last_question"),
        created_at=_utc(row.created_at),
        decided_at=_utc(row.decided_at) if row.decided_at else None,
        expires_at=expires_at if row.status == "pending" else None,
    )


async def withdraw(session: AsyncSession, handoff_id: int, now: datetime) -> TransferView | None:
    """Cancel the handoff's pending offer (its chat is ending or leaving its agent), in the
    caller's transaction, after the handoff's own UPDATE; its view, to `announce` once stored."""
    row = await transfers.cancel_pending(session=session, handoff_id=handoff_id, now=now)
    return None if row is None else await transfer_view(session, row)


def announce(hub: EventBus, view: TransferView | None, **extra: Any) -> None:
    """`transfer_<status>` to both agents' consoles (the other tabs of the one who acted
    learn it too); an offer goes to its receiver alone, as `transfer_offer`."""
    if view is None:
        return
    if view.status == "pending":
        kind, parties = "transfer_offer", [view.to_agent]
    else:
        kind, parties = f"transfer_{view.status}", [view.from_agent, view.to_agent]
    event = {"type": kind, "transfer": view.as_json(), **extra}
    for party in {p.id for p in parties if p is not None}:
        hub.publish(agent_key(party), event)


def _agent(agent: Agent | None) -> dict[str, Any] | None:
    return None if agent is None else {"id": agent.id, "display_name": agent.display_name}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    """UTC as the REST answers write it (pydantic): with a Z."""
    return None if moment is None else _utc(moment).isoformat().replace("+00:00", "Z")
