"""Words as customers type them, matched to words as the articles spell them.

Customers leave accents out ("szamla" for "számla"), make one-letter typos ("pasword"), inflect
("számlámat") and run compounds together ("jelszovisszaallito"). A `Lexicon` is built from one
language's articles and knows every word they use, so it can:

- **restore** a typed word to the articles' spelling, after writing out chat shorthand
  ("ur acc", see shorthand.py): the exact word when the articles have it
  ("szamla" -> "számla"), else the accented spelling of its longest known beginning plus the
  typed ending ("szamlamat" -> "számlámat" by way of "számlá"), else a known word one edit away
  ("pasword" -> "password"). The dense leg embeds the restored text: a multilingual model has
  seen Hungarian with accents, and scores "szallitasi cim" far below "szállítási cím";
- give the **terms** of the lexical leg: each word restored, stemmed in its accented form (the
  Snowball stemmer recognises Hungarian suffixes only with their accents) and then folded, plus
  the two halves of a compound whose halves the articles use on their own.

Words the articles do not use, and words typed with accents, are kept as typed: the writer's
vocabulary is the reference, and a customer who typed accents meant them.
"""

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from knowledge_base.shorthand import expand
from knowledge_base.text import AGGLUTINATIVE, LANGUAGES, STOPWORDS, fold, stem

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MIN_PREFIX = 4  # shorter beginnings say little about a word
MAX_ENDING = 4  # letters a known beginning may leave unrestored: an inflection
MIN_TYPO_WORD = 5  # shorter words have too many neighbours one edit away
MIN_PART = 3  # a compound's halves are words of their own


# Each unaccented vowel and the accented ones it may stand for (Hungarian).
_ACCENTS = {"a": "aá", "e": "eé", "i": "ií", "o": "oóöő", "u": "uúüű"}


