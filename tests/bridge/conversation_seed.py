"""Varied conversations for the conversations view's tests, written through the ORM with
known times, and what the view should make of them computed here in plain Python (fold the
accents, split the words, compare prefixes), not with the code under test."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.models import (
    AnswerFeedback,
    Conversation,
    ConversationNote,
    Handoff,
    Message,
    NpsSurvey,
    User,
)
from tests import aio

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Seeded:
    """One conversation as written, and the facts the filters look at."""

    id: str
    language: str
    status: str
    created_at: datetime
    updated_at: datetime
    messages: list[tuple[str, str]]  # (role, text)
    agents: list[int] = field(default_factory=list)  # who claimed its handoffs
    handoffs: int = 0
    nps: int | None = None  # the answered score

    @property
    def category(self) -> str:
        return "none" if self.nps is None else category(self.nps)


def category(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


# (language, status, customer lines, handoffs claimed by agent number or None, NPS score)
SPECS: list[tuple[str, str, list[str], list[int | None], int | None]] = [
    ("hu", "closed", ["A számlámat nem találom", "Köszönöm!"], [0], 10),
    ("hu", "bot", ["Hol a csomagom?", "Számlázási cím módosítása"], [], 8),
    ("en", "bot", ["Where is my parcel?", "thanks"], [], None),
    ("en", "closed", ["My card was charged twice", "Card declined again"], [1], 3),
    ("hu", "with_agent", ["Kétszer vonták le a kártyámról", "SZÁMLA kell"], [1], None),
    ("en", "waiting_for_agent", ["I need an invoice copy"], [None], None),
    ("hu", "bot", ["Nem működik a kuponkód"], [], 6),
    ("en", "bot", ["Számla? I only speak English, sorry"], [], 9),
    ("en", "closed", ["a question about a refund", "Refunds take how long?"], [0, 1], 7),
    ("hu", "bot", ["Árvíztűrő tükörfúrógép"], [None], None),
    ("en", "bot", [], [], None),  # opened the widget, said nothing
    ("hu", "closed", ["Szamlat kerek, ekezet nelkul irok"], [0], 0),
]
BOT = {"en": "Hi! How can I help?", "hu": "Szia! Miben segíthetek?"}


def agent_line(language: str) -> str:
    return "Let me check your card." if language == "en" else "Máris megnézem a számlát."


async def _seed(url: str) -> tuple[list[int], list[Seeded]]:
    engine = create_engine(url)
    seeded: list[Seeded] = []
    try:
        async with create_sessionmaker(engine).begin() as session:
            agents = [
                User(
                    email=f"history{n}@example.com",
                    display_name=name,
                    role="agent",
                    password_hash="not a hash",
                )
                for n, name in enumerate(["Éva Kovács", "Bob Smith"])
            ]
            session.add_all(agents)
            await session.flush()
            agent_ids = [a.id for a in agents]
            for n, (language, status, lines, claims, score) in enumerate(SPECS):
                created = START + timedelta(days=n, hours=n % 3)
                # Activity order differs from creation order (some chats last longer).
                updated = created + timedelta(hours=(n * 7) % 30)
                cid = f"conv-{n:02d}"
                conversation = Conversation(
                    id=cid,
                    created_at=created,
                    updated_at=updated,
                    status=status,
                    language=language,
                    visitor_id=f"visitor-{n}",
                    page_url=f"https://shop.example/page/{n}",
                )
                session.add(conversation)
                await session.flush()
                said = [("bot", BOT[language])]
                for line in lines:
                    said.append(("customer", line))
                row = Seeded(cid, language, status, created, updated, [])
                for number, agent in enumerate(claims):
                    claimed = agent_ids[agent] if agent is not None else None
                    session.add(
                        Handoff(
                            conversation_id=cid,
                            status="closed" if claimed else "cancelled",
                            reason="customer_request",
                            context={"language": language},
                            created_at=created + timedelta(minutes=5 + number),
                            claimed_at=created + timedelta(minutes=6 + number) if claimed else None,
                            claimed_by=claimed,
                            ended_at=created + timedelta(minutes=9 + number),
                        )
                    )
                    row.handoffs += 1
                    if claimed is not None:
                        row.agents.append(claimed)
                        said.append(("agent", agent_line(language)))
                for seq, (role, text) in enumerate(said, start=1):
                    session.add(
                        Message(
                            conversation_id=cid,
                            seq=seq,
                            role=role,
                            text=text,
                            created_at=created + timedelta(seconds=seq),
                        )
                    )
                row.messages = said
                conversation.last_seq = len(said)
                if score is not None:
                    session.add(
                        NpsSurvey(
                            conversation_id=cid,
                            language=language,
                            status="answered",
                            score=score,
                            category=category(score),
                            reason="Gyors volt" if language == "hu" else "Quick",
                            trigger="goodbye",
                            asked_at=updated,
                            answered_at=updated,
                        )
                    )
                    row.nps = score
                seeded.append(row)
            first = seeded[0].id
            session.add(
                ConversationNote(
                    conversation_id=first,
                    author_id=agent_ids[0],
                    author_name="Éva Kovács",
                    text="Új számlát küldtünk e-mailben.",
                )
            )
            session.add(
                AnswerFeedback(
                    conversation_id=first,
                    article_id="hu-szamlak",
                    helpful=False,
                    language="hu",
                    query="számla letöltése",
                )
            )
    finally:
        await engine.dispose()
    return agent_ids, seeded


def seed(url: str) -> tuple[list[int], list[Seeded]]:
    """The agents' ids and the conversations, as written."""
    return aio.run(_seed(url))


# --- the expectations, computed independently ------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text))


def finds(query: str, text: str) -> bool:
    """Every word of the query starts a word of the text (a one-letter word: is one),
    without regard to case or accents."""
    found = [_fold(w) for w in _words(text)]
    return all(
        any(w.startswith(_fold(q)) if len(q) > 1 else w == _fold(q) for w in found)
        for q in _words(query)
    )


def in_order(rows: list[Seeded]) -> list[str]:
    """Newest activity first; the id breaks ties."""
    return [r.id for r in sorted(rows, key=lambda r: (r.updated_at, r.id), reverse=True)]
