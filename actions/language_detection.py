"""Tell English from Hungarian in a short customer message, without any model download.

Only the two languages the assistant speaks matter, so a few strong signals are enough:
letters that only Hungarian uses, and frequent words of each language (with and without
accents, since customers often type Hungarian without them). Words both languages use
("a", "is", "hello", "bot") are in neither list.
"""

import re
import unicodedata

_HU_ONLY_LETTERS = set("őűŐŰ")
_HU_LETTERS = set("áéíóöúüÁÉÍÓÖÚÜ")
_HU_WORDS = frozenset(
    """
    szia sziasztok szervusz helló halló jó jo napot estét estet reggelt üdv udv
    köszönöm koszonom köszi koszi kösz kosz köszönjük koszonjuk igen nem hogy vagy van
    nincs egy az és es mi mit hol mikor miért miert hogyan ki kivel tudna tudsz tud
    szeretnék szeretnek szeretném szeretnem kérem kerem kérek kerek légyszi legyszi
    segíts segits segítség segitseg segítséget segitseget segíteni segiteni
    rendelés rendeles rendelésem
    jelszó jelszo számla szamla szállítás szallitas visszaküldés visszakuldes ember
    emberrel munkatárs munkatars munkatárssal beszélni beszelni beszélhetnék viszlát
    viszlat viszontlátásra viszontlatasra rendben oké persze nagyon most még meg már mar
    ez azt ezt nekem engem vagyok vagy vagytok lehet kell nincsen robot
    """.split()
)
_EN_WORDS = frozenset(
    """
    hi hey the an are was were am i you your my me we our to of in on for
    with and or not no yes yeah yep nope please thanks thank what how why when where who
    can could would should will do does did have has need want like help talk speak
    person human agent order password refund bye goodbye later good morning evening
    there this that it its be about from get got just okay sure great real
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


_HU_FOLDED = frozenset(_fold(w) for w in _HU_WORDS)


def detect_language(text: str) -> str | None:
    """'hu', 'en', or None when the text gives no clear signal (emoji, numbers, one name)."""
    if any(c in _HU_ONLY_LETTERS for c in text):
        return "hu"
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None
    hu = sum(1 for w in words if w in _HU_WORDS or _fold(w) in _HU_FOLDED)
    hu += sum(1 for w in words if any(c in _HU_LETTERS for c in w))
    en = sum(1 for w in words if w in _EN_WORDS)
    if hu > en:
        return "hu"
    if en > hu:
        return "en"
    return None
