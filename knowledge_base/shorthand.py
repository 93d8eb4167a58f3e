"""Chat shorthand customers type, written out, per language ("ur acc" -> "your account").

Neither model nor stemmer knows these; written out, both legs can match them. Whole words
only, case-insensitive; a shorthand that is also a common word ("no", "am", "tom") is left
out, and so is anything a typo correction would find anyway.
"""

import re
from typing import Final

SHORTHAND: Final[dict[str, dict[str, str]]] = {
    "en": {
        "u": "you",
        "ur": "your",
        "r": "are",
        "pls": "please",
        "plz": "please",
        "thx": "thanks",
        "ty": "thank you",
        "acc": "account",
        "acct": "account",
        "nr": "number",
        "num": "number",
        "pw": "password",
        "pwd": "password",
        "msg": "message",
        "addr": "address",
        "tel": "phone",
        "ph": "phone",
        "asap": "as soon as possible",
        "info": "information",
        "b4": "before",
        "bc": "because",
        "cuz": "because",
        "coz": "because",
        "pkg": "package",
        "qty": "quantity",
        "amt": "amount",
        "approx": "approximately",
        "tmrw": "tomorrow",
        "tmr": "tomorrow",
        "yday": "yesterday",
        "wk": "week",
        "hrs": "hours",
        "mins": "minutes",
        "pic": "photo",
        "pics": "photos",
        "registrate": "register",
        "signup": "sign up",
        "2fa": "two-factor authentication",
        "cod": "cash on delivery",
    },
    "hu": {
        "vmi": "valami",
        "vmit": "valamit",
        "vki": "valaki",
        "vhol": "valahol",
        "vmikor": "valamikor",
        "h": "hogy",
        "tel": "telefon",
        "tlf": "telefon",
        "pls": "kérem",
        "köszi": "köszönöm",
        "koszi": "köszönöm",
        "sztem": "szerintem",
        "asszem": "azt hiszem",
        "nemtom": "nem tudom",
        "kb": "körülbelül",
        "2fa": "kétlépcsős azonosítás",
    },
}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def expand(text: str, language: str) -> str:
    """`text` with the language's chat shorthand written out."""
    table = SHORTHAND.get(language, {})
    if not table:
        return text
    return _WORD.sub(lambda match: table.get(match.group(0).casefold(), match.group(0)), text)
