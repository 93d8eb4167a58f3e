"""The conversations view: every conversation (bot-only ones too), filtered and searched,
newest activity first, a page at a time; and one conversation's whole record, read-only.

A page is found in two ways (bridge/db/conversation_search.py): when a query finds few
messages, their conversations are filtered and sorted; when it finds many, the list is walked
newest first in growing windows until the page is full, and what the walk could not fill is
taken the first way. Pages follow one another by a cursor (the last conversation's activity
time and id): a conversation that gets a new message while someone pages moves to the top and
is not shown twice on later pages.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import agent_records, repository
from bridge.db import conversation_records as records
from bridge.db import conversation_search as search
from bridge.db.conversation_records import AgentName, HandoffEntry
from bridge.db.conversation_search import Filters, Match, PageKey
from bridge.db.models import AnswerFeedback, Conversation, ConversationNote, Message, NpsSurvey
from bridge.services.search_text import (
    SearchRefused,
    SearchTerms,
    Segment,
    highlight,
    message_matches,
    parse_query,
    plain,
    snippet,
)

MAX_PAGE = 50
TOPIC_CHARS = 120
SNIPPETS_PER_CONVERSATION = 3
# Messages read for the snippets of one page (a page of very long chats shows fewer).
SNIPPET_MESSAGES = 5000
TRANSCRIPT_LIMIT = 5000
FEEDBACK_LIMIT = 200


class BadCursor(SearchRefused):
    code = "bad_cursor"


class BadDateRange(SearchRefused):
    code = "bad_range"


class UnknownAgent(SearchRefused):
    code = "unknown_agent"


class UnknownConversation(LookupError):
    pass


@dataclass(frozen=True)
class Snippet:
    """A message the query found, cut around its first hit, the hits marked."""

    seq: int
    role: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class ConversationHit:
    conversation_id: str
    created_at: datetime
    updated_at: datetime
    status: str
    language: str
    erased: bool
    message_count: int
    topic: str | None
    agents: tuple[AgentName, ...]
    handoffs: int
    nps_score: int | None
    nps_category: str | None
    snippets: tuple[Snippet, ...]


@dataclass(frozen=True)
class ConversationPage:
    hits: tuple[ConversationHit, ...]
    next_cursor: str | None  # None: this is the last page


@dataclass(frozen=True)
class ConversationRecord:
    """Everything held about one conversation, as an agent may read it afterwards."""

    conversation: Conversation
    messages: list[Message]
    notes: list[ConversationNote]
    handoffs: list[HandoffEntry]
    surveys: list[NpsSurvey]
    feedback: list[AnswerFeedback]
    # The messages a search found, by seq, their found words marked (none without a search).
    highlights: dict[int, tuple[Segment, ...]]


def utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; the bridge stores UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def encode_cursor(key: PageKey) -> str:
    raw = f"{utc(key.updated_at).isoformat()}|{key.conversation_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> PageKey:
    """Raises `BadCursor` for anything `encode_cursor` did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, conversation_id = raw.partition("|")
        updated_at = datetime.fromisoformat(moment)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor("this cursor was not given by the conversations list") from exc
    if not conversation_id or len(conversation_id) > 36 or updated_at.tzinfo is None:
        raise BadCursor("this cursor was not given by the conversations list")
    return PageKey(updated_at.astimezone(UTC), conversation_id)


