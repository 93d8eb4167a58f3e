"""SQL of identified customers: binding a checked identity to a conversation and reading it
back. Keyword-only functions; callers own the transaction.

A conversation's customer id is set once: the signature binds only the id, so a signed id
copied from another page could otherwise turn a conversation into someone else's. The same id
again refreshes the name, e-mail and attributes (a page view later, the order status changed).
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import Conversation
from bridge.services.identity import CustomerIdentity


class UnknownConversation(LookupError):
    pass


class IdentityConflict(Exception):
    """The conversation belongs to another customer; nothing was changed."""


@dataclass(frozen=True)
class StoredCustomer:
    id: str
    name: str | None
    email: str | None
    locale: str | None
    attributes: dict[str, Any]


def values(customer: CustomerIdentity) -> dict[str, Any]:
    return {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "customer_email": customer.email,
        "customer_locale": customer.locale,
        "customer_attributes": dict(customer.attributes),
    }


async def bind(*, session: AsyncSession, conversation_id: str, customer: CustomerIdentity) -> None:
    """Identify the conversation as `customer`, in one conditional UPDATE; raises
    `IdentityConflict` when it is another customer's, `UnknownConversation`."""
    found = await session.scalar(
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.erased_at.is_(None),
            or_(Conversation.customer_id.is_(None), Conversation.customer_id == customer.id),
        )
        .values(**values(customer))
        .returning(Conversation.id)
    )
    if found is not None:
        return
    exists = await session.scalar(
        select(Conversation.id).where(
            Conversation.id == conversation_id, Conversation.erased_at.is_(None)
        )
    )
    if exists is None:
        raise UnknownConversation(conversation_id)
    raise IdentityConflict(conversation_id)


def stored(conversation: Conversation) -> StoredCustomer | None:
    """The customer a loaded conversation row belongs to; None: anonymous."""
    if conversation.customer_id is None:
        return None
    return StoredCustomer(
        conversation.customer_id,
        conversation.customer_name,
        conversation.customer_email,
        conversation.customer_locale,
        dict(conversation.customer_attributes or {}),
    )


async def customer_of(*, session: AsyncSession, conversation_id: str) -> StoredCustomer | None:
    row = (
        await session.execute(
            select(
                Conversation.customer_id,
                Conversation.customer_name,
                Conversation.customer_email,
                Conversation.customer_locale,
                Conversation.customer_attributes,
            ).where(Conversation.id == conversation_id)
        )
    ).first()
    if row is None or row[0] is None:
        return None
    return StoredCustomer(row[0], row[1], row[2], row[3], dict(row[4] or {}))


async def names(*, session: AsyncSession, conversation_ids: list[str]) -> dict[str, str]:
    """The signed-in customer's name of each conversation that has one, in one query."""
    if not conversation_ids:
        return {}
    rows = await session.execute(
        select(Conversation.id, Conversation.customer_name).where(
            Conversation.id.in_(conversation_ids), Conversation.customer_name.is_not(None)
        )
    )
    return {conversation_id: name for conversation_id, name in rows.all() if name}
