"""A year of support traffic for the report benchmark, generated deterministically and
bulk-inserted through SQLAlchemy core (executemany in batches) into a migrated database.

At scale 1: 150,000 conversations over 2026 (70 % English, 30 % Hungarian; weekdays and office
hours busier) with about 1,000,000 transcript messages; 6 % of the visitors leave without a
word. About 14,000 handoffs (one in ten cancelled before an agent came, some conversations
handed over twice), about 130,000 NPS surveys asked of which about 100,000 answered (the rest
declined, dropped or never answered), about 45,000 helpful votes, goals in about 11 % of the
conversations and about 7,200 unanswered questions (3 % of the customers' questions). The
unanswered questions are real questions: CLINC150's out-of-scope and test queries (English) and
Tatoeba's Hungarian sentences, read from ../shared/data; without that folder, numbered
stand-ins are used. The customers ask BANKING77's questions in English; in Hungarian, the
support questions of `HUNGARIAN_QUESTIONS` (six in ten) or Tatoeba's sentences, with accents,
for the conversation search benchmark (bench/conversation_search.py). Those are drawn from a
random stream of their own, and the bot's and agents' lines are fixed per language, so every
other row is what it was before they were added.
"""

import csv
import itertools
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bridge.db.models import (
    AnswerFeedback,
    Conversation,
    Goal,
    Handoff,
    Message,
    NpsSurvey,
    UnansweredQuestion,
    User,
)
from bridge.services.nps_stats import category

YEAR_START = date(2026, 1, 1)
DAYS = 365
CONVERSATIONS = 150_000
AGENTS = 20
BATCH = 2_000  # conversations generated and inserted at a time
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

# Share of conversations with each score, 0..10 (a fairly happy customer base, NPS ≈ +30).
SCORE_WEIGHTS = [3, 1, 1, 2, 2, 5, 5, 10, 15, 22, 34]
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 9, 10, 10, 9, 7, 5, 4, 3, 2, 2, 1]
HUNGARIAN_QUESTIONS = (
    "A számlámat nem találom, hol tudom letölteni?",
    "Miért kaptam két számlát ugyanarra a rendelésre?",
    "Hibás a számlán a cím, javítanák?",
    "Mikor érkezik meg a csomagom?",
    "A futár nem hozta ki a csomagot, mit tegyek?",
    "Szeretném visszaküldeni a terméket, hogyan lehet?",
    "Mennyi idő alatt kapom vissza a pénzemet?",
    "Nem működik a bankkártyás fizetés.",
    "Kétszer vonták le a rendelés árát a kártyámról.",
    "Elfelejtettem a jelszavamat, nem tudok belépni.",
    "Hogyan tudom megváltoztatni az e-mail-címemet?",
    "Törölni szeretném a fiókomat.",
    "Lemondhatom még a rendelésemet?",
    "Rossz méretet rendeltem, kicserélhetem?",
    "Sérülten érkezett a termék, mi a teendő?",
    "Van üzletük Budapesten?",
    "Mennyibe kerül a szállítás külföldre?",
    "Kaphatok kedvezményt, ha többet rendelek?",
    "Nem jött meg a visszaigazoló e-mail.",
    "Hogyan válthatom be az ajándékutalványt?",
    "Meddig érvényes a garancia?",
    "A kuponkód nem működik a pénztárnál.",
    "Részletre is fizethetek?",
    "Megváltozott a szállítási címem, módosíthatom?",
    "Mikor lesz újra raktáron ez a termék?",
)
# What the bot and the agents say, per language (fixed lines: no random draws).
GREETING = {"en": "Hi! How can I help?", "hu": "Szia! Miben segíthetek?"}
FOUND = {"en": "Here is what I found in {}.", "hu": "Ezt találtam: {}."}
CHECKING = {"en": "Let me check that for you.", "hu": "Máris utánanézek."}


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
        ]


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def unanswerable_questions() -> dict[str, list[str]]:
    """Questions a support knowledge base would not answer, per language."""
    clinc = DATA / "clinc150_oos" / "data_full.json"
    tatoeba = DATA / "tatoeba_hun_eng" / "tatoeba.hun-eng.hun"
    if not (clinc.exists() and tatoeba.exists()):
        return {
            "en": [f"stand-in question number {n}" for n in range(3000)],
            "hu": [f"helyettesítő kérdés {n}" for n in range(1000)],
        }
    data = json.loads(clinc.read_text(encoding="utf-8"))
    keys = ("oos_train", "oos_val", "oos_test", "test")
    english = [text for key in keys for text, _intent in data[key]]
    return {"en": english, "hu": _lines(tatoeba)}


def customer_questions() -> list[str]:
    path = DATA / "banking77" / "test.csv"
    if not path.exists():
        return [f"customer question {n}" for n in range(500)]
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def hungarian_questions() -> list[str]:
    """What Hungarian customers write: support questions, six in ten, and Tatoeba's everyday
    sentences."""
    tatoeba = DATA / "tatoeba_hun_eng" / "tatoeba.hun-eng.hun"
    everyday = _lines(tatoeba) if tatoeba.exists() else ["Várj egy kicsit!"]
    support = list(HUNGARIAN_QUESTIONS) * max(
        1, round(len(everyday) * 1.5 / len(HUNGARIAN_QUESTIONS))
    )
    return support + everyday


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
        visitor = f"visitor-{rng.randrange(self.visitors)}"
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
            self._survey(chat, lang, visitor, after_agent=handoffs > 0)
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

    def _survey(self, chat: Transcript, lang: str, visitor: str, *, after_agent: bool) -> None:
        rng = self.rng
        if rng.random() >= 0.92:
            return
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
        elif outcome < 0.87:
            chat.say("customer", "No thanks")
            row["status"] = "declined"
        elif outcome < 0.95:
            row["status"] = "dropped"
        # else: still "asked", never answered

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
