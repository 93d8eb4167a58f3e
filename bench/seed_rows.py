"""The rows of the report benchmark's data set as they are generated: one batch per table, and
the transcript of one conversation with its running clock."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table

from bridge.db.models import (
    AnswerFeedback,
    Conversation,
    Goal,
    Handoff,
    Message,
    NpsSurvey,
    ReferralAnswer,
    ReviewClick,
    ReviewInvitation,
    UnansweredQuestion,
)


@dataclass
class Rows:
    """One batch of rows per table, as dicts for executemany."""

    conversations: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    nps_surveys: list[dict[str, Any]] = field(default_factory=list)
    answer_feedback: list[dict[str, Any]] = field(default_factory=list)
    goals: list[dict[str, Any]] = field(default_factory=list)
    unanswered_questions: list[dict[str, Any]] = field(default_factory=list)
    referral_answers: list[dict[str, Any]] = field(default_factory=list)
    review_invitations: list[dict[str, Any]] = field(default_factory=list)
    review_clicks: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> list[tuple[Table, list[dict[str, Any]]]]:
        """Parents first, for the foreign keys."""
        return [
            (Conversation.__table__, self.conversations),  # type: ignore[list-item]
            (Message.__table__, self.messages),  # type: ignore[list-item]
            (Handoff.__table__, self.handoffs),  # type: ignore[list-item]
            (NpsSurvey.__table__, self.nps_surveys),  # type: ignore[list-item]
            (AnswerFeedback.__table__, self.answer_feedback),  # type: ignore[list-item]
            (Goal.__table__, self.goals),  # type: ignore[list-item]
            (UnansweredQuestion.__table__, self.unanswered_questions),  # type: ignore[list-item]
            (ReferralAnswer.__table__, self.referral_answers),  # type: ignore[list-item]
            (ReviewInvitation.__table__, self.review_invitations),  # type: ignore[list-item]
            (ReviewClick.__table__, self.review_clicks),  # type: ignore[list-item]
        ]


class Transcript:
    """The messages of one conversation as they are said, numbered, with a running clock."""

    def __init__(self, cid: str, started: datetime, rng: random.Random, rows: Rows) -> None:
        self.cid = cid
        self.clock = started
        self.seq = 0
        self.rng = rng
        self.rows = rows

    def say(self, role: str, text: str, *, author: str | None = None) -> None:
        self.seq += 1
        self.clock += timedelta(seconds=self.rng.uniform(2, 40))
        self.rows.messages.append(
            {
                "conversation_id": self.cid,
                "seq": self.seq,
                "role": role,
                "text": text,
                "payload": None,
                "buttons": None,
                "author": author,
                "client_id": f"m{self.seq}" if role == "customer" else None,
                "created_at": self.clock,
            }
        )

    def wait(self, seconds: float) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock
