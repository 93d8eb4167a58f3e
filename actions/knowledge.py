"""Answers from the knowledge base: the best article quoted with its link, "Did you mean"
choices when several fit equally, or an honest "I don't know" with the offer of a person.

Searching is CPU work (embedding + FAISS + BM25), so it runs in a worker thread: a
synchronous call here would block the action server's event loop for every customer.
"""

import asyncio
import json
import logging
import re
from collections.abc import Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.bridge_action import BridgeAction
from actions.bridge_client import BridgeClient
from actions.services import default_knowledge_base
from actions.settings import ActionSettings
from knowledge_base.index_store import KBIndexError
from knowledge_base.search import ArticleHit, SearchResult
from knowledge_base.service import KnowledgeBase

log = logging.getLogger(__name__)
QUOTE_CHARS = 420
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A few whole sentences or list lines of `text`, not the whole chunk."""
    text = text.strip()
    if len(text) <= limit:
        return text
    units: list[str] = []
    for line in text.splitlines():
        if _LIST_ITEM.match(line) or not line.strip():
            units.append(line + "\n")
        else:
            sentences = _SENTENCE_END.split(line)
            units.extend(f"{sentence} " for sentence in sentences[:-1])
            units.append(sentences[-1] + "\n")
    kept = ""
    for unit in units:
        if len(kept) + len(unit) > limit:
            break
        kept += unit
    return kept.strip() or text[:limit].rsplit(" ", 1)[0] + " …"


MISSES_BEFORE_HANDOFF = 2


def _shown(hits: Sequence[ArticleHit]) -> list[EventType]:
    """Slots after an answer: what was shown (a handoff passes it to the agent, feedback
    names the chunk), and no misses."""
    articles = [
        {
            "id": hit.article_id,
            "title": hit.title,
            "score": round(hit.score, 3),
            "chunk": hit.chunk.chunk_id,
        }
        for hit in hits
    ]
    return [SlotSet("kb_shown", articles), SlotSet("kb_misses", 0)]


def payload(intent: str, **entities: str | int) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"


def customer_messages(tracker: Tracker, limit: int) -> list[str]:
    """The customer's earlier typed messages of this session, oldest first.

    The current message is left out (it is the question itself), and so are button payloads.
    """
    texts: list[str] = []
    current_seen = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "session_started" or len(texts) >= limit:
            break
        if event.get("event") != "user":
            continue
        if not current_seen:
            current_seen = True
            continue
        text = (event.get("text") or "").strip()
        if text and not text.startswith("/"):
            texts.append(text)
    return list(reversed(texts))


class KnowledgeAction(BridgeAction):
    """Shared by the knowledge actions; abstract, so the action server does not register it."""

    def __init__(
        self,
        knowledge_base: KnowledgeBase | None = None,
        bridge: BridgeClient | None = None,
        settings: ActionSettings | None = None,
    ) -> None:
        super().__init__(bridge, settings)
        self._kb = knowledge_base

    @property
    def kb(self) -> KnowledgeBase:
        return self._kb or default_knowledge_base()

    def link(self, hit: ArticleHit) -> str:
        return f"{self.settings.public_url}{hit.url}" if hit.url.startswith("/") else hit.url

    def utter_answer(
        self, dispatcher: CollectingDispatcher, hit: ArticleHit, language: str, fell_back: bool
    ) -> None:
        text = replies.text(
            "answer", language, quote=quote(hit.chunk.text), title=hit.title, link=self.link(hit)
        )
        if fell_back:
            text = f"{replies.text('other_language', language)}\n\n{text}"
        dispatcher.utter_message(
            text=text,
            buttons=[
                {
                    "title": replies.text("helpful", language),
                    "payload": payload("answer_helpful", article_id=hit.article_id),
                },
                {
                    "title": replies.text("not_helpful", language),
                    "payload": payload("answer_not_helpful", article_id=hit.article_id),
                },
            ],
        )


class ActionAnswerQuestion(KnowledgeAction):
    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = (tracker.latest_message.get("text") or "").strip()
        language = tracker.get_slot("language") or "en"
        context = customer_messages(tracker, self.settings.kb_context_turns)
        result: SearchResult | None = None
        if question and not question.startswith("/"):
            try:
                result = await asyncio.to_thread(
                    self.kb.search, question, language=language, context=context
                )
            except KBIndexError as exc:
                log.error("knowledge base unavailable, answering without it: %s", exc)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "out_of_scope" and (result is None or result.decision != "answer"):
            # The classifier and the search agree it is off topic (or the search found only
            # near-misses): a polite decline, not "I don't know" with the offer of a person,
            # and nothing for the writers' to-do list.
            dispatcher.utter_message(response="utter_out_of_scope")
            return [SlotSet("article_id", None)]
        if result is None or result.decision == "no_answer":
            misses = int(tracker.get_slot("kb_misses") or 0) + 1
            if misses < MISSES_BEFORE_HANDOFF:
                dispatcher.utter_message(
                    text=replies.text("no_answer", language),
                    buttons=[
                        {
                            "title": replies.text("human", language),
                            "payload": payload("request_human", reason="no_answer"),
                        }
                    ],
                )
            best = result.hits[0] if result and result.hits else None
            if question:
                await self.bridge.record_unanswered(
                    conversation_id=tracker.sender_id,
                    question=question,
                    language=language,
                    best_article_id=best.article_id if best else None,
                    best_score=best.score if best else None,
                )
            events: list[EventType] = [SlotSet("article_id", None), SlotSet("kb_misses", misses)]
            if misses >= MISSES_BEFORE_HANDOFF:  # failing twice in a row: a person takes over
                events += [
                    SlotSet("handoff_reason", "bot_failed"),
                    FollowupAction("action_handoff"),
                ]
            return events
        if result.decision == "choices":
            dispatcher.utter_message(
                text=replies.text("choices", language),
                buttons=[
                    {
                        "title": hit.title,
                        "payload": payload("choose_article", article_id=hit.article_id),
                    }
                    for hit in result.hits[:3]
                ],
            )
            return [SlotSet("article_id", None), *_shown(result.hits[:3])]
        hit = result.hits[0]
        self.utter_answer(dispatcher, hit, language, result.fell_back)
        return [SlotSet("article_id", hit.article_id), *_shown(result.hits[:3])]


class ActionShowArticle(KnowledgeAction):
    """After "Did you mean": the chosen article's best part for the question asked."""

    def name(self) -> str:
        return "action_show_article"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        article_id = tracker.get_slot("article_id")
        question = " ".join(customer_messages(tracker, 1))
        hit: ArticleHit | None = None
        if isinstance(article_id, str):
            try:
                hit = await asyncio.to_thread(self.kb.article_hit, article_id, question)
            except KBIndexError as exc:
                log.error("knowledge base unavailable: %s", exc)
        if hit is None:
            dispatcher.utter_message(
                text=replies.text("no_answer", language),
                buttons=[{"title": replies.text("human", language), "payload": "/request_human"}],
            )
            return []
        self.utter_answer(dispatcher, hit, language, fell_back=hit.lang != language)
        return []
