"""Customers' privacy requests: export (GDPR Art. 15/20) and erase (Art. 17) everything held
about one person, in the bridge database and in Rasa's tracker store, with an audit log.

A person is found by one selector (docs/privacy.md):
- `conversation`: that one conversation;
- `visitor`: every conversation of the widget's visitor id (one browser), and those of NPS
  answers given under it;
- `email`: every conversation in which a message for the agents was left with that address.

An erasure keeps what the reports count, without text or identifiers (bridge.db.privacy), so
the reports over any period show the same figures before and after it. The audit log names
who did what and how much it touched; the person appears only as an HMAC of the selector's
value under SECRET_KEY, which confirms a request's subject to whoever knows it.
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import privacy as privacy_db
from bridge.db import privacy_rows
from bridge.db.models import PrivacyAudit, utcnow
from bridge.services.privacy_export import PersonalData, personal_data, utc
from bridge.services.rasa_tracker_store import TrackerStore

SelectorKind = Literal["conversation", "visitor", "email"]
SELECTOR_KINDS: tuple[str, ...] = get_args(SelectorKind)
MAX_VALUE = 254


class InvalidSelector(ValueError):
    """A selector that names nobody: unknown kind, empty or overlong value."""


def check_value(value: str) -> str:
    """A selector's value as given, or InvalidSelector: 1 to 254 printable characters (ids and
    addresses never hold control characters, and the databases refuse NUL or lone
    surrogates)."""
    if not value.strip() or len(value) > MAX_VALUE:
        raise InvalidSelector(f"the value must be 1 to {MAX_VALUE} characters, not only spaces")
    if any(ord(char) < 32 or ord(char) == 127 or 0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise InvalidSelector("the value must not hold control characters")
    return value


@dataclass(frozen=True)
class Selector:
    kind: SelectorKind
    value: str

    def __post_init__(self) -> None:
        if self.kind not in SELECTOR_KINDS:
            raise InvalidSelector(f"find by one of {', '.join(SELECTOR_KINDS)}, not {self.kind!r}")
        check_value(self.value)

    @property
    def normalized(self) -> str:
        value = self.value.strip()
        return value.lower() if self.kind == "email" else value


@dataclass(frozen=True)
class Erasure:
    """What one erasure touched (the same counts go to the audit log)."""

    conversations: int
    deleted: int
    anonymised: int
    tracker_events: int

    @property
    def records(self) -> int:
        return self.deleted + self.anonymised


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str  # export | erase | purge
    selector: str  # conversation | visitor | email | retention
    subject_hash: str | None
    conversations: int
    records: int
    tracker_events: int

    @classmethod
    def of(cls, row: PrivacyAudit) -> "AuditEntry":
        at = utc(row.at)
        assert at is not None
        return cls(
            at,
            row.actor,
            row.action,
            row.selector,
            row.subject_hash,
            row.conversations,
            row.records,
            row.tracker_events,
        )


async def find_conversations(*, session: AsyncSession, selector: Selector) -> list[str]:
    value = selector.normalized
    if selector.kind == "conversation":
        return await privacy_db.conversation_exists(session=session, conversation_id=value)
    if selector.kind == "visitor":
        return await privacy_db.conversations_of_visitor(session=session, visitor_id=value)
    return await privacy_db.conversations_of_email(session=session, email=value)


class PrivacyService:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        tracker: TrackerStore,
        secret: str,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._tracker = tracker
        self._secret = secret.encode()
        self._now = now

    def subject_hash(self, selector: Selector) -> str:
        message = f"{selector.kind}:{selector.normalized}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    async def export(self, selector: Selector, *, actor: str) -> PersonalData:
        """Everything held about the person; the export is logged (counts only)."""
        now = self._now()
        async with self._sessions.begin() as session:
            ids = await find_conversations(session=session, selector=selector)
            rows = await privacy_rows.held_rows(session=session, conversation_ids=ids)
            data = personal_data(rows, selector=selector.kind, now=now)
            await privacy_db.add_audit(
                session=session,
                at=now,
                actor=actor,
                action="export",
                selector=selector.kind,
                subject_hash=self.subject_hash(selector),
                conversations=len(data.conversations),
                records=data.records,
                tracker_events=0,
            )
        return data

    async def erase(self, selector: Selector, *, actor: str) -> Erasure:
        """Erase the person's data from both stores in one go: when Rasa's store cannot be
        reached, the bridge's transaction rolls back and nothing is erased (try again)."""
        now = self._now()
        async with self._sessions.begin() as session:
            ids = await find_conversations(session=session, selector=selector)
            rows = await privacy_db.erase(session=session, conversation_ids=ids, now=now)
            events = await self._tracker.delete_events(ids)
            erasure = Erasure(rows.conversations, rows.deleted, rows.anonymised, events)
            await privacy_db.add_audit(
                session=session,
                at=now,
                actor=actor,
                action="erase",
                selector=selector.kind,
                subject_hash=self.subject_hash(selector),
                conversations=erasure.conversations,
                records=erasure.records,
                tracker_events=events,
            )
        return erasure

    async def audit_log(self, *, limit: int = 100) -> list[AuditEntry]:
        async with self._sessions() as session:
            rows = await privacy_db.list_audit(session=session, limit=limit)
        return [AuditEntry.of(row) for row in rows]
