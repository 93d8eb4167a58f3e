"""How a handoff looks to the agents' consoles: the one place its fields and its place in the
queue are worked out (the queue snapshot, a single handoff, a new-handoff notice)."""

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import customer_identity, users
from bridge.db.models import Handoff
from bridge.services import customer_history
from bridge.services.customer_history import Returning


@dataclass(frozen=True)
class Agent:
    id: int
    display_name: str


def handoff_view(
    row: Handoff,
    *,
    position: int | None,
    claimed_by: Agent | None,
    returning: Returning | None = None,
    customer_name: str | None = None,
) -> dict[str, Any]:
    """`returning`: the customer's earlier chats (bridge.services.customer_history), None for
    a first-time customer; `customer_name`: a signed-in customer's (bridge.services.identity)."""
    context = row.context or {}
    return {
        "handoff_id": row.id,
        "conversation_id": row.conversation_id,
        "status": row.status,
        "reason": row.reason,
        "language": context.get("language") or "en",
        "context": {
            "last_question": context.get("last_question"),
            "articles": context.get("articles") or [],
        },
        "created_at": row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC).isoformat(),
        "position": position,
        # While waiting: since when the customer has not been on the page (None: they are).
        "customer_left_at": None
        if row.customer_left_at is None
        else row.customer_left_at.replace(tzinfo=row.customer_left_at.tzinfo or UTC).isoformat(),
        "claimed_by": None
        if claimed_by is None
        else {"id": claimed_by.id, "display_name": claimed_by.display_name},
        "returning": None
        if returning is None
        else {"earlier_chats": returning.earlier_chats, "last_nps": returning.last_nps},
        "customer_name": customer_name,
    }


async def views(session: AsyncSession, rows: list[Handoff]) -> list[dict[str, Any]]:
    """`rows` (active handoffs in queue order, or any one handoff) as the consoles show them:
    the customers waiting on the page first, in queue order, then those who left it (no place:
    bridge.services.queue_hygiene), then the claimed chats. A waiting handoff's place counts
    the customers on the page before it in `rows`."""
    holders = await agents(session, {r.claimed_by for r in rows if r.claimed_by})
    # One grouped query for the whole snapshot, however many customers wait.
    conversation_ids = list({r.conversation_id for r in rows})
    returning = await customer_history.summaries(session=session, conversation_ids=conversation_ids)
    names = await customer_identity.names(session=session, conversation_ids=conversation_ids)
    shown = []
    place = 0
    for row in sorted(rows, key=_queue_rank):  # stable: queue order within each group
        waiting = row.status == "waiting" and row.customer_left_at is None
        place += waiting
        shown.append(
            handoff_view(
                row,
                position=place if waiting else None,
                claimed_by=holders.get(row.claimed_by) if row.claimed_by else None,
                returning=returning.get(row.conversation_id),
                customer_name=names.get(row.conversation_id),
            )
        )
    return shown


async def one_view(
    session: AsyncSession, row: Handoff, *, position: int | None, claimed_by: Agent | None
) -> dict[str, Any]:
    """One handoff as the consoles show it, with its customer's earlier chats."""
    returning = await customer_history.summaries(
        session=session, conversation_ids=[row.conversation_id]
    )
    names = await customer_identity.names(session=session, conversation_ids=[row.conversation_id])
    return handoff_view(
        row,
        position=position,
        claimed_by=claimed_by,
        returning=returning.get(row.conversation_id),
        customer_name=names.get(row.conversation_id),
    )


def _queue_rank(row: Handoff) -> int:
    if row.status != "waiting":
        return 2
    return 0 if row.customer_left_at is None else 1


async def agents(session: AsyncSession, ids: set[int]) -> dict[int, Agent]:
    names = await users.display_names(session=session, ids=ids)
    return {user_id: Agent(user_id, name) for user_id, name in names.items()}
