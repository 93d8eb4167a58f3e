"""SQL for transfers of a claimed chat: keyword-only functions; callers own the transaction.

The agent who holds a handoff offers it to a colleague (`pending`); the colleague `accepted`
or `declined` it, the sender `cancelled` it, or nobody acted in time and it `expired` (the
sender keeps the chat). Sent back to the queue instead, a transfer is `queued` at once.

As in bridge.db.handoffs every change is one conditional UPDATE on the current state, so of two
agents acting at once exactly one wins, and only then is a row read again to say why the other
lost. The lock order is the handoffs' one, extended: the handoff row first (an offer takes it
with an UPDATE that changes nothing, so that it waits for a close or another offer in flight
and then sees its result), then its transfers, then the conversation. Functions that change
only a transfer (decline, cancel, expire) touch nothing else, so no two operations ever wait
for each other in a circle.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final, Literal, get_args

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import handoffs
from bridge.db.models import Conversation, Handoff, HandoffTransfer

Status = Literal["pending", "accepted", "declined", "cancelled", "expired", "queued"]
STATUSES: Final = get_args(Status)
_PENDING_INDEX = "uq_handoff_transfers_pending"


# Why a transfer operation was refused; the API answers with these codes.
Refusal = Literal["unknown", "self_transfer", "transfer_pending", "decided", "not_for_you", "void"]
_REASONS: Final[dict[Refusal, str]] = {
    "unknown": "no transfer {id}",
    "self_transfer": "agent {id} cannot transfer a chat to themselves",
    # The handoff is offered to someone already: that offer is decided (or cancelled) first.
    "transfer_pending": "handoff {id} already has a pending transfer",
    # Accepted, declined, cancelled or expired already.
    "decided": "transfer {id} is {status}",
    # Only the receiver accepts or declines an offer, only its sender cancels it.
    "not_for_you": "transfer {id} is not yours to decide",
    # The chat is no longer with the sender (closed, handed back, requeued): nothing to take.
    "void": "transfer {id} is void: the chat left its sender",
}


class TransferError(Exception):
    """A transfer operation was refused; nothing was changed. `code` says why, `subject_id`
    names the transfer (the handoff for `transfer_pending`, the agent for `self_transfer`),
    and `status` is what became of a `decided` offer."""

    def __init__(self, code: Refusal, subject_id: int, *, status: str | None = None) -> None:
        super().__init__(_REASONS[code].format(id=subject_id, status=status))
        self.code: Refusal = code
        self.subject_id = subject_id
        self.status = status


async def get_transfer(*, session: AsyncSession, transfer_id: int) -> HandoffTransfer | None:
    return await session.get(HandoffTransfer, transfer_id, populate_existing=True)


async def pending_for(*, session: AsyncSession, agent_id: int) -> list[HandoffTransfer]:
    """The offers waiting for this agent's answer, and the ones this agent is waiting on."""
    rows = await session.scalars(
        select(HandoffTransfer)
        .where(
            HandoffTransfer.status == "pending",
            (HandoffTransfer.to_agent_id == agent_id) | (HandoffTransfer.from_agent_id == agent_id),
        )
        .order_by(HandoffTransfer.created_at, HandoffTransfer.id)
    )
    return list(rows)