def _accented_variants(ending: str) -> list[str]:
    """Every way to put accents on `ending`'s vowels, the typed one first."""
    options = [_ACCENTS.get(char, char) for char in ending]
    return ["".join(chars) for chars in itertools.product(*options)]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class Lexicon:
    language: str
    counts: dict[str, dict[str, int]]  # folded word -> {spelling in the articles: count}
    options: frozenset[str] = field(default=frozenset({"restore", "typos", "compounds"}))

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"unsupported language {self.language!r}")
        unknown = self.options - {"restore", "typos", "compounds"}
        if unknown:
            raise ValueError(f"unknown lexicon options {sorted(unknown)}")

    @classmethod
    def build(
        cls, language: str, texts: Iterable[str], options: Iterable[str] | None = None
    ) -> "Lexicon":
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for text in texts:
            for word in _WORD.findall(text.casefold()):
                counts[fold(word)][word] += 1
        return cls(
            language=language,
            counts={folded: dict(spellings) for folded, spellings in counts.items()},
            **({} if options is None else {"options": frozenset(options)}),
        )

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "counts": self.counts, "options": sorted(self.options)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Lexicon":
        return cls(
            language=str(data["language"]),
            counts={
                str(k): {str(s): int(n) for s, n in v.items()} for k, v in data["counts"].items()
            },
            options=frozenset(data["options"]),
        )

    # --- what the articles spell --------------------------------------------------------------

    @cached_property
    def _spelling(self) -> dict[str, str]:
        """Folded word -> its most frequent spelling (ties: the accented, then alphabetical)."""
        return {
            folded: max(spellings, key=lambda s: (spellings[s], s != folded, s))
            for folded, spellings in self.counts.items()
        }

    @cached_property
    def _frequency(self) -> dict[str, int]:
        return {folded: sum(spellings.values()) for folded, spellings in self.counts.items()}

    @cached_property
    def _prefixes(self) -> dict[str, str]:
        """Folded beginning (>= MIN_PREFIX letters) -> its most frequent accented spelling."""
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for folded, spelling in self._spelling.items():
            if spelling == folded:
                continue
            for end in range(MIN_PREFIX, len(folded) + 1):
                votes[folded[:end]][spelling[:end]] += self._frequency[folded]
        return {prefix: spellings.most_common(1)[0][0] for prefix, spellings in votes.items()}

    @cached_property
    def _neighbours(self) -> dict[str, list[str]]:
        """Deletion key -> known words that give it (SymSpell-style, one edit)."""
        index: dict[str, list[str]] = defaultdict(list)
        for folded in self._spelling:
            if len(folded) >= MIN_TYPO_WORD:
                for key in {folded} | _deletes(folded):
                    index[key].append(folded)
        return dict(index)

    def knows(self, folded: str) -> bool:
        return folded in self._spelling

    def correct(self, folded: str) -> str | None:
        """The most frequent known word one insertion, deletion or substitution away."""
        if len(folded) < MIN_TYPO_WORD or "typos" not in self.options:
            return None
        candidates: set[str] = set()
        for key in {folded} | _deletes(folded):
            candidates.update(self._neighbours.get(key, ()))
        candidates = {c for c in candidates if c != folded and abs(len(c) - len(folded)) <= 1}
        # Two words of one length can share a deletion key and still be two replacements apart
        # ("abcd"/"abdc" share "abd"): keep those that are one replacement or one swap apart.
        close = [c for c in candidates if len(c) != len(folded) or _one_edit_apart(c, folded)]
        if not close:
            return None
        return max(close, key=lambda c: (self._frequency[c], c))

    @cached_property
    def _stems(self) -> frozenset[str]:
        """Folded stems of the articles' words: a typed word with a known stem is a form of a
        known word ("vagytok", "Debrecenben"), not a typo to correct into another one."""
        return frozenset(
            fold(stem(spelling, self.language)) for spelling in self._spelling.values()
        )

    def _spell(self, typed: str) -> str:
        """The articles' spelling of one typed word (see the module docstring)."""
        low = typed.casefold()
        if low != fold(low):
            return typed  # typed with accents: meant as typed
        if low in self._spelling:
            return self._spelling[low]
        shortest = max(MIN_PREFIX, len(low) - MAX_ENDING)
        for end in range(len(low), shortest - 1, -1):
            prefix = self._prefixes.get(low[:end])
            if prefix is not None:
                return self._with_ending(prefix, low[end:])
        # A known stem, or in a language that inflects by endings a known word plus an ending
        # ("vagy" + "tok"): an inflected form, not a typo to correct into another word. In
        # English "pass" + "wrod" is a typo.
        if fold(stem(low, self.language)) in self._stems or (
            self.language in AGGLUTINATIVE
            and any(low[:end] in self._spelling for end in range(len(low) - 1, shortest - 1, -1))
        ):
            return typed
        corrected = self.correct(low)
        return self._spelling[corrected] if corrected is not None else typed

    def _with_ending(self, prefix: str, ending: str) -> str:
        """The restored beginning with the typed ending, its accents too where that makes it
        a form of a known word: "számlá" + "rol" -> "számláról" (the stemmer knows "-ról",
        not "-rol")."""
        word = prefix + ending
        if not ending or fold(stem(word, self.language)) in self._stems:
            return word
        for accented in _accented_variants(ending):
            if fold(stem(prefix + accented, self.language)) in self._stems:
                return prefix + accented
        return word

    def _restore_word(self, typed: str) -> str:
        spelled = self._spell(typed)
        if spelled is typed:
            return typed
        if typed.isupper() and len(typed) > 1:
            return spelled.upper()
        return spelled[:1].upper() + spelled[1:] if typed[:1].isupper() else spelled

    def restore(self, text: str) -> str:
        """`text` with chat shorthand written out and every word in the articles' spelling
        where the articles have it."""
        if "restore" not in self.options:
            return text
        return _WORD.sub(
            lambda match: self._restore_word(match.group(0)), expand(text, self.language)
        )

    # --- terms of the lexical leg -------------------------------------------------------------

    def _split(self, folded: str) -> tuple[str, str] | None:
        """Two halves the articles use on their own ("jelszo" + "visszaallito"); the split
        with the longest first half wins."""
        if "compounds" not in self.options or len(folded) < 2 * MIN_PART + 2:
            return None
        stopwords = STOPWORDS[self.language]
        for cut in range(len(folded) - MIN_PART, MIN_PART - 1, -1):
            head, tail = folded[:cut], folded[cut:]
            if (
                head in self._spelling
                and tail in self._spelling
                and head not in stopwords
                and tail not in stopwords
            ):
                return head, tail
        return None

    def terms(self, text: str, *, query: bool) -> list[str]:
        """BM25 terms: stop words dropped, the rest restored (queries only: the articles are
        spelled right), stemmed with accents, folded; a compound adds its halves (on both
        sides, so "csomag automata" finds "csomagautomata" and the other way round)."""
        stopwords = STOPWORDS[self.language]
        terms: list[str] = []
        if query and "restore" in self.options:
            text = expand(text, self.language)
        for token in _TOKEN.findall(text.casefold()):
            folded = fold(token)
            if folded in stopwords:
                continue
            word = self._restore_word(token) if query and "restore" in self.options else token
            terms.append(fold(stem(word.casefold(), self.language)))
            halves = self._split(folded)
            if halves is not None:
                terms.extend(fold(stem(self._spelling[h], self.language)) for h in halves)
        return terms


def _one_edit_apart(a: str, b: str) -> bool:
    """Same length: one letter replaced, or two neighbours swapped ("adress"/"adrses")."""
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) == 1:
        return True
    i = diffs[0] if len(diffs) == 2 else -1
    return diffs == [i, i + 1] and a[i] == b[i + 1] and a[i + 1] == b[i]
