"""Text basics shared by the lexical leg and the NPS parser: languages, accent folding, stop
words and Snowball stemming."""

import unicodedata
from functools import lru_cache

import Stemmer

LANGUAGES = ("en", "hu")  # every language the assistant speaks; one place defines them
_STEMMERS = {"en": "english", "hu": "hungarian"}
# Languages that inflect by endings on the word ("rendelés-em-ről"): a known word with a few
# more letters is a form of it, not a typo.
AGGLUTINATIVE = frozenset({"hu"})
# Folded, as `fold` leaves them: a stop word typed with or without accents is one.
STOPWORDS = {
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


def stem(word: str, language: str) -> str:
    """Snowball stem of one lower-case word. Hungarian suffixes are recognised only with their
    accents ("számláról" -> "száml", "szamlarol" stays), so stem before folding."""
    if language not in _STEMMERS:
        raise ValueError(f"unsupported language {language!r}")
    return str(_stemmer(language).stemWord(word))


_HU_VOWELS = frozenset("aáeéiíoóöőuúüű")


def _hu_number_starts_with_vowel(number: int) -> bool:
    """Whether the Hungarian reading of `number` starts with a vowel: egy (1), öt (5),
    ötven, ötszáz, ezer (1000-1999), egymillió; két, tíz, száz, hat... do not."""
    number = abs(number)
    scale = 0  # the leading group of three digits: 0 units, 1 thousands, 2 millions...
    while number >= 1000:
        number //= 1000
        scale += 1
    if scale == 1 and number == 1:
        return True  # 1000-1999 read "ezer...", not "egyezer..."
    leading = int(str(number)[0])
    return leading == 5 or (leading == 1 and number == 1)


def hu_article(word: str | int) -> str:
    """The Hungarian definite article for `word`: "az" before a vowel sound, else "a".

    Numbers go by how they are read: "az 1.", "az 5.", "a 9.", "az 50.", "a 100.", "az 1000."
    A word goes by its first letter ("az anna@example.com", "a kati@example.com").
    """
    text = str(word).strip()
    digits = ""
    for char in text:
        if not char.isdigit():
            break
        digits += char
    if digits:
        return "az" if _hu_number_starts_with_vowel(int(digits)) else "a"
    return "az" if text[:1].casefold() in _HU_VOWELS else "a"
