"""SQL of the conversations view: every conversation, filtered, newest activity first, and the
full-text search over their messages. Keyword-only functions; callers own the session.

Which messages match a query (bridge.services.search_text) is decided by the index of
migration 0015: SQLite's FTS5 table `messages_fts`, PostgreSQL's GIN index over
`to_tsvector('simple', message_search_text(text))`. Both fold case and accents and take each
word as a prefix (one letter: the whole word); both need every query word in one message.

The service (bridge.services.conversation_search) combines three ways to a page of hits,
each cheap where the others are not:
- `candidates` + `having_matches`: a filter that leaves few conversations (a short period of
  creation, one agent's chats) names them all, and their messages are looked into;
- `with_matches`: a query that finds few messages: their conversations, filtered and sorted;
- `window` + `having_matches`: a common word: the list is looked into newest first, a
  window at a time, until the page is full.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, get_args

from sqlalchemy import (
    ColumnElement,
    Select,
    exists,
    func,
    literal_column,
    not_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause

from bridge.db.models import Conversation, Handoff, Message, NpsSurvey
from bridge.services.nps_stats import Category
from bridge.services.search_text import SearchTerms, is_prefix

# bot | waiting_for_agent | with_agent | closed: moved by bridge.db.handoffs.
Status = Literal["bot", "waiting_for_agent", "with_agent", "closed"]
STATUSES: Final = get_args(Status)
NpsFilter = Literal["promoter", "passive", "detractor", "none"]
NPS_FILTERS: Final = (*get_args(Category), "none")
DateField = Literal["created", "updated"]

_FTS = table("messages_fts", literal_column("rowid"))
_SIMPLE: ColumnClause[str] = literal_column("'simple'::regconfig")
_FOLD_WORDS = text(
    "SELECT message_search_text(word) FROM unnest(CAST(:words AS text[])) "
    "WITH ORDINALITY AS words(word, n) ORDER BY n"
)


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; None: any. `since` is inclusive, `before` exclusive, both
    of `date_field`. `agent_id`: conversations with a handoff that agent claimed."""

    status: Status | None = None
    language: str | None = None
    date_field: DateField = "updated"
    since: datetime | None = None
    before: datetime | None = None
    handed_off: bool | None = None
    nps: NpsFilter | None = None
    agent_id: int | None = None

    @property
    def by_creation(self) -> bool:
        return self.date_field == "created" and (self.since or self.before) is not None


@dataclass(frozen=True)
class PageKey:
    """A conversation's place in the list's order (newest activity first): a page ends at one,
    and the next page starts after it."""

    updated_at: datetime
    conversation_id: str


@dataclass(frozen=True)
class Match:
    """A prepared query: the FTS5 expression (SQLite) or the tsquery text (PostgreSQL)."""

    dialect: str
    expression: str


async def prepare(*, session: AsyncSession, terms: SearchTerms) -> Match:
    """The query in the database's syntax. Words are letters and digits only, and quoted
    besides, so no operator of either syntax can get in."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        quoted = [f'"{w}"' + ("*" if is_prefix(w) else "") for w in terms.words]
        return Match(dialect, " ".join(quoted))
    # Folded by the function the index uses, so both sides agree on every character.
    folded = await session.scalars(_FOLD_WORDS, {"words": list(terms.words)})
    lexemes: list[str] = []
    for word, folded_word in zip(terms.words, folded, strict=True):
        for part in (folded_word or "").split():
            escaped = part.replace("\\", "\\\\").replace("'", "''")
            lexemes.append(f"'{escaped}'" + (":*" if is_prefix(word) else ""))
    return Match(dialect, " & ".join(lexemes) or "''")


def _fts_rowids(match: Match) -> Select[int]:
    return select(_FTS.c.rowid).where(
        text("messages_fts MATCH :fts").bindparams(fts=match.expression)
    )


def message_matches(match: Match, *, per_message: bool = False) -> ColumnElement[bool]:
    """The messages the query finds, as a condition on `messages`. `per_message`: for a
    statement that reads some conversations' messages, rather than every match."""
    if match.dialect == "sqlite":
        # `+ 0`: SQLite lists the matches once per statement and looks each message up in the
        # list. Without it, the messages are read by the matches' ids.
        return (Message.id + 0 if per_message else Message.id).in_(_fts_rowids(match))
    vector = func.to_tsvector(_SIMPLE, func.message_search_text(Message.text))
    return vector.op("@@")(func.to_tsquery(_SIMPLE, match.expression))


async def count_matches(*, session: AsyncSession, match: Match, cap: int) -> int:
    """How many messages the query finds, counting no further than `cap`."""
    if match.dialect == "sqlite":
        found = _fts_rowids(match).limit(cap)
    else:
        found = select(Message.id).where(message_matches(match)).limit(cap)
    return int(await session.scalar(select(func.count()).select_from(found.subquery())) or 0)


def _ordered(filters: Filters, after: PageKey | None) -> Select[str, datetime]:
    """The list in its order, narrowed only by what its indexes answer: the status, the
    bounds on updated_at and the page key."""
    c = Conversation
    query = select(c.id, c.updated_at)
    if filters.status is not None:  # (status, updated_at, id)
        query = query.where(c.status == filters.status)
    if filters.since is not None:  # activity never precedes creation: a bound either way
        query = query.where(c.updated_at >= filters.since)
    if filters.before is not None and filters.date_field == "updated":
        query = query.where(c.updated_at < filters.before)
    if after is not None:
        query = query.where(
            tuple_(c.updated_at, c.id) < tuple_(after.updated_at, after.conversation_id)
        )
    return query.order_by(c.updated_at.desc(), c.id.desc())


