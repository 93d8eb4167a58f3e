"""Two customers' data for the privacy and retention tests, every report over it, and a scan
of every text column for what must be gone after an erasure.

Alice has three conversations: a1 (visitor id, page, a handoff an agent answered, a note, NPS
with a reason, rated answer, goal, unanswered question), a2 (the same visitor, Hungarian, a
message left with her email) and a3 (no visitor id, a message left with her email in another
case). Bob has one conversation with a handoff, NPS, a rating and a goal.

a1 also holds a review invitation used twice and Alice's typed "How did you hear about us?"
answer; Bob answered that question too. A referral's subject is unique, so it carries the
prefix of seeds made side by side.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.models import (
    AnswerFeedback,
    Base,
    Conversation,
    ConversationNote,
    Goal,
    Handoff,
    Message,
    NpsSurvey,
    OfflineRequest,
    ReferralAnswer,
    ReviewClick,
    ReviewInvitation,
    UnansweredQuestion,
)
from bridge.services.conversion_report import conversion_report
from bridge.services.rasa_tracker_store import NoTrackerStore
from bridge.services.report_period import Period
from bridge.services.reports import conversation_report, helpful_report, nps_report
from bridge.services.review_report import review_report

BASE = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
PERIOD = Period(date(2026, 6, 1), date(2026, 6, 30))
ALICE_VISITOR = "visitor-alice-7f3a"
ALICE_EMAIL = "alice@example.com"
# What must not survive Alice's erasure anywhere in the bridge database.
ALICE_TRACES = ("alice-secret", ALICE_VISITOR, ALICE_EMAIL, "?alice")
BOB_TEXT = "bob asks about shipping"
ALICE_REFERRAL = "alice-secret-referral: a podcast"
# When a1's review link was used, after the invitation.
REVIEW_CLICKS_AFTER = (timedelta(minutes=2), timedelta(days=1, hours=3))


def _messages(
    conversation_id: str, start: datetime, lines: list[tuple[str, str, int]]
) -> list[Message]:
    return [
        Message(
            conversation_id=conversation_id,
            seq=seq,
            role=role,
            text=text,
            author="Anna" if role == "agent" else None,
            client_id=f"{conversation_id}-{seq}" if role == "customer" else None,
            created_at=start + timedelta(minutes=minute),
        )
        for seq, (role, text, minute) in enumerate(lines, start=1)
    ]


def _conversation(
    cid: str, start: datetime, language: str, visitor: str | None, page: str | None
) -> Conversation:
    return Conversation(
        id=cid,
        created_at=start,
        updated_at=start + timedelta(minutes=20),
        language=language,
        visitor_id=visitor,
        page_url=page,
        status="bot",
        last_seq=0,
    )


def rows_for(base: datetime = BASE, prefix: str = "") -> list[Any]:
    """Every row of the two customers, `base` the start of the first conversation."""
    a1, a2, a3, b1 = (f"{prefix}{name}" for name in ("conv-a1", "conv-a2", "conv-a3", "conv-b1"))
    b = base + timedelta(days=2)
    return [
        _conversation(a1, base, "en", ALICE_VISITOR, "https://shop.example/cart?alice"),
        _conversation(a2, base + timedelta(days=1), "hu", ALICE_VISITOR, None),
        _conversation(a3, base + timedelta(days=3), "en", None, None),
        _conversation(b1, b, "en", "visitor-bob", "https://shop.example/bob"),
        *_messages(
            a1,
            base,
            [
                ("bot", "Hi, how can I help?", 0),
                ("customer", "my card alice-secret-1 was charged twice", 1),
                ("bot", "Here is what I found", 2),
                ("customer", "I want a person alice-secret-2", 4),
                ("system", "waiting for an agent", 5),
                ("agent", "Hello, Anna here", 7),
                ("agent", "Anything else?", 9),
                ("customer", "no thanks alice-secret-3", 12),
            ],
        ),
        *_messages(
            a2,
            base + timedelta(days=1),
            [("customer", "szia alice-secret-4", 0), ("bot", "Szia!", 1)],
        ),
        *_messages(a3, base + timedelta(days=3), [("customer", "hello alice-secret-5", 0)]),
        *_messages(b1, b, [("customer", BOB_TEXT, 0), ("agent", "We ship in 2 days", 3)]),
        Handoff(
            conversation_id=a1,
            status="returned",
            reason="customer_request",
            context={"last_question": "alice-secret-question", "language": "en", "articles": []},
            created_at=base + timedelta(minutes=5),
            claimed_at=base + timedelta(minutes=6),
            ended_at=base + timedelta(minutes=10),
        ),
        Handoff(
            conversation_id=b1,
            status="closed",
            reason="no_answer",
            context={"last_question": BOB_TEXT, "language": "en", "articles": []},
            created_at=b + timedelta(minutes=1),
            claimed_at=b + timedelta(minutes=2),
            ended_at=b + timedelta(minutes=8),
        ),
        ConversationNote(
            conversation_id=a1, author_name="Anna", text="alice-secret-note: VIP", created_at=base
        ),
        NpsSurvey(
            conversation_id=a1,
            visitor_id=ALICE_VISITOR,
            language="en",
            status="answered",
            score=9,
            category="promoter",
            reason="alice-secret-reason",
            trigger="after_agent",
            asked_at=base + timedelta(minutes=11),
            answered_at=base + timedelta(minutes=12),
        ),
        NpsSurvey(
            conversation_id=a2,
            visitor_id=ALICE_VISITOR,
            language="hu",
            status="declined",
            trigger="goodbye",
            asked_at=base + timedelta(days=1, minutes=2),
        ),
        NpsSurvey(
            conversation_id=b1,
            visitor_id="visitor-bob",
            language="en",
            status="answered",
            score=3,
            category="detractor",
            reason="bob was slow",
            trigger="after_agent",
            asked_at=b + timedelta(minutes=9),
        ),
        AnswerFeedback(
            conversation_id=a1,
            article_id="card-payments",
            query="alice-secret-query",
            score=0.8,
            helpful=True,
            language="en",
            created_at=base + timedelta(minutes=3),
        ),
        AnswerFeedback(
            conversation_id=b1,
            article_id="shipping",
            query=BOB_TEXT,
            helpful=False,
            language="en",
            created_at=b + timedelta(minutes=1),
        ),
        Goal(
            conversation_id=a1,
            goal="conversion",
            page_url="https://shop.example/thanks?alice",
            reached_at=base,
        ),
        Goal(conversation_id=b1, goal="conversion", page_url=None, reached_at=b),
        UnansweredQuestion(
            conversation_id=a1, question="alice-secret-unanswered", language="en", created_at=base
        ),
        OfflineRequest(
            conversation_id=a2,
            email=ALICE_EMAIL,
            message="alice-secret-offline-1",
            language="hu",
            created_at=base + timedelta(days=1),
        ),
        ReviewInvitation(
            token=f"{prefix}review-token-a1",
            conversation_id=a1,
            language="en",
            invited_at=base + timedelta(minutes=12),
        ),
        ReferralAnswer(
            subject=f"visitor:{prefix}{ALICE_VISITOR}",
            conversation_id=a1,
            language="en",
            asked_at=base + timedelta(minutes=13),
            answered_at=base + timedelta(minutes=14),
            source="other",
            detail=ALICE_REFERRAL,
        ),
        ReferralAnswer(
            subject=f"visitor:{prefix}visitor-bob",
            conversation_id=b1,
            language="en",
            asked_at=b + timedelta(minutes=10),
            answered_at=b + timedelta(minutes=11),
            source="search",
        ),
        OfflineRequest(
            conversation_id=a3,
            email="Alice@Example.COM",
            message="alice-secret-offline-2",
            language="en",
            created_at=base + timedelta(days=3),
        ),
    ]


async def seed(session: AsyncSession, base: datetime = BASE, prefix: str = "") -> None:
    rows = rows_for(base, prefix)
    # Parents first: most of these tables have no ORM relationship to order the inserts by.
    session.add_all([row for row in rows if isinstance(row, Conversation)])
    await session.flush()
    session.add_all([row for row in rows if not isinstance(row, Conversation)])
    await session.flush()
    invitation = next(row for row in rows if isinstance(row, ReviewInvitation))
    session.add_all(
        ReviewClick(invitation_id=invitation.id, clicked_at=invitation.invited_at + after)
        for after in REVIEW_CLICKS_AFTER
    )
    await session.flush()


async def all_reports(session: AsyncSession, period: Period = PERIOD) -> dict[str, Any]:
    """Every aggregate report, for all languages and each, as the dashboard shows them."""
    found: dict[str, Any] = {}
    for language in (None, "en", "hu"):
        found[f"nps-{language}"] = await nps_report(
            session=session, period=period, language=language
        )
        found[f"helpful-{language}"] = await helpful_report(
            session=session, period=period, language=language
        )
        found[f"conversations-{language}"] = await conversation_report(
            session=session, period=period, language=language
        )
        found[f"conversion-{language}"] = await conversion_report(
            session=session, period=period, language=language
        )
        found[f"reviews-{language}"] = await review_report(
            session=session, period=period, language=language, by="day"
        )
    return found


async def all_text(session: AsyncSession) -> str:
    """Every value of every application table, as one lower-cased string (a crude but
    complete search for what must be gone)."""
    parts: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.name in ("kb_articles", "kb_revisions", "users"):
            continue
        for row in (await session.execute(select(table))).all():
            parts.append(repr(tuple(row)))
    return "\n".join(parts).lower()


class RecordingTracker(NoTrackerStore):
    """Rasa's store as the services see it: remembers what it was asked to delete, and says
    each conversation had `events_each` events (or fails, as a store that is down)."""

    def __init__(self, fail: bool = False, events_each: int = 1) -> None:
        self.deleted: list[str] = []
        self.fail = fail
        self.events_each = events_each

    async def delete_events(self, conversation_ids: Sequence[str]) -> int:
        if self.fail:
            raise OSError("tracker store down")
        self.deleted.extend(conversation_ids)
        return self.events_each * len(conversation_ids)
