"""A year of support traffic for the report benchmark, generated deterministically and
bulk-inserted through SQLAlchemy core (executemany in batches) into a migrated database.

At scale 1: 150,000 conversations over 2026 (70 % English, 30 % Hungarian; weekdays and office
hours busier) with about 1,000,000 transcript messages; 6 % of the visitors leave without a
word. About 14,000 handoffs (one in ten cancelled before an agent came, some conversations
handed over twice), about 130,000 NPS surveys asked of which about 100,000 answered (the rest
declined, dropped or never answered), about 45,000 helpful votes, goals in about 11 % of the
conversations and about 7,200 unanswered questions (3 % of the customers' questions). What
people say comes from bench/seed_texts.py; identified customers, referral answers and review
links from bench/seed_measures.py. Texts and those measures are drawn from random streams of
their own, and the bot's and agents' lines are fixed per language, so every other row is what
it was before they were added.
"""

import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.seed_measures import Measures, customer_of
from bench.seed_rows import Rows, Transcript
from bench.seed_texts import (
    CHECKING,
    FOUND,
    GREETING,
    customer_questions,
    hungarian_questions,
    unanswerable_questions,
)
from bridge.db.models import User
from bridge.services.nps_stats import category

YEAR_START = date(2026, 1, 1)
DAYS = 365
CONVERSATIONS = 150_000
AGENTS = 20
BATCH = 2_000  # conversations generated and inserted at a time

# Share of conversations with each score, 0..10 (a fairly happy customer base, NPS ≈ +30).
SCORE_WEIGHTS = [3, 1, 1, 2, 2, 5, 5, 10, 15, 22, 34]
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 9, 10, 10, 9, 7, 5, 4, 3, 2, 2, 1]


