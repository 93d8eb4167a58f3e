"""Read a customer's typed answer to "How likely are you to recommend us? (0-10)".

The answer is folded (lower case, no accents, apostrophes dropped: "Kilencet" -> "kilencet",
"I'd" -> "id") and split into numbers, words and single symbols. Then:

* Numbers are digits ("9", "10!", "score: 8") or number words of either language ("nine",
  "kilenc", "tíz", "két", the Hungarian "-s" and accusative forms "kilences", "nyolcat",
  and digits with a Hungarian suffix "9-es", "10-et", "8pont").
* A number is the *scale* of a ratio when it follows "/" or "of" ("8/10", "8 out of 10",
  "8 of 10") or carries "-ből" ("10-ből 8", "10bol 8", "tízből nyolc", "8 a 10-ből",
  "10 pontból 8"). The scale must be 10: "4/5" is not 8.
* The answer is a score when exactly one other value is left (repeats are fine: "10, 10!")
  and it is a whole number in 0..10. The Hungarian "egy" doubles as the article "a", so it
  is ignored when another number is present ("adok egy kilencest").
* Anything else with a number in it is unclear: two different values ("5 or 6", "3-4"),
  a value out of range ("11", "-1", "10000", "seven hundred", "7.5"), another scale
  ("5 stars", "100%"), a number negated earlier in its clause ("not a 10", "nem adnék 10-et"),
  or a bound instead of a value ("more than 8", "8 felett").
* Without numbers the answer is a decline when, after politeness words ("thanks", "please",
  "köszönöm"), it begins with a refusal ("not now", "skip", "rather not", "I don't want to",
  "stop", "most nem", "kihagyom", "inkább nem", "nem szeretnék"), or consists only of a bare
  no ("no", "nope", "nem", "ne") and politeness words: "no thanks" and "nem, köszönöm" decline,
  "no idea" and "nem tudom" do not.
* Everything else is unclear ("maybe", "lots", "nothing", emoji, an empty message).

Accents are folded, except in the few words whose accent-less form is another word that
matters here: "hát" (the filler "well") is not "hat" (six) and "őt" (him, her) is not "öt"
(five), so "hát, mondjuk egy nyolcas" is an 8. Typed without accents, "hat" stays six.

Both languages are always read whatever `language` says, since customers mix them.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from knowledge_base.text import LANGUAGES, fold

_EN_NUMBERS = {
    word: value
    for value, word in enumerate("zero one two three four five six seven eight nine ten".split())
}
# Per value: the base form, then the accusative and the "-s" noun forms ("a nine").
_HU_FORMS = {
    0: "nulla nullat nullas nullast",
    1: "egy egyet egyes egyest",
    2: "ketto ket kettot kettes kettest",
    3: "harom harmat harmas harmast",
    4: "negy negyet negyes negyest",
    5: "ot otot otos otost",
    6: "hat hatot hatos hatost",
    7: "het hetet hetes hetest",
    8: "nyolc nyolcat nyolcas nyolcast",
    9: "kilenc kilencet kilences kilencest",
    10: "tiz tizet tizes tizest",
}
_HU_NUMBERS = {form: value for value, forms in _HU_FORMS.items() for form in forms.split()}
# "tízből" = "out of ten": the base form with "-ből".
_HU_SCALES = {forms.split()[0] + "bol": value for value, forms in _HU_FORMS.items()}
_WORD_NUMBERS = _EN_NUMBERS | _HU_NUMBERS
# Numbers that can never be a score ("seven hundred", "tizenegy", "hét és fél").
_OTHER_NUMBER_WORDS = frozenset(
    """
    eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty
    forty fifty sixty seventy eighty ninety hundred thousand million billion half dozen
    tizenegy tizenketto tizenket husz harminc negyven otven szaz ezer millio fel
    """.split()
)
_OTHER_SCALES = frozenset("star stars csillag csillagot csillagos percent szazalek %".split())
# What may follow a digit directly or after a hyphen: "9-es", "10-et", "5-öt", "8pont".
_DIGIT_SUFFIXES = frozenset("es as os est ast ost et at ot t pont pontot pt pts".split())
_SCALE_MARKERS = frozenset(("bol", "pontbol"))  # "10-ből", "10 ből", "10 pontból"
_NEGATIONS = frozenset(
    """
    no not never nope dont wouldnt wont cant couldnt isnt nem ne soha sose sosem
    """.split()
)
_COMPARISONS = frozenset(
    """
    more less over under above below least than max maximum min minimum
    tobb kevesebb legalabb legfeljebb felett folott alatt kozott
    """.split()
)
_CLAUSE_BREAKS = frozenset(",;:.!?")

_POLITE = frozenset(
    """
    thanks thank you thx ty please sorry i id im ok okay well um hmm very much but just
    koszonom koszi kosz koszonjuk koszonet szepen kerem bocs bocsi bocsanat sajnos de en
    hát mondjuk
    """.split()
)
_BARE_NO = frozenset("no nope nah nem ne".split())
_REFUSALS = tuple(
    tuple(phrase.split())
    for phrase in (
        # English
        "not now",
        "not today",
        "not right now",
        "maybe later",
        "later",
        "skip",
        "pass",
        "rather not",
        "prefer not",
        "dont want",
        "do not want",
        "dont wanna",
        "no comment",
        "stop",
        "decline",
        # Hungarian
        "most nem",
        "nem most",
        "ne most",
        "majd maskor",
        "majd kesobb",
        "kesobb",
        "kihagyom",
        "kihagynam",
        "inkabb nem",
        "inkabb ne",
        "nem szeretnek",
        "nem szeretnem",
        "nem akarok",
        "nem akarom",
        "nem valaszolok",
        "passz",
        "hagyjuk",
    )
)

# Words that folding would turn into a number word: read as typed (lower case), and "hát"
# is a polite filler like "well".
_ACCENTED_WORDS = frozenset(("hát", "őt"))
_APOSTROPHES = str.maketrans("", "", "'’`´ʼ")
_TOKEN = re.compile(
    r"(?P<number>-?\d+(?:[.,]\d+)?)(?:-?(?P<suffix>[^\W\d_]+))?"  # "10", "-1", "7.5", "10-ből"
    r"|(?P<word>[^\W\d_]+)"
    r"|(?P<symbol>[^\w\s])"
)


@dataclass(frozen=True)
class NpsAnswer:
    """What the customer said: a score 0..10, a refusal to answer, or nothing usable."""

    kind: Literal["score", "decline", "unclear"]
    score: int | None = None

    def __post_init__(self) -> None:
        if (self.kind == "score") != (self.score is not None):
            raise ValueError("a score answer carries a score, the others none")


_DECLINE = NpsAnswer("decline")
_UNCLEAR = NpsAnswer("unclear")


@dataclass(frozen=True)
class _Token:
    text: str  # a folded word, a number's digits, or one symbol
    kind: Literal["number", "word", "symbol"]
    suffix: str = ""  # letters glued to a number: "bol" in "10-ből"


@dataclass(frozen=True)
class _Number:
    value: int | None  # None: a number that cannot be a score ("7.5", "hundred", "5 stars")
    is_scale: bool  # the 10 of "8/10"
    qualified: bool  # negated or bounded: "not 10", "more than 8"
    maybe_article: bool  # Hungarian "egy", also "a"


def parse_nps_answer(text: str, language: str) -> NpsAnswer:
    """Read one answer to the 0-10 recommendation question (grammar in the module docstring)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    tokens = _tokenize(text)
    numbers = _numbers(tokens)
    if not numbers:
        return _DECLINE if _is_decline([t.text for t in tokens if t.kind == "word"]) else _UNCLEAR
    if any(n.value is None or n.qualified for n in numbers):
        return _UNCLEAR
    if any(n.is_scale and n.value != 10 for n in numbers):
        return _UNCLEAR
    values = [n for n in numbers if not n.is_scale]
    if len(values) > 1:
        values = [n for n in values if not n.maybe_article]
    distinct = {n.value for n in values}
    if len(distinct) != 1:
        return _UNCLEAR
    score = distinct.pop()
    if score is None or not 0 <= score <= 10:
        return _UNCLEAR
    return NpsAnswer("score", score)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    # Tokenised before folding, so that a word can be looked up with its accents first;
    # NFKC first, so that folding cannot change the tokens' boundaries ("９" -> "9").
    text = unicodedata.normalize("NFKC", text.translate(_APOSTROPHES)).casefold()
    for match in _TOKEN.finditer(text):
        if match["number"] is not None:
            number = fold(match["number"])
            tokens.append(_Token(number, "number", fold(match["suffix"] or "")))
        elif match["word"] is not None:
            word = match["word"]
            tokens.append(_Token(word if word in _ACCENTED_WORDS else fold(word), "word"))
        else:
            tokens.append(_Token(match["symbol"], "symbol"))
    return tokens


