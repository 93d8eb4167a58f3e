"""Saved replies: texts an agent inserts into a chat by typing "/shortcut" in the console.

A reply is shared with every agent (kept by the admins) or one agent's own (kept by that
agent, seen by nobody else, not even an admin). Each has an English and a Hungarian text, at
least one; the console inserts the one in the chat's language and falls back to the other.
A text is never longer than a message may be (`max_message_chars`) and its `{placeholders}`
are checked here (reply_placeholders.py), so what an agent saves can always be sent.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import saved_replies as replies_db
from bridge.db.models import SavedReply
from bridge.services.chat_text import clean_text
from bridge.services.reply_placeholders import PLACEHOLDERS, check_placeholders
from bridge.services.staff_auth import StaffMember

# Enough for a team's whole repertoire, and a bound on what one list answer carries.
MAX_PER_SCOPE = 500
TEXT_FIELDS = (("text_en", "English"), ("text_hu", "Hungarian"))


class ReplyNotFound(LookupError):
    """No such reply, or another agent's own (which must not be told apart)."""


class NotAllowed(PermissionError):
    """Only admins change the shared replies."""


class ReplyInvalid(ValueError):
    """A text that could not be sent as it is; the message says what to change."""


class ShortcutTaken(ValueError):
    """The scope (the shared replies, or the agent's own) has this shortcut already."""


class TooManyReplies(ValueError):
    pass


class StaleVersion(Exception):
    """The reply changed since the editor loaded it; `current` is how it is now."""

    def __init__(self, current: "SavedReplyView") -> None:
        super().__init__(f"the reply changed meanwhile: it is at version {current.version} now")
        self.current = current


@dataclass(frozen=True)
class ReplyDraft:
    """What an editor sends: a new reply, or the new state of one."""

    shortcut: str
    title: str
    text_en: str | None
    text_hu: str | None


@dataclass(frozen=True)
class SavedReplyView:
    id: int
    shared: bool
    shortcut: str
    title: str
    text_en: str | None
    text_hu: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    editable: bool  # whether the reader may change it: their own, or shared and they are admin


@dataclass(frozen=True)
class ReplyList:
    replies: tuple[SavedReplyView, ...]
    placeholders: tuple[str, ...]
    max_chars: int
    can_edit_shared: bool


def _is_admin(member: StaffMember) -> bool:
    return member.role == "admin"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _view(reply: SavedReply, reader: StaffMember) -> SavedReplyView:
    shared = reply.owner_id is None
    return SavedReplyView(
        id=reply.id,
        shared=shared,
        shortcut=reply.shortcut,
        title=reply.title,
        text_en=reply.text_en,
        text_hu=reply.text_hu,
        version=reply.version,
        created_at=_utc(reply.created_at),
        updated_at=_utc(reply.updated_at),
        editable=_is_admin(reader) if shared else reply.owner_id == reader.id,
    )


