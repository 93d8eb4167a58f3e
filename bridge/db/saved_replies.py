"""Saved replies in the database (bridge.services.saved_replies decides who may do what).

A change names the `version` it was made from and is one conditional UPDATE (or DELETE), so of
two editors of the same reply exactly one wins; the other is told the reply moved on. The two
partial unique indexes on `shortcut` (bridge.db.models.SavedReply) keep shortcuts unique per
scope even when two agents save at once.
"""

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import SavedReply


async def list_visible(*, session: AsyncSession, owner_id: int) -> list[SavedReply]:
    """The shared replies and `owner_id`'s own, by shortcut (a shared one before a personal
    one of the same shortcut)."""
    rows = await session.scalars(
        select(SavedReply)
        .where(or_(SavedReply.owner_id.is_(None), SavedReply.owner_id == owner_id))
        .order_by(SavedReply.shortcut, SavedReply.owner_id.is_not(None), SavedReply.id)
    )
    return list(rows)


async def get(*, session: AsyncSession, reply_id: int) -> SavedReply | None:
    return await session.get(SavedReply, reply_id, populate_existing=True)


async def count_in_scope(*, session: AsyncSession, owner_id: int | None) -> int:
    """How many replies the scope holds: the shared ones (None) or one agent's own."""
    scope = SavedReply.owner_id.is_(None) if owner_id is None else SavedReply.owner_id == owner_id
    return int(await session.scalar(select(func.count()).select_from(SavedReply).where(scope)) or 0)


async def insert(
    *,
    session: AsyncSession,
    owner_id: int | None,
    shortcut: str,
    title: str,
    text_en: str | None,
    text_hu: str | None,
    created_by: int,
    now: datetime,
) -> SavedReply:
    """Raises sqlalchemy's IntegrityError when the scope has the shortcut already."""
    reply = SavedReply(
        owner_id=owner_id,
        shortcut=shortcut,
        title=title,
        text_en=text_en,
        text_hu=text_hu,
        created_by=created_by,
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(reply)
    await session.flush()
    return reply


async def update_at_version(
    *,
    session: AsyncSession,
    reply_id: int,
    version: int,
    shortcut: str,
    title: str,
    text_en: str | None,
    text_hu: str | None,
    now: datetime,
) -> bool:
    """Changes the reply if it is still at `version`; False when it is not (or is gone).
    Raises sqlalchemy's IntegrityError when the scope has the new shortcut already."""
    result = await session.execute(
        update(SavedReply)
        .where(SavedReply.id == reply_id, SavedReply.version == version)
        .values(
            shortcut=shortcut,
            title=title,
            text_en=text_en,
            text_hu=text_hu,
            updated_at=now,
            version=version + 1,
        )
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def delete_at_version(*, session: AsyncSession, reply_id: int, version: int) -> bool:
    """Deletes the reply if it is still at `version`; False when it is not (or is gone)."""
    result = await session.execute(
        delete(SavedReply).where(SavedReply.id == reply_id, SavedReply.version == version)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
