"""The relay outbox's SQL on SQLite and PostgreSQL: a message overdue for its relay is
claimed by exactly one caller, one not due yet by none."""

from datetime import timedelta

from bridge.db import outbox, repository
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import utcnow


async def test_an_overdue_message_is_claimed_once_in_order(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    now = utcnow()
    try:
        async with sessions.begin() as session:
            conversation = await repository.create_conversation(
                session=session, language="en", visitor_id=None, page_url=None
            )
            stored = [
                await repository.append_message(
                    session=session, conversation_id=conversation.id, role="customer", text=text
                )
                for text in ("first", "second", "later", "answered")
            ]
            await outbox.hold(session=session, message_id=stored[1].id, until=now - timedelta(1))
            await outbox.hold(session=session, message_id=stored[0].id, until=now - timedelta(2))
            await outbox.hold(session=session, message_id=stored[2].id, until=now + timedelta(1))
            await outbox.hold(session=session, message_id=stored[3].id, until=now - timedelta(1))
            await outbox.done(session=session, message_id=stored[3].id)
        async with sessions.begin() as session:
            claimed = await outbox.claim_due(
                session=session,
                now=now,
                until=now + timedelta(minutes=2),
                limit=10,
                since=now - timedelta(hours=1),
            )
            assert [m.text for m in claimed] == ["first", "second"]  # in the customer's order
        async with sessions.begin() as session:  # another process, a moment later
            assert (
                await outbox.claim_due(
                    session=session, now=now, until=now, limit=10, since=now - timedelta(hours=1)
                )
                == []
            )
    finally:
        await engine.dispose()


async def test_a_relay_that_waited_past_its_lease_leaves_the_message_to_its_claimant(
    database_url: str,
) -> None:
    """A relay queued behind a long turn outlives its lease and a sweep claims the message:
    only the sweep's relay may renew it and send it to Rasa, so it is answered once."""
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    now = utcnow()
    first_lease, sweep_lease = now - timedelta(seconds=1), now + timedelta(minutes=2)
    try:
        async with sessions.begin() as session:
            conversation = await repository.create_conversation(
                session=session, language="en", visitor_id=None, page_url=None
            )
            message = await repository.append_message(
                session=session, conversation_id=conversation.id, role="customer", text="hi"
            )
            await outbox.hold(session=session, message_id=message.id, until=first_lease)
        async with sessions.begin() as session:
            [claimed] = await outbox.claim_due(
                session=session, now=now, until=sweep_lease, limit=10, since=now - timedelta(1)
            )
            assert claimed.id == message.id
        later = now + timedelta(minutes=5)
        async with sessions.begin() as session:
            assert not await outbox.renew(
                session=session, message_id=message.id, held_until=first_lease, until=later
            )
            assert await outbox.renew(
                session=session, message_id=message.id, held_until=sweep_lease, until=later
            )
            await outbox.done(session=session, message_id=message.id)
        async with sessions.begin() as session:  # relayed: nobody's any more
            assert not await outbox.renew(
                session=session, message_id=message.id, held_until=later, until=later
            )
    finally:
        await engine.dispose()


async def test_an_answer_clears_older_waiting_messages_and_too_old_ones_are_given_up(
    database_url: str,
) -> None:
    """A message kept after an apology is not answered once a newer one was (it would come
    out of order); one stored before `since` is taken out, not relayed."""
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    now = utcnow()
    try:
        async with sessions.begin() as session:
            chats = [
                await repository.create_conversation(
                    session=session, language="en", visitor_id=None, page_url=None
                )
                for _ in range(2)
            ]
            kept, answered, other = [
                await repository.append_message(
                    session=session, conversation_id=chat.id, role="customer", text=text
                )
                for chat, text in ((chats[0], "kept"), (chats[0], "answered"), (chats[1], "x"))
            ]
            for message in (kept, answered, other):
                await outbox.hold(session=session, message_id=message.id, until=now)
            await outbox.done_through(
                session=session, conversation_id=chats[0].id, message_id=answered.id
            )
        async with sessions.begin() as session:  # only the other conversation's is left
            [left] = await outbox.claim_due(
                session=session, now=now, until=now, limit=10, since=now - timedelta(1)
            )
            assert left.id == other.id
            await outbox.hold(session=session, message_id=other.id, until=now)
        async with sessions.begin() as session:  # stored before `since`: given up
            assert (
                await outbox.claim_due(
                    session=session, now=now, until=now, limit=10, since=now + timedelta(1)
                )
                == []
            )
        async with sessions() as session:
            assert not await outbox.renew(
                session=session, message_id=other.id, held_until=now, until=now
            )
    finally:
        await engine.dispose()
