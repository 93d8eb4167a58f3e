"""Transfers racing each other and the chat's end, at the database (SQLite and PostgreSQL):
each contender's transaction is open on its own connection before any of them writes, and
exactly one wins, leaving a state that agrees with the winner."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import handoffs, repository, transfers, users
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import Handoff, HandoffTransfer
from bridge.services.transfer_views import withdraw

Sessions = async_sessionmaker[AsyncSession]


class Pair(NamedTuple):
    sender: int
    receiver: int


Work = Callable[[AsyncSession], Awaitable[Any]]
ROUNDS = 5


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def agents(sessions: Sessions) -> tuple[int, int, int]:
    async with sessions.begin() as session:
        made = [
            await users.create_user(
                session=session,
                email=f"{name}@example.com",
                display_name=name.title(),
                role="agent",
                password_hash="not-a-real-hash",
            )
            for name in ("anna", "bela", "cili")
        ]
        return made[0].id, made[1].id, made[2].id


def now() -> datetime:
    return datetime.now(UTC)


async def claimed_handoff(sessions: Sessions, agent_id: int) -> int:
    async with sessions.begin() as session:
        conversation = await repository.create_conversation(
            session=session, language="en", visitor_id=None, page_url=None
        )
        handoff = await handoffs.open_handoff(
            session=session, conversation_id=conversation.id, reason="no_answer", context={}
        )
        await handoffs.claim(session=session, handoff_id=handoff.id, agent_id=agent_id)
        return handoff.id


async def offered(sessions: Sessions, handoff_id: int, sender: int, receiver: int) -> int:
    async with sessions.begin() as session:
        row = await transfers.offer(
            session=session,
            handoff_id=handoff_id,
            from_agent_id=sender,
            to_agent_id=receiver,
            note=None,
            now=now(),
        )
        return row.id


async def at_once(sessions: Sessions, *works: Work) -> list[Any]:
    """Every `work` in its own transaction, all begun before any of them runs."""
    ready = asyncio.Barrier(len(works))

    async def attempt(work: Work) -> Any:
        async with sessions.begin() as session:
            await session.connection()
            await ready.wait()
            return await work(session)

    return await asyncio.gather(*(attempt(work) for work in works), return_exceptions=True)


async def state(sessions: Sessions, handoff_id: int) -> tuple[Handoff, list[HandoffTransfer]]:
    async with sessions() as session:
        handoff = await handoffs.get_handoff(session=session, handoff_id=handoff_id)
        assert handoff is not None
        rows = await session.scalars(
            select(HandoffTransfer)
            .where(HandoffTransfer.handoff_id == handoff_id)
            .order_by(HandoffTransfer.id)
        )
        return handoff, list(rows)


def one_winner(results: list[Any]) -> tuple[int, BaseException]:
    """The index of the only result that is not an exception, and the loser's exception."""
    won = [i for i, r in enumerate(results) if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1, results
    return won[0], lost[0]


def is_refusal(error: BaseException, expected: type[Exception] | transfers.Refusal) -> bool:
    """`error` is the handoff's refusal `expected` names (a class) or the transfer's (a code)."""
    if isinstance(expected, str):
        return isinstance(error, transfers.TransferError) and error.code == expected
    return isinstance(error, expected)


async def _send(
    session: AsyncSession, *, handoff_id: int, sender: int, receiver: int | None
) -> Any:
    """An offer to `receiver`, or (None) back to the queue."""
    if receiver is None:
        return await transfers.to_queue(
            session=session, handoff_id=handoff_id, from_agent_id=sender, note=None, now=now()
        )
    return await transfers.offer(
        session=session,
        handoff_id=handoff_id,
        from_agent_id=sender,
        to_agent_id=receiver,
        note=None,
        now=now(),
    )


async def test_two_transfers_at_once_one_wins(
    sessions: Sessions, agents: tuple[int, int, int]
) -> None:
    """Anna in two tabs offers one chat to Bela and to Cili (or to the queue) at once."""
    anna, bela, cili = agents
    for round_ in range(ROUNDS):
        handoff_id = await claimed_handoff(sessions, anna)
        other = cili if round_ % 2 else None
        results = await at_once(
            sessions,
            partial(_send, handoff_id=handoff_id, sender=anna, receiver=bela),
            partial(_send, handoff_id=handoff_id, sender=anna, receiver=other),
        )
        winner, loser = one_winner(results)
        handoff, rows = await state(sessions, handoff_id)
        if winner == 0:  # Bela's offer is pending; the other is told so
            assert is_refusal(loser, "transfer_pending"), repr(loser)
            assert [(r.status, r.to_agent_id) for r in rows] == [("pending", bela)]
            assert (handoff.status, handoff.claimed_by) == ("claimed", anna)
        elif other is None:  # back in the queue first: nothing left to offer
            assert isinstance(loser, handoffs.HandoffNotActive), repr(loser)
            assert [(r.status, r.to_agent_id) for r in rows] == [("queued", None)]
            assert (handoff.status, handoff.claimed_by) == ("waiting", None)
        else:
            assert is_refusal(loser, "transfer_pending"), repr(loser)
            assert [(r.status, r.to_agent_id) for r in rows] == [("pending", cili)]


async def _accept(session: AsyncSession, *, handoff_id: int, transfer_id: int, who: Pair) -> Any:
    return await transfers.accept(
        session=session,
        transfer_id=transfer_id,
        agent_id=who.receiver,
        offered_since=now() - timedelta(minutes=1),
        now=now(),
    )


async def _cancel(session: AsyncSession, *, handoff_id: int, transfer_id: int, who: Pair) -> Any:
    return await transfers.cancel(
        session=session, transfer_id=transfer_id, agent_id=who.sender, now=now()
    )


async def _decline(session: AsyncSession, *, handoff_id: int, transfer_id: int, who: Pair) -> Any:
    return await transfers.decline(
        session=session, transfer_id=transfer_id, agent_id=who.receiver, now=now()
    )


async def _close(session: AsyncSession, *, handoff_id: int, transfer_id: int, who: Pair) -> Any:
    """What HandoffService.close writes: the handoff, then its offer withdrawn."""
    row = await handoffs.close(session=session, handoff_id=handoff_id, agent_id=who.sender)
    await withdraw(session, row.id, now())
    return row


async def _hand_back(session: AsyncSession, *, handoff_id: int, transfer_id: int, who: Pair) -> Any:
    row = await handoffs.hand_back(session=session, handoff_id=handoff_id, agent_id=who.sender)
    await withdraw(session, row.id, now())
    return row


async def _requeue(session: AsyncSession, *, handoff_id: int, transfer_id: int, who: Pair) -> Any:
    """What HandoffService.requeue_agent writes for an agent whose consoles are gone."""
    row = await handoffs.requeue(session=session, handoff_id=handoff_id, agent_id=who.sender)
    await withdraw(session, row.id, now())
    return row


# A move against the receiver's accept; what it leaves when it wins (the handoff's status, the
# offer's), and what it is told when the accept wins.
Told = type[Exception] | transfers.Refusal
RIVALS: dict[str, tuple[Callable[..., Awaitable[Any]], str, str, Told]] = {
    "close": (_close, "closed", "cancelled", handoffs.NotYourHandoff),
    "hand_back": (_hand_back, "returned", "cancelled", handoffs.NotYourHandoff),
    "requeue": (_requeue, "waiting", "cancelled", handoffs.NotYourHandoff),
    "cancel": (_cancel, "claimed", "cancelled", "decided"),
    "decline": (_decline, "claimed", "declined", "decided"),
}


@pytest.mark.parametrize("rival", RIVALS)
async def test_an_accept_and_a_rival_move_at_once_one_wins(
    sessions: Sessions, agents: tuple[int, int, int], rival: str
) -> None:
    anna, bela, _ = agents
    move, handoff_after, offer_after, told = RIVALS[rival]
    for _ in range(ROUNDS):
        handoff_id = await claimed_handoff(sessions, anna)
        transfer_id = await offered(sessions, handoff_id, anna, bela)
        bound = {"handoff_id": handoff_id, "transfer_id": transfer_id, "who": Pair(anna, bela)}
        winner, loser = one_winner(
            await at_once(sessions, partial(_accept, **bound), partial(move, **bound))
        )
        handoff, [row] = await state(sessions, handoff_id)
        if winner == 0:  # Bela has the chat; the rival move found it gone
            assert (handoff.status, handoff.claimed_by, row.status) == ("claimed", bela, "accepted")
            assert is_refusal(loser, told), repr(loser)
        else:  # the accept is told the offer is over, and nothing of it was kept
            assert (handoff.status, row.status) == (handoff_after, offer_after)
            assert row.decided_at is not None
            assert handoff.claimed_by == (None if handoff_after == "waiting" else anna)
            assert isinstance(loser, transfers.TransferError), repr(loser)
            assert (loser.code, loser.status) == ("decided", offer_after)


@pytest.mark.parametrize("first", ["accept", "close"])
async def test_a_move_behind_an_uncommitted_one_sees_its_result(
    sessions: Sessions, agents: tuple[int, int, int], first: str
) -> None:
    """The second writer waits for the first transaction's lock (on PostgreSQL the handoff's
    row, on SQLite the database), then finds the chat gone: the first one's commit decides."""
    anna, bela, _ = agents
    handoff_id = await claimed_handoff(sessions, anna)
    transfer_id = await offered(sessions, handoff_id, anna, bela)
    bound = {"handoff_id": handoff_id, "transfer_id": transfer_id, "who": Pair(anna, bela)}
    moves = {"accept": partial(_accept, **bound), "close": partial(_close, **bound)}
    second_move = moves["close" if first == "accept" else "accept"]

    async def second_in_own_transaction() -> Any:
        async with sessions.begin() as session:
            return await second_move(session)

    holder = sessions()
    await holder.begin()
    try:
        await moves[first](holder)
        second = asyncio.create_task(second_in_own_transaction())
        await asyncio.sleep(0.2)  # let it reach the lock (it must wait, not win)
        await holder.commit()
    finally:
        await holder.close()
    expected: Told = handoffs.NotYourHandoff if first == "accept" else "decided"
    with pytest.raises((handoffs.HandoffError, transfers.TransferError)) as raised:
        await second
    assert is_refusal(raised.value, expected), repr(raised.value)
    handoff, [row] = await state(sessions, handoff_id)
    if first == "accept":
        assert (handoff.status, handoff.claimed_by, row.status) == ("claimed", bela, "accepted")
    else:
        assert (handoff.status, row.status) == ("closed", "cancelled")