def _filtered(
    filters: Filters, after: PageKey | None, *, creation_index: bool = True
) -> Select[str, datetime]:
    """The list with every filter. `creation_index=False`: the period of creation is checked
    on each row, so that SQLite walks the list's order instead of sorting a long period."""
    c = Conversation
    query = _ordered(filters, after)
    if filters.language is not None:
        query = query.where(c.language == filters.language)
    if filters.date_field == "created":
        created = c.created_at if creation_index else func.coalesce(c.created_at, c.created_at)
        if filters.since is not None:
            query = query.where(created >= filters.since)
        if filters.before is not None:
            query = query.where(created < filters.before)
    if filters.handed_off is not None:
        handed = exists().where(Handoff.conversation_id == c.id)
        query = query.where(handed if filters.handed_off else not_(handed))
    if filters.nps is not None:
        answered = exists().where(
            NpsSurvey.conversation_id == c.id,
            NpsSurvey.status == "answered",
            *([NpsSurvey.category == filters.nps] if filters.nps != "none" else []),
        )
        query = query.where(not_(answered) if filters.nps == "none" else answered)
    if filters.agent_id is not None:
        claimed = select(Handoff.conversation_id).where(Handoff.claimed_by == filters.agent_id)
        query = query.where(c.id.in_(claimed))
    return query


def _keys(rows: Sequence[tuple[str, datetime]]) -> list[PageKey]:
    return [PageKey(updated_at, conversation_id) for conversation_id, updated_at in rows]


@dataclass(frozen=True)
class Narrowing:
    """Which filters that an index answers leave few conversations."""

    by_creation: bool = False  # the period of creation
    by_agent: bool = False

    @property
    def narrow(self) -> bool:
        return self.by_creation or self.by_agent


async def _at_most(session: AsyncSession, ids: Select[str], cap: int) -> bool:
    counted = select(func.count()).select_from(ids.limit(cap + 1).subquery())
    return int(await session.scalar(counted) or 0) <= cap


async def narrowing(*, session: AsyncSession, filters: Filters, cap: int) -> Narrowing:
    """Whether the period of creation, or the agent, leaves `cap` conversations or fewer."""
    by_creation = by_agent = False
    if filters.by_creation:
        created = select(Conversation.id)
        if filters.since is not None:
            created = created.where(Conversation.created_at >= filters.since)
        if filters.before is not None:
            created = created.where(Conversation.created_at < filters.before)
        by_creation = await _at_most(session, created, cap)
    if filters.agent_id is not None:
        claimed = select(Handoff.conversation_id).where(Handoff.claimed_by == filters.agent_id)
        by_agent = await _at_most(session, claimed.distinct(), cap)
    return Narrowing(by_creation, by_agent)


async def conversations(
    *,
    session: AsyncSession,
    filters: Filters,
    after: PageKey | None,
    limit: int | None,
    narrowing: Narrowing,
) -> list[PageKey]:
    """The next `limit` conversations of the list (None: all of them, for a narrow filter)."""
    query = _filtered(filters, after, creation_index=narrowing.by_creation)
    rows = await session.execute(query if limit is None else query.limit(limit))
    return _keys(rows.all())


async def with_matches(
    *, session: AsyncSession, filters: Filters, after: PageKey | None, limit: int, match: Match
) -> list[PageKey]:
    """The next `limit` conversations with a message the query finds, from the matches (the
    way for a query that finds few messages: the cost follows their number)."""
    found = select(Message.conversation_id).where(message_matches(match)).distinct()
    # Materialized: PostgreSQL would otherwise look into each conversation's messages.
    hits = found.cte("hits").prefix_with("MATERIALIZED")
    query = _filtered(filters, after, creation_index=False).where(
        Conversation.id.in_(select(hits.c.conversation_id))
    )
    rows = await session.execute(query.limit(limit))
    return _keys(rows.all())


async def window(
    *, session: AsyncSession, filters: Filters, after: PageKey | None, size: int
) -> tuple[list[PageKey], PageKey | None]:
    """The conversations the filters leave among the next `size` of the list's order, and the
    last of those `size` when the list goes on after them (None: it ends within). The window
    is counted before the filters that need more than an index, so that its cost is bounded
    even when they let few conversations through."""
    bound = (await session.execute(_ordered(filters, after).offset(size - 1).limit(1))).first()
    query = _filtered(filters, after, creation_index=False)
    if bound is not None:
        query = query.where(
            tuple_(Conversation.updated_at, Conversation.id) >= tuple_(bound.updated_at, bound.id)
        )
    keys = _keys((await session.execute(query)).all())
    return keys, None if bound is None else PageKey(bound.updated_at, bound.id)


async def having_matches(
    *, session: AsyncSession, conversation_ids: Sequence[str], match: Match
) -> set[str]:
    """Which of these conversations have a message the query finds."""
    if not conversation_ids:
        return set()
    rows = await session.scalars(
        select(Message.conversation_id)
        .where(
            Message.conversation_id.in_(list(conversation_ids)),
            message_matches(match, per_message=True),
        )
        .distinct()
    )
    return set(rows)


async def messages_of(
    *, session: AsyncSession, conversation_ids: Sequence[str], limit: int
) -> list[Message]:
    """The messages of these conversations, each conversation's in order, `limit` at most."""
    if not conversation_ids:
        return []
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_id.in_(list(conversation_ids)))
        .order_by(Message.conversation_id, Message.seq)
        .limit(limit)
    )
    return list(rows)
