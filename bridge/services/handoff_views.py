"""How a handoff looks to the agents' consoles: the one place its fields and its place in the
queue are worked out (the queue snapshot, a single handoff, a new-handoff notice)."""

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import users
from bridge.db.models import Handoff


@dataclass(frozen=True)
class Agent:
    id: int
    display_name: str


def handoff_view(row: Handoff, *, position: int | None, claimed_by: Agent | None) -> dict[str, Any]:
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
        "claimed_by": None
        if claimed_by is None
        else {"id": claimed_by.id, "display_name": claimed_by.display_name},
    }


async def views(session: AsyncSession, rows: list[Handoff]) -> list[dict[str, Any]]:
    """`rows` (active handoffs in queue order, or any one handoff) as the consoles show them:
    a waiting handoff's place counts the waiting ones before it in `rows`."""
    holders = await agents(session, {r.claimed_by for r in rows if r.claimed_by})
    shown = []
    place = 0
    for row in rows:
        waiting = row.status == "waiting"
        place += waiting
        shown.append(
            handoff_view(
                row,
                position=place if waiting else None,
                claimed_by=holders.get(row.claimed_by) if row.claimed_by else None,
            )
        )
    return shown


async def agents(session: AsyncSession, ids: set[int]) -> dict[int, Agent]:
    names = await users.display_names(session=session, ids=ids)
    return {user_id: Agent(user_id, name) for user_id, name in names.items()}
