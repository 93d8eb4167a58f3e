"""Retention: conversations inactive for RETENTION_DAYS are erased as a privacy request would
erase them (bridge.db.privacy.erase): text and identifiers go from the bridge database, their
events from Rasa's tracker store, and the reports keep counting them.

Every bridge process may run the purge on its own schedule: each batch claims its
conversations with one conditional UPDATE, so two purges at once never erase the same
conversation twice, and a batch whose tracker deletion fails rolls back and is retried on the
next run. RETENTION_DAYS=0 keeps everything (no purge).
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import privacy as privacy_db
from bridge.db.models import utcnow
from bridge.services.rasa_tracker_store import TrackerStore

log = logging.getLogger(__name__)
BATCH = 200  # conversations per transaction: short write locks on SQLite
START_DELAY_S = 60.0


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime | None  # None: retention is off
    dry_run: bool
    conversations: int  # erased (or, in a dry run, due)
    deleted: int = 0
    anonymised: int = 0
    tracker_events: int = 0
    questions: int = 0  # unanswered questions recorded without a conversation


class Retention:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        tracker: TrackerStore,
        days: int,
        batch: int = BATCH,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        if days < 0:
            raise ValueError("days must be 0 (keep everything) or more")
        if batch <= 0:
            raise ValueError("batch must be positive")
        self._sessions = sessions
        self._tracker = tracker
        self._days = days
        self._batch = batch
        self._now = now

    @property
    def days(self) -> int:
        return self._days

    async def purge(self, *, dry_run: bool = False, actor: str = "retention") -> PurgeResult:
        """Erase every conversation last active before now minus the retention period."""
        if self._days == 0:
            return PurgeResult(cutoff=None, dry_run=dry_run, conversations=0)
        now = self._now()
        cutoff = now - timedelta(days=self._days)
        if dry_run:
            async with self._sessions() as session:
                due = await privacy_db.count_expired(session=session, before=cutoff)
            return PurgeResult(cutoff=cutoff, dry_run=True, conversations=due)
        total = privacy_db.ErasedRows()
        events = 0
        while True:
            async with self._sessions.begin() as session:
                ids = await privacy_db.claim_expired(
                    session=session, before=cutoff, now=now, limit=self._batch
                )
                if not ids:
                    break
                total += await privacy_db.erase(session=session, conversation_ids=ids, now=now)
                events += await self._tracker.delete_events(ids)
        async with self._sessions.begin() as session:
            questions = await privacy_db.delete_unlinked_questions(session=session, before=cutoff)
            result = PurgeResult(
                cutoff=cutoff,
                dry_run=False,
                conversations=total.conversations,
                deleted=total.deleted + questions,
                anonymised=total.anonymised,
                tracker_events=events,
                questions=questions,
            )
            if result.conversations or questions:
                await privacy_db.add_audit(
                    session=session,
                    at=now,
                    actor=actor,
                    action="purge",
                    selector="retention",
                    subject_hash=None,
                    conversations=result.conversations,
                    records=result.deleted + result.anonymised,
                    tracker_events=events,
                )
        return result

    async def run(self, interval_s: float) -> None:
        """Purge a minute after start (or after `interval_s` if shorter: the process is up and
        serving first) and then every `interval_s` until cancelled; a failed run is logged and
        the next one tries again."""
        if self._days == 0:
            return
        await asyncio.sleep(min(interval_s, START_DELAY_S))
        while True:
            try:
                result = await self.purge()
                if result.conversations or result.questions:
                    log.info(
                        "retention: erased %d conversations older than %s (%d Rasa events)",
                        result.conversations,
                        result.cutoff,
                        result.tracker_events,
                    )
            except Exception:  # the database or Rasa's store is down: next time
                log.exception("retention purge failed")
            await asyncio.sleep(interval_s)