class ConversationHistory:
    """Reads only. The thresholds choose the way to a page (bridge/db/conversation_search.py):
    `narrow`, up to how many conversations a period of creation or an agent leaves for all of
    them to be looked into; `rare_matches`, up to how many matching messages a query finds for
    their conversations to be sorted; `windows`, the steps of the walk through the list for a
    common word, before the rest is taken from the matches."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        narrow: int = 3000,
        rare_matches: int = 10_000,
        windows: Sequence[int] = (1000, 5000),
    ) -> None:
        if narrow < 0 or rare_matches < 1 or not windows or min(windows) < 1:
            raise ValueError("narrow must be 0 or more, rare_matches and each window 1 or more")
        self._sessions = sessions
        self._narrow = narrow
        self._rare = rare_matches
        self._windows = tuple(windows)

    async def search(
        self, filters: Filters, *, query: str | None, cursor: str | None, limit: int
    ) -> ConversationPage:
        """Raises `SearchRefused` (its `code` says why) before reading anything."""
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit is 1 to {MAX_PAGE}")
        since, before = filters.since, filters.before
        if since is not None and before is not None and since > before:
            raise BadDateRange("the start of the period is after its end")
        terms = parse_query(query) if query and query.strip() else None
        after = decode_cursor(cursor) if cursor else None
        async with self._sessions() as session:
            if filters.agent_id is not None and not await records.agent_exists(
                session=session, agent_id=filters.agent_id
            ):
                raise UnknownAgent(f"there is no staff member {filters.agent_id}")
            if session.get_bind().dialect.name == "postgresql":
                # Plans for the values at hand: a common and a rare word need different ones.
                await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            keys = await self._keys(session, filters, terms, after, limit + 1)
            shown = keys[:limit]
            ids = [key.conversation_id for key in shown]
            found = await records.summaries(session=session, conversation_ids=ids)
            snippets = await self._snippets(session, ids, terms) if terms else {}
        hits = tuple(_hit(row, snippets.get(row.conversation.id, ())) for row in found)
        more = len(keys) > limit
        return ConversationPage(hits, encode_cursor(shown[-1]) if more and shown else None)

    async def _keys(
        self,
        session: AsyncSession,
        filters: Filters,
        terms: SearchTerms | None,
        after: PageKey | None,
        limit: int,
    ) -> list[PageKey]:
        """The keys of the next `limit` hits, whichever way is cheap for this search."""
        narrowing = search.Narrowing()
        if filters.by_creation or filters.agent_id is not None:
            narrowing = await search.narrowing(session=session, filters=filters, cap=self._narrow)
        if terms is None:
            return await search.conversations(
                session=session, filters=filters, after=after, limit=limit, narrowing=narrowing
            )
        match = await search.prepare(session=session, terms=terms)
        if narrowing.narrow:  # few conversations: look into all of them
            candidates = await search.conversations(
                session=session, filters=filters, after=after, limit=None, narrowing=narrowing
            )
            return await self._having(session, candidates, match, limit)
        # A common word fills the page from the first window; a rare one is counted after it.
        keys: list[PageKey] = []
        for step, size in enumerate(self._windows):
            window, last = await search.window(
                session=session, filters=filters, after=after, size=size
            )
            keys += await self._having(session, window, match, limit - len(keys))
            if len(keys) >= limit or last is None:
                return keys
            after = last
            if step == 0 and await self._rare_query(session, match):
                break
        return keys + await search.with_matches(
            session=session, filters=filters, after=after, limit=limit - len(keys), match=match
        )

    async def _rare_query(self, session: AsyncSession, match: Match) -> bool:
        found = await search.count_matches(session=session, match=match, cap=self._rare)
        return found < self._rare

    @staticmethod
    async def _having(
        session: AsyncSession, keys: list[PageKey], match: Match, limit: int
    ) -> list[PageKey]:
        """The first `limit` of `keys` with a message the query finds."""
        found = await search.having_matches(
            session=session, conversation_ids=[key.conversation_id for key in keys], match=match
        )
        return [key for key in keys if key.conversation_id in found][:limit]

    async def _snippets(
        self, session: AsyncSession, ids: list[str], terms: SearchTerms
    ) -> dict[str, tuple[Snippet, ...]]:
        """Per conversation the first messages the query finds. The database chose the
        conversations; the words are marked here, the same way on both databases."""
        found: dict[str, list[Snippet]] = {}
        for message in await search.messages_of(
            session=session, conversation_ids=ids, limit=SNIPPET_MESSAGES
        ):
            shown = found.setdefault(message.conversation_id, [])
            if len(shown) < SNIPPETS_PER_CONVERSATION and message_matches(message.text, terms):
                shown.append(Snippet(message.seq, message.role, snippet(message.text, terms)))
        return {cid: tuple(shown) for cid, shown in found.items()}

    async def record(self, conversation_id: str, *, query: str | None = None) -> ConversationRecord:
        """Raises `UnknownConversation`, or `SearchRefused` for a `query` the list would refuse
        (it is the search the record was opened from: its words are marked)."""
        terms = parse_query(query) if query and query.strip() else None
        async with self._sessions() as session:
            found = await repository.get_conversation(
                session=session, conversation_id=conversation_id
            )
            if found is None:
                raise UnknownConversation(conversation_id)
            messages = await repository.list_messages(
                session=session, conversation_id=conversation_id, after=0, limit=TRANSCRIPT_LIMIT
            )
            return ConversationRecord(
                conversation=found,
                messages=messages,
                notes=await agent_records.list_notes(
                    session=session, conversation_id=conversation_id
                ),
                handoffs=await records.handoff_history(
                    session=session, conversation_id=conversation_id
                ),
                surveys=await records.surveys(session=session, conversation_id=conversation_id),
                feedback=await records.feedback(
                    session=session, conversation_id=conversation_id, limit=FEEDBACK_LIMIT
                ),
                highlights=_highlights(messages, terms),
            )

    async def chat_staff(self) -> list[AgentName]:
        """The choices of the agent filter."""
        async with self._sessions() as session:
            return await records.chat_staff(session=session)


def _highlights(
    messages: list[Message], terms: SearchTerms | None
) -> dict[int, tuple[Segment, ...]]:
    if terms is None:
        return {}
    return {m.seq: highlight(m.text, terms) for m in messages if message_matches(m.text, terms)}


def _hit(row: records.Summary, snippets: tuple[Snippet, ...]) -> ConversationHit:
    conversation = row.conversation
    return ConversationHit(
        conversation_id=conversation.id,
        created_at=utc(conversation.created_at),
        updated_at=utc(conversation.updated_at),
        status=conversation.status,
        language=conversation.language,
        erased=conversation.erased_at is not None,
        message_count=row.message_count,
        topic=plain(row.topic, TOPIC_CHARS) if row.topic else None,
        agents=row.agents,
        handoffs=row.handoffs,
        nps_score=row.nps_score,
        nps_category=row.nps_category,
        snippets=snippets,
    )
