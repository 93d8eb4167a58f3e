"""A returning customer's earlier chats, for the agent who has them now: what they asked, how
it ended, what they scored us. Conversations are linked by the widget's anonymous visitor id
and by an identified customer's id (bridge.services.identity), across browsers;
see bridge.db.customer_history for what counts as an earlier chat.

The console shows the list beside the live chat, and every handoff view carries the summary
("returning customer · 3 earlier chats · last NPS 4"); a queue snapshot finds the summaries of
all its handoffs in one query (`summaries`).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db import customer_history as sql
from bridge.db.handoffs import UnknownConversation

HISTORY_LIMIT: Final = 20
TOPIC_CHARS: Final = 140

# How the chat ended, from its newest handoff: closed / handed_back (by an agent), missed (the
# customer left the queue before anyone came), open (still waiting or with an agent); with no
# such handoff, left_message (a message for the agents was left), cancelled (the customer
# asked for a person, then stopped waiting) or bot (the bot alone answered).
Outcome = Literal["bot", "closed", "handed_back", "missed", "left_message", "cancelled", "open"]
_BY_HANDOFF: Final[dict[str, Outcome]] = {
    "closed": "closed",
    "returned": "handed_back",
    "missed": "missed",
    "waiting": "open",
    "claimed": "open",
}


@dataclass(frozen=True)
class Returning:
    """The summary: earlier chats (all of them, not only those listed) and the newest NPS
    answer given in one of them."""

    earlier_chats: int
    last_nps: int | None


@dataclass(frozen=True)
class EarlierChat:
    conversation_id: str
    started_at: datetime
    language: str
    # The customer's first message, or the question that led to a handoff; shortened.
    topic: str | None
    outcome: Outcome
    agent: str | None  # who closed it or handed it back
    nps_score: int | None


@dataclass(frozen=True)
class CustomerHistory:
    conversation_id: str
    summary: Returning
    chats: list[EarlierChat]  # newest first, at most HISTORY_LIMIT


def shorten(text: str | None, limit: int = TOPIC_CHARS) -> str | None:
    """One line of at most `limit` characters, or None for nothing to say."""
    if text is None:
        return None
    line = " ".join(text.split())
    if not line:
        return None
    return line if len(line) <= limit else f"{line[: limit - 1].rstrip()}…"


def _utc(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; the bridge stores UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _outcome(handoff: sql.LastHandoff | None, left_message: bool) -> tuple[Outcome, str | None]:
    if handoff is not None and handoff.status in _BY_HANDOFF:
        outcome = _BY_HANDOFF[handoff.status]
        named = outcome in ("closed", "handed_back")
        return outcome, handoff.agent if named else None
    if left_message:
        return "left_message", None
    if handoff is not None and handoff.status == "cancelled":
        return "cancelled", None
    return "bot", None


async def history(
    *, session: AsyncSession, conversation_id: str, limit: int = HISTORY_LIMIT
) -> CustomerHistory:
    """The earlier chats of the conversation's visitor; raises `UnknownConversation`."""
    found = await sql.anchor(session=session, conversation_id=conversation_id)
    if found is None:
        raise UnknownConversation(conversation_id)
    if found.visitor_id is None and found.customer_id is None:  # anonymous, or erased
        return CustomerHistory(conversation_id, Returning(0, None), [])
    rows = await sql.earlier_conversations(
        session=session,
        visitor_id=found.visitor_id,
        customer_id=found.customer_id,
        created_at=found.created_at,
        exclude=conversation_id,
        limit=limit,
    )
    if not rows:
        return CustomerHistory(conversation_id, Returning(0, None), [])
    ids = [row.id for row in rows]
    firsts = await sql.first_customer_messages(session=session, conversation_ids=ids)
    handoffs = await sql.last_handoffs(session=session, conversation_ids=ids)
    messages_left = await sql.with_offline_requests(session=session, conversation_ids=ids)
    scores = await sql.last_scores(session=session, conversation_ids=ids)
    chats = []
    for row in rows:
        handoff = handoffs.get(row.id)
        outcome, agent = _outcome(handoff, row.id in messages_left)
        topic = shorten(firsts.get(row.id)) or shorten(handoff.last_question if handoff else None)
        chats.append(
            EarlierChat(
                conversation_id=row.id,
                started_at=_utc(row.created_at),
                language=row.language,
                topic=topic,
                outcome=outcome,
                agent=agent,
                nps_score=scores.get(row.id),
            )
        )
    # The same query as the queue's, so the console never shows two different summaries.
    summary = (await summaries(session=session, conversation_ids=[conversation_id])).get(
        conversation_id, Returning(len(chats), None)
    )
    return CustomerHistory(conversation_id, summary, chats)


async def summaries(*, session: AsyncSession, conversation_ids: list[str]) -> dict[str, Returning]:
    """The summary of each conversation that has earlier chats (the others are left out), in
    one query however many there are."""
    found = await sql.returning_counts(session=session, conversation_ids=conversation_ids)
    return {cid: Returning(count, score) for cid, (count, score) in found.items()}
