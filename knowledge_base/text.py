"""Text analysis for the lexical leg: accent folding, tokens, stop words, stemming.

Accents are folded *before* stemming so that "számlát" and the accent-less "szamlat" that
customers type end up as the same term.
"""

import re
import unicodedata
from functools import lru_cache

import Stemmer

LANGUAGES = ("en", "hu")
_STEMMERS = {"en": "english", "hu": "hungarian"}
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = {
    "en": frozenset(
        """a an and are as at be but by can could do does for from have how i if in is it its
        me my of on or our so that the their them then there this to was we what when where
        which who why will with would you your please hi hello thanks""".split()
    ),
    "hu": frozenset(
        """a az egy es is meg de hogy nem van vagy ha mi mit mikor hol hogyan miert ki ez azt
        ezt en on maga kell lehet mar meg csak most itt ott ahol amit amely aki mint volt
        lesz kerem koszonom szia jo napot""".split()
    ),
}


def fold(text: str) -> str:
    """Lower case without accents: 'Visszaküldés' -> 'visszakuldes'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS[language])


def analyze(text: str, language: str) -> list[str]:
    """Terms of `text` for BM25: folded, stop words dropped, stemmed in `language`."""
    if language not in _STEMMERS:
        raise ValueError(f"unsupported language {language!r}")
    words = [w for w in _TOKEN.findall(fold(text)) if w not in _STOPWORDS[language]]
    return list(_stemmer(language).stemWords(words))