def _numbers(tokens: list[_Token]) -> list[_Number]:
    numbers: list[_Number] = []
    for i, token in enumerate(tokens):
        before = tokens[i - 1].text if i > 0 else ""
        after = tokens[i + 1].text if i + 1 < len(tokens) else ""
        is_scale = before in ("/", "of") or after in _SCALE_MARKERS
        value: int | None
        if token.kind == "number":
            value = int(token.text) if token.text.lstrip("-").isdigit() else None
            if token.suffix in _SCALE_MARKERS:
                is_scale = True
            elif token.suffix and token.suffix not in _DIGIT_SUFFIXES:
                value = None  # "10k", "10th", "5stars"
        elif token.text in _WORD_NUMBERS:
            value = _WORD_NUMBERS[token.text]
        elif token.text in _HU_SCALES:
            value, is_scale = _HU_SCALES[token.text], True
        elif token.text in _OTHER_NUMBER_WORDS or token.text in _OTHER_SCALES:
            value = None
        else:
            continue
        if after in _OTHER_SCALES:
            value = None
        numbers.append(
            _Number(
                value=value,
                is_scale=is_scale,
                qualified=_is_qualified(tokens, i),
                maybe_article=token.text == "egy",
            )
        )
    return numbers


def _is_qualified(tokens: list[_Token], i: int) -> bool:
    """A negation before the number or a comparison anywhere in its clause."""
    start = i
    while start > 0 and tokens[start - 1].text not in _CLAUSE_BREAKS:
        start -= 1
    end = i + 1
    while end < len(tokens) and tokens[end].text not in _CLAUSE_BREAKS:
        end += 1
    before = {t.text for t in tokens[start:i]}
    clause = before | {t.text for t in tokens[i + 1 : end]}
    return bool(before & _NEGATIONS or clause & _COMPARISONS)


def _is_decline(words: list[str]) -> bool:
    """Polite words and bare noes up to a refusal phrase, or up to the end after a bare no."""
    said_no = False
    i = 0
    while i < len(words):
        if any(tuple(words[i : i + len(p)]) == p for p in _REFUSALS):
            return True
        if words[i] in _BARE_NO:
            said_no = True
        elif words[i] not in _POLITE:
            return False
        i += 1
    return said_no