class Generator:
    """Conversations with everything that hangs off them, one batch at a time."""

    def __init__(self, scale: float, agent_ids: list[int], seed: int = 2026) -> None:
        self.conversations = max(200, round(CONVERSATIONS * scale))
        self.agent_ids = agent_ids
        self.rng = random.Random(seed)
        self.visitors = max(1, int(self.conversations * 0.8))
        self.unanswerable = unanswerable_questions()
        self.questions = customer_questions()
        self.hungarian = hungarian_questions()
        self.text_rng = random.Random(seed + 1)  # the Hungarian texts' own stream
        self.measures = Measures(seed + 2)  # referrals and review links: a stream of their own
        self.articles = {lang: [f"{lang}-article-{n}" for n in range(40)] for lang in ("en", "hu")}
        start = datetime.combine(YEAR_START, datetime.min.time(), UTC)
        self.days = [start + timedelta(days=d) for d in range(DAYS)]
        # Weekdays busier than weekends.
        self.day_weights = [1.0 if day.weekday() < 5 else 0.5 for day in self.days]

    def batches(self) -> Iterator[Rows]:
        for first in range(0, self.conversations, BATCH):
            rows = Rows()
            for n in range(first, min(first + BATCH, self.conversations)):
                self._conversation(n, rows)
            yield rows

    def _started(self) -> datetime:
        rng = self.rng
        day = rng.choices(self.days, self.day_weights)[0]
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        return day + timedelta(hours=hour, seconds=rng.uniform(0, 3600))

    def _conversation(self, n: int, rows: Rows) -> None:
        rng = self.rng
        lang = "en" if rng.random() < 0.7 else "hu"
        visitor_number = rng.randrange(self.visitors)
        visitor = f"visitor-{visitor_number}"
        customer = customer_of(visitor_number)
        started = self._started()
        chat = Transcript(f"bench-{n:08d}", started, rng, rows)
        chat.say("bot", GREETING[lang])
        status = "bot"
        if rng.random() >= 0.06:  # some open the widget and leave without a word
            for _turn in range(1 + min(int(rng.expovariate(1 / 1.1)), 8)):
                self._turn(chat, lang)
            handoffs = 0
            while handoffs < 2 and rng.random() < (0.095 if handoffs == 0 else 0.05):
                handoffs += 1
                status = self._handoff(chat, lang)
                chat.wait(rng.uniform(5, 60))
            score = self._survey(chat, lang, visitor, after_agent=handoffs > 0)
            subject = f"customer:{customer}" if customer else f"visitor:{visitor}"
            self.measures.add(rows, chat.cid, lang, subject, chat.clock, score)
        if rng.random() < 0.08:
            rows.goals.append(self._goal(chat.cid, "conversion", chat.clock))
        if rng.random() < 0.03:
            rows.goals.append(self._goal(chat.cid, "signup", chat.clock))
        rows.conversations.append(
            {
                "id": chat.cid,
                "created_at": started,
                "updated_at": chat.clock,
                "status": status,
                "language": lang,
                "visitor_id": visitor,
                "customer_id": customer,
                "page_url": "https://shop.example/help",
                "last_seq": chat.seq,
            }
        )

    def _turn(self, chat: Transcript, lang: str) -> None:
        """A question and the bot's answer (sometimes rated), or its "I don't know"."""
        rng = self.rng
        question = rng.choice(self.questions)
        if lang == "hu":
            question = self.text_rng.choice(self.hungarian)
        chat.say("customer", question)
        if rng.random() < 0.03:
            chat.say("bot", "Sorry, I don't know that yet. Would you like a person?")
            chat.rows.unanswered_questions.append(
                {
                    "conversation_id": chat.cid,
                    "question": rng.choice(self.unanswerable[lang]),
                    "language": lang,
                    "best_article_id": rng.choice(self.articles[lang])
                    if rng.random() < 0.6
                    else None,
                    "best_score": rng.uniform(0.2, 0.45),
                    "created_at": chat.clock,
                }
            )
            return
        article = rng.choice(self.articles[lang])
        chat.say("bot", FOUND[lang].format(article))
        if rng.random() < 0.2:
            chat.rows.answer_feedback.append(
                {
                    "conversation_id": chat.cid,
                    "article_id": article,
                    "chunk_id": f"{article}#0",
                    "query": None,
                    "score": rng.uniform(0.45, 0.9),
                    "helpful": rng.random() < 0.7,
                    "language": lang,
                    "created_at": chat.clock + timedelta(seconds=rng.uniform(2, 30)),
                }
            )

    def _handoff(self, chat: Transcript, lang: str) -> str:
        """One handoff; the conversation's status after it."""
        rng = self.rng
        chat.say("customer", "I want to talk to a person")
        chat.say("system", "Waiting for an agent")
        row: dict[str, Any] = {
            "conversation_id": chat.cid,
            "reason": rng.choice(["customer_request", "no_answer", "low_confidence"]),
            "context": {"last_question": "I want to talk to a person", "language": lang},
            "created_at": chat.clock,
            "claimed_at": None,
            "claimed_by": None,
        }
        chat.rows.handoffs.append(row)
        if rng.random() < 0.1:  # nobody came: the customer went back to the bot
            row.update(status="cancelled", ended_at=chat.wait(rng.uniform(120, 900)))
            return "bot"
        agent = rng.choice(self.agent_ids)
        row.update(claimed_at=chat.wait(min(rng.expovariate(1 / 90), 3600)), claimed_by=agent)
        chat.say("system", f"Agent {agent} joined")
        for _ in range(rng.randint(2, 6)):
            if rng.random() < 0.9:
                chat.say("agent", CHECKING[lang], author=f"Agent {agent}")
            chat.say("customer", "Thanks")
        status = "closed" if rng.random() < 0.4 else "returned"
        row.update(status=status, ended_at=chat.wait(rng.uniform(5, 120)))
        chat.say("system", "The agent left the chat")
        return "closed" if status == "closed" else "bot"

    def _survey(
        self, chat: Transcript, lang: str, visitor: str, *, after_agent: bool
    ) -> int | None:
        """Maybe one NPS survey; the score given, if any."""
        rng = self.rng
        if rng.random() >= 0.92:
            return None
        chat.say("bot", "How likely are you to recommend us to a friend, from 0 to 10?")
        trigger = "after_agent" if after_agent else rng.choice(["goodbye", "feedback_request"])
        row: dict[str, Any] = {
            "conversation_id": chat.cid,
            "visitor_id": visitor,
            "language": lang,
            "status": "asked",
            "score": None,
            "category": None,
            "reason": None,
            "trigger": trigger,
            "asked_at": chat.clock,
            "answered_at": None,
        }
        chat.rows.nps_surveys.append(row)
        outcome = rng.random()
        if outcome < 0.77:
            score = rng.choices(range(11), SCORE_WEIGHTS)[0]
            chat.say("customer", str(score))
            row.update(
                status="answered",
                score=score,
                category=category(score),
                reason="Quick and clear." if rng.random() < 0.3 else None,
                answered_at=chat.clock,
            )
            return score
        if outcome < 0.87:
            chat.say("customer", "No thanks")
            row["status"] = "declined"
        elif outcome < 0.95:
            row["status"] = "dropped"
        # else: still "asked", never answered
        return None

    def _goal(self, cid: str, goal: str, after: datetime) -> dict[str, Any]:
        return {
            "conversation_id": cid,
            "goal": goal,
            "page_url": "https://shop.example/checkout/done",
            "reached_at": after + timedelta(minutes=self.rng.uniform(1, 30)),
        }


@dataclass
class SeedCounts:
    seconds: float
    rows: dict[str, int]


async def seed(engine: AsyncEngine, scale: float, label: str) -> SeedCounts:
    """Fills an empty, migrated database; prints progress."""
    began = time.perf_counter()
    counts: dict[str, int] = {}
    agents = [
        {
            "email": f"agent{n}@bench.example",
            "display_name": f"Agent {n}",
            "role": "agent",
            "password_hash": "not a real hash",
            "disabled": False,
            "created_at": datetime.combine(YEAR_START, datetime.min.time(), UTC),
            "updated_at": datetime.combine(YEAR_START, datetime.min.time(), UTC),
        }
        for n in range(AGENTS)
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(User.__table__), agents)  # type: ignore[arg-type]
        agent_ids = list((await connection.scalars(select(User.id).order_by(User.id))).all())
    generator = Generator(scale, agent_ids)
    batches = itertools.count(1)
    total = -(-generator.conversations // BATCH)
    for rows in generator.batches():
        async with engine.begin() as connection:
            for table, values in rows.tables():
                if values:
                    await connection.execute(insert(table), values)
                counts[table.name] = counts.get(table.name, 0) + len(values)
        answered = sum(1 for survey in rows.nps_surveys if survey["status"] == "answered")
        counts["nps_answered"] = counts.get("nps_answered", 0) + answered
        done = next(batches)
        if done % 10 == 0 or done == total:
            print(
                f"  {label}: {done}/{total} batches, {counts['messages']:,} messages, "
                f"{time.perf_counter() - began:.0f} s",
                flush=True,
            )
    return SeedCounts(time.perf_counter() - began, counts)