async def offer(
    *,
    session: AsyncSession,
    handoff_id: int,
    from_agent_id: int,
    to_agent_id: int,
    note: str | None,
    now: datetime,
) -> HandoffTransfer:
    """Offer the handoff its sender holds to a colleague.

    Raises `TransferError` (`self_transfer`, `transfer_pending`) and the handoff's refusals
    (`handoffs.UnknownHandoff`, `NotYourHandoff`, `HandoffNotActive`).
    """
    if to_agent_id == from_agent_id:
        raise TransferError("self_transfer", from_agent_id)
    handoff = await _hold(session, handoff_id, from_agent_id, values={})
    await _refuse_if_pending(session, handoff_id)
    row = HandoffTransfer(
        handoff_id=handoff_id,
        conversation_id=handoff.conversation_id,
        from_agent_id=from_agent_id,
        to_agent_id=to_agent_id,
        note=note or None,
        status="pending",
        created_at=now,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:  # the index's last word; the handoff's lock makes it rare
        if _PENDING_INDEX in str(exc.orig) or "handoff_transfers.handoff_id" in str(exc.orig):
            raise TransferError("transfer_pending", handoff_id) from exc
        raise
    return row


async def to_queue(
    *,
    session: AsyncSession,
    handoff_id: int,
    from_agent_id: int,
    note: str | None,
    now: datetime,
) -> tuple[HandoffTransfer, Handoff]:
    """Put the handoff its sender holds back in the queue, at its old place (as `requeue`
    does), and record that as a `queued` transfer.

    Raises `TransferError` `transfer_pending` (cancel the offer first) and the handoff's
    refusals.
    """
    handoff = await _hold(
        session,
        handoff_id,
        from_agent_id,
        values={"status": "waiting", "claimed_by": None, "claimed_at": None},
    )
    await _refuse_if_pending(session, handoff_id)
    await session.execute(
        update(Conversation)
        .where(Conversation.id == handoff.conversation_id)
        .values(status="waiting_for_agent", updated_at=now)
    )
    row = HandoffTransfer(
        handoff_id=handoff_id,
        conversation_id=handoff.conversation_id,
        from_agent_id=from_agent_id,
        to_agent_id=None,
        note=note or None,
        status="queued",
        created_at=now,
        decided_at=now,
    )
    session.add(row)
    await session.flush()
    return row, handoff


async def accept(
    *,
    session: AsyncSession,
    transfer_id: int,
    agent_id: int,
    offered_since: datetime,
    now: datetime,
) -> tuple[HandoffTransfer, Handoff]:
    """The receiver takes the chat: the handoff is theirs if, at that moment, the offer is
    still pending (and made at or after `offered_since`: older ones have expired) and the
    sender still holds the chat.

    The handoff keeps its `claimed_at`: it is when an agent first took the customer, which
    first-response times are measured from; the transfer row records when it changed hands.

    Raises `TransferError`: `unknown`, `not_for_you`, `decided` (status "expired" for an
    offer past its time that nobody has marked yet), `void`.
    """
    transfer = await _require(session, transfer_id)
    if transfer.to_agent_id is None or transfer.to_agent_id != agent_id:
        raise TransferError("not_for_you", transfer_id)
    still_offered = exists().where(
        HandoffTransfer.id == transfer_id,
        HandoffTransfer.status == "pending",
        HandoffTransfer.created_at >= offered_since,
    )
    handoff = await session.scalar(
        update(Handoff)
        .where(
            Handoff.id == transfer.handoff_id,
            Handoff.status == "claimed",
            Handoff.claimed_by == transfer.from_agent_id,
            still_offered,
        )
        .values(claimed_by=agent_id)
        .returning(Handoff)
        .execution_options(populate_existing=True)
    )
    if handoff is None:
        raise await _accept_refusal(session, transfer_id, offered_since)
    # The handoff's lock is ours; this UPDATE is the last word against a decline or cancel
    # that slipped in (their commit makes it match nothing, and the caller rolls back).
    decided = await _decide(
        session,
        transfer_id,
        allowed=HandoffTransfer.status == "pending",
        status="accepted",
        now=now,
    )
    if decided is None:
        raise await _accept_refusal(session, transfer_id, offered_since)
    return decided, handoff


async def decline(
    *, session: AsyncSession, transfer_id: int, agent_id: int, now: datetime
) -> HandoffTransfer:
    """The receiver says no; the sender keeps the chat. Raises `TransferError`: `unknown`,
    `not_for_you`, `decided`."""
    row = await _decide(
        session,
        transfer_id,
        allowed=and_(HandoffTransfer.status == "pending", HandoffTransfer.to_agent_id == agent_id),
        status="declined",
        now=now,
    )
    if row is None:
        raise await _refusal(session, transfer_id, lambda t: t.to_agent_id == agent_id)
    return row


async def cancel(
    *, session: AsyncSession, transfer_id: int, agent_id: int, now: datetime
) -> HandoffTransfer:
    """The sender takes the offer back. Raises `TransferError`: `unknown`, `not_for_you`,
    `decided`."""
    row = await _decide(
        session,
        transfer_id,
        allowed=and_(
            HandoffTransfer.status == "pending", HandoffTransfer.from_agent_id == agent_id
        ),
        status="cancelled",
        now=now,
    )
    if row is None:
        raise await _refusal(session, transfer_id, lambda t: t.from_agent_id == agent_id)
    return row


async def cancel_pending(
    *, session: AsyncSession, handoff_id: int, now: datetime
) -> HandoffTransfer | None:
    """Withdraw the handoff's pending offer, if it has one: the chat is being closed, handed
    back or requeued (call it after the handoff's own UPDATE, in the same transaction)."""
    return await session.scalar(
        update(HandoffTransfer)
        .where(HandoffTransfer.handoff_id == handoff_id, HandoffTransfer.status == "pending")
        .values(status="cancelled", decided_at=now)
        .returning(HandoffTransfer)
        .execution_options(populate_existing=True)
    )


async def expire(
    *, session: AsyncSession, offered_before: datetime, now: datetime
) -> list[HandoffTransfer]:
    """Mark the offers made before `offered_before` and still pending as expired; each is
    returned to exactly one caller, however many processes sweep at once."""
    rows = await session.scalars(
        update(HandoffTransfer)
        .where(HandoffTransfer.status == "pending", HandoffTransfer.created_at < offered_before)
        .values(status="expired", decided_at=now)
        .returning(HandoffTransfer)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def _hold(
    session: AsyncSession, handoff_id: int, agent_id: int, *, values: dict[str, object]
) -> Handoff:
    """The conditional UPDATE on the handoff that the sender holds (with no `values`, one that
    changes nothing but takes the row's lock); raises the handoff's refusal otherwise."""
    handoff = await session.scalar(
        update(Handoff)
        .where(
            Handoff.id == handoff_id, Handoff.status == "claimed", Handoff.claimed_by == agent_id
        )
        .values(values or {"claimed_by": Handoff.claimed_by})
        .returning(Handoff)
        .execution_options(populate_existing=True)
    )
    if handoff is not None:
        return handoff
    current = await handoffs.get_handoff(session=session, handoff_id=handoff_id)
    if current is None:
        raise handoffs.UnknownHandoff(handoff_id)
    if current.status == "claimed":
        raise handoffs.NotYourHandoff(handoff_id)
    raise handoffs.HandoffNotActive(handoff_id, current.status)


async def _refuse_if_pending(session: AsyncSession, handoff_id: int) -> None:
    pending = await session.scalar(
        select(HandoffTransfer.id).where(
            HandoffTransfer.handoff_id == handoff_id, HandoffTransfer.status == "pending"
        )
    )
    if pending is not None:
        raise TransferError("transfer_pending", handoff_id)


async def _decide(
    session: AsyncSession,
    transfer_id: int,
    *,
    allowed: ColumnElement[bool],
    status: Status,
    now: datetime,
) -> HandoffTransfer | None:
    return await session.scalar(
        update(HandoffTransfer)
        .where(HandoffTransfer.id == transfer_id, allowed)
        .values(status=status, decided_at=now)
        .returning(HandoffTransfer)
        .execution_options(populate_existing=True)
    )


async def _require(session: AsyncSession, transfer_id: int) -> HandoffTransfer:
    transfer = await get_transfer(session=session, transfer_id=transfer_id)
    if transfer is None:
        raise TransferError("unknown", transfer_id)
    return transfer


async def _refusal(
    session: AsyncSession, transfer_id: int, is_party: Callable[[HandoffTransfer], bool]
) -> TransferError:
    """Why a decline or cancel matched no row."""
    current = await _require(session, transfer_id)
    if not is_party(current):
        return TransferError("not_for_you", transfer_id)
    return TransferError("decided", transfer_id, status=current.status)


async def _accept_refusal(
    session: AsyncSession, transfer_id: int, offered_since: datetime
) -> TransferError:
    current = await _require(session, transfer_id)
    if current.status != "pending":
        return TransferError("decided", transfer_id, status=current.status)
    if _aware(current.created_at) < _aware(offered_since):
        return TransferError("decided", transfer_id, status="expired")
    return TransferError("void", transfer_id)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they are UTC (see bridge.api.params)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
