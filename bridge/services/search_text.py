"""What a conversation search looks for, and how a hit is shown: pure functions, the same on
SQLite and PostgreSQL.

A query is split into words, runs of letters and digits (everything else separates them, so
no full-text syntax can get through). A message matches when each word starts a word of the
message, compared without case and accents ("szamla" finds "számlámat"); a one-letter word
must be a whole word ("a" finds the article, not every word starting with an a). The database
indexes decide which messages match (bridge/db/conversation_search.py); this module marks the
matched words in what is shown, as segments the console renders as text.
"""

import re
import unicodedata
from dataclasses import dataclass

from knowledge_base.text import fold

MAX_QUERY_CHARS = 200
MAX_WORDS = 12
SNIPPET_CHARS = 160  # about two lines in the results list
_CONTEXT_BEFORE = 40  # characters kept before the first matched word
WORD = re.compile(r"[^\W_]+")


class SearchRefused(ValueError):
    """A search the conversations view refuses; `code` says why, for the client."""

    code = "refused"


class QueryTooLong(SearchRefused):
    code = "query_too_long"


class NoSearchWords(SearchRefused):
    code = "no_words"


class TooManyWords(SearchRefused):
    code = "too_many_words"


@dataclass(frozen=True)
class SearchTerms:
    """The words of a query as typed (NFC), in order, without repeats."""

    words: tuple[str, ...]

    @property
    def folded(self) -> tuple[tuple[str, bool], ...]:
        """Each word folded, and whether it is a prefix (longer than one letter as typed)."""
        return tuple((fold(word), is_prefix(word)) for word in self.words)


def is_prefix(word: str) -> bool:
    """Whether a query word finds the words it starts, or only itself (one letter)."""
    return len(word) > 1


@dataclass(frozen=True)
class Segment:
    """A piece of shown text; `hit` when it is a matched word."""

    text: str
    hit: bool


def parse_query(query: str) -> SearchTerms:
    """The words to look for; raises `QueryTooLong`, `NoSearchWords` (only punctuation or
    spaces) or `TooManyWords`."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"a search is at most {MAX_QUERY_CHARS} characters")
    words: list[str] = []
    seen: set[str] = set()
    for word in WORD.findall(unicodedata.normalize("NFC", query)):
        if fold(word) not in seen:
            seen.add(fold(word))
            words.append(word)
    if not words:
        raise NoSearchWords("type at least one word of letters or digits")
    if len(words) > MAX_WORDS:
        raise TooManyWords(f"a search has at most {MAX_WORDS} words")
    return SearchTerms(tuple(words))


def word_matches(word: str, terms: tuple[tuple[str, bool], ...]) -> bool:
    """Whether one word of a message is found by one of the query words (`SearchTerms.folded`)."""
    folded = fold(word)
    return any(folded.startswith(term) if prefix else folded == term for term, prefix in terms)


def message_matches(text: str, terms: SearchTerms) -> bool:
    """Every query word finds a word of `text`: what the database indexes compute, in Python."""
    words = WORD.findall(unicodedata.normalize("NFC", text))
    return all(any(word_matches(word, (term,)) for word in words) for term in terms.folded)


def highlight(text: str, terms: SearchTerms) -> tuple[Segment, ...]:
    """`text` as segments, the words the query finds marked."""
    text = unicodedata.normalize("NFC", text)
    folded = terms.folded
    segments: list[Segment] = []
    position = 0
    for found in WORD.finditer(text):
        if not word_matches(found.group(), folded):
            continue
        if found.start() > position:
            segments.append(Segment(text[position : found.start()], False))
        segments.append(Segment(found.group(), True))
        position = found.end()
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return tuple(_merge(segments))


def snippet(text: str, terms: SearchTerms, chars: int = SNIPPET_CHARS) -> tuple[Segment, ...]:
    """About `chars` characters of `text` around its first matched word, marked; an ellipsis
    where text was cut."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    first = next(
        (m.start() for m in WORD.finditer(text) if word_matches(m.group(), terms.folded)), 0
    )
    start = max(0, first - _CONTEXT_BEFORE)
    if start > 0:  # begin with a whole word
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + chars)
    if end < len(text):  # end with a whole word
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    shown = ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")
    return highlight(shown, terms)


def plain(text: str, chars: int) -> str:
    """`text` on one line, cut at a word boundary to at most `chars` characters (an ellipsis
    where cut): a conversation's topic."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > chars // 2 else chars].rstrip() + "…"


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].hit == segment.hit and not segment.hit:
            merged[-1] = Segment(merged[-1].text + segment.text, False)
        else:
            merged.append(segment)
    return merged
