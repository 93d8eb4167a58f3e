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
                session=session, now=now, until=now + timedelta(minutes=2), limit=10
            )
            assert [m.text for m in claimed] == ["first", "second"]  # in the customer's order
        async with sessions.begin() as session:  # another process, a moment later
            assert await outbox.claim_due(session=session, now=now, until=now, limit=10) == []
    finally:
        await engine.dispose()