class SavedReplies:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        max_chars: int,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if max_chars < 1:
            raise ValueError("max_chars must be at least 1")
        self._sessions = sessions
        self._max_chars = max_chars
        self._now = now

    async def visible_to(self, member: StaffMember) -> ReplyList:
        """The shared replies and `member`'s own, with what the console needs to edit them."""
        async with self._sessions() as session:
            rows = await replies_db.list_visible(session=session, owner_id=member.id)
        return ReplyList(
            replies=tuple(_view(row, member) for row in rows),
            placeholders=PLACEHOLDERS,
            max_chars=self._max_chars,
            can_edit_shared=_is_admin(member),
        )

    async def create(
        self, member: StaffMember, draft: ReplyDraft, *, shared: bool
    ) -> SavedReplyView:
        """Raises NotAllowed, ReplyInvalid, ShortcutTaken, TooManyReplies."""
        if shared and not _is_admin(member):
            raise NotAllowed("only admins add shared replies")
        clean = self._checked(draft)
        owner_id = None if shared else member.id
        async with self._sessions.begin() as session:
            if await replies_db.count_in_scope(session=session, owner_id=owner_id) >= (
                MAX_PER_SCOPE
            ):
                raise TooManyReplies(f"at most {MAX_PER_SCOPE} replies per list")
            try:
                reply = await replies_db.insert(
                    session=session,
                    owner_id=owner_id,
                    shortcut=clean.shortcut,
                    title=clean.title,
                    text_en=clean.text_en,
                    text_hu=clean.text_hu,
                    created_by=member.id,
                    now=self._now(),
                )
            except IntegrityError as exc:  # the unique index decides races between two saves
                raise ShortcutTaken(_taken(clean.shortcut, shared=shared)) from exc
            return _view(reply, member)

    async def update(
        self, member: StaffMember, reply_id: int, draft: ReplyDraft, *, version: int
    ) -> SavedReplyView:
        """Raises ReplyNotFound, NotAllowed, ReplyInvalid, ShortcutTaken, StaleVersion."""
        clean = self._checked(draft)
        async with self._sessions.begin() as session:
            reply = await self._editable(session, member, reply_id)
            try:
                changed = await replies_db.update_at_version(
                    session=session,
                    reply_id=reply_id,
                    version=version,
                    shortcut=clean.shortcut,
                    title=clean.title,
                    text_en=clean.text_en,
                    text_hu=clean.text_hu,
                    now=self._now(),
                )
            except IntegrityError as exc:
                raise ShortcutTaken(_taken(clean.shortcut, shared=reply.owner_id is None)) from exc
            if not changed:
                raise StaleVersion(_view(reply, member))
            updated = await replies_db.get(session=session, reply_id=reply_id)
            assert updated is not None  # changed in this transaction
            return _view(updated, member)

    async def delete(self, member: StaffMember, reply_id: int, *, version: int) -> None:
        """Raises ReplyNotFound, NotAllowed, StaleVersion."""
        async with self._sessions.begin() as session:
            reply = await self._editable(session, member, reply_id)
            if not await replies_db.delete_at_version(
                session=session, reply_id=reply_id, version=version
            ):
                raise StaleVersion(_view(reply, member))

    async def _editable(
        self, session: AsyncSession, member: StaffMember, reply_id: int
    ) -> SavedReply:
        reply = await replies_db.get(session=session, reply_id=reply_id)
        if reply is None or (reply.owner_id is not None and reply.owner_id != member.id):
            raise ReplyNotFound(f"no saved reply {reply_id}")
        if reply.owner_id is None and not _is_admin(member):
            raise NotAllowed("only admins change the shared replies")
        return reply

    def _checked(self, draft: ReplyDraft) -> ReplyDraft:
        """The draft as stored (whitespace tidied, empty texts as None), or ReplyInvalid."""
        title = " ".join(draft.title.split())
        if not title:
            raise ReplyInvalid("give the reply a title")
        texts = {field: clean_text(getattr(draft, field) or "") or None for field, _ in TEXT_FIELDS}
        if not any(texts.values()):
            raise ReplyInvalid("write the reply's text in English, in Hungarian, or in both")
        for field, language in TEXT_FIELDS:
            text = texts[field]
            if text is None:
                continue
            if len(text) > self._max_chars:
                raise ReplyInvalid(
                    f"the {language} text ({field}) is {len(text)} characters long; a reply "
                    f"may be at most {self._max_chars}, as long as a chat message may be"
                )
            problems = check_placeholders(text)
            if problems.unknown:
                known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
                raise ReplyInvalid(
                    f"unknown placeholders in the {language} text ({field}): "
                    f"{', '.join(problems.unknown)}; the known ones are {known}"
                )
            if problems.malformed:
                raise ReplyInvalid(
                    f"braces that are not placeholders in the {language} text ({field}): "
                    f"{', '.join(problems.malformed)}; write a placeholder as {{agent}}, and "
                    "a literal brace as {{ or }}"
                )
        return ReplyDraft(
            shortcut=draft.shortcut, title=title, text_en=texts["text_en"], text_hu=texts["text_hu"]
        )


def _taken(shortcut: str, *, shared: bool) -> str:
    scope = "a shared reply" if shared else "one of your replies"
    return f"/{shortcut} is taken: {scope} has this shortcut already"
