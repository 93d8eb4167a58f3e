"""Reading a typed answer to "How did you hear about us?" in English or Hungarian.

Words are compared folded (lower case, no accents) by prefix, because Hungarian adds its
endings to the stem: "barátom", "barátnőmtől" and "baráti" all start with "barat". A prefix
that is also the start of common unrelated words is matched as a whole word only ("ad",
"tv"). The first source named in the text wins: "a friend shared it on Facebook" is a friend.
Nothing recognised is `other`, and the caller keeps the text, which is what "other" means.
"""

import re
from dataclasses import dataclass
from typing import Final, Literal

from knowledge_base.text import fold

Source = Literal["friend_family", "search", "social", "review_site", "advert", "other", "skipped"]

_PREFIXES: Final[dict[Source, tuple[str, ...]]] = {
    "friend_family": (
        "friend", "famil", "colleague", "cowork", "recommend", "mum", "mom", "dad", "sister",
        "brother", "wife", "husband", "partner", "neighbo", "word of mouth",
        "barat", "csalad", "kolleg", "ismeros", "ajanl", "anyu", "anyam", "apu", "apam",
        "testver", "noverem", "ocsem", "batyam", "hugom", "ferjem", "felesegem", "parom",
        "szomszed", "munkatars",
    ),
    "search": (
        "google", "bing", "search", "duckduckgo", "gugli", "kereso", "keres", "kerest",
    ),
    "social": (
        "facebook", "instagram", "insta", "tiktok", "youtube", "twitter", "linkedin",
        "pinterest", "social", "reddit", "kozossegi", "face",
    ),
    "review_site": (
        "review", "trustpilot", "rating", "arukereso", "ertekel", "velemeny",
    ),
    "advert": (
        "advert", "banner", "billboard", "commercial", "radio", "poster", "flyer", "leaflet",
        "hirdet", "reklam", "plakat", "szorolap", "teve",
    ),
}  # fmt: skip
# Matched as whole words: as prefixes they would start too many other words.
_WORDS: Final[dict[Source, frozenset[str]]] = {
    "advert": frozenset({"ad", "ads", "tv"}),
    "social": frozenset({"fb", "ig", "x"}),
}
_SKIP: Final = frozenset(
    fold(text)
    for text in (
        "skip", "no", "nope", "rather not say", "i'd rather not say", "none of your business",
        "don't remember", "i don't remember", "dont know", "i don't know", "not sure",
        "kihagyom", "nem", "inkább nem", "nem mondom meg", "passz", "nem emlékszem",
        "nem tudom", "nem szeretném megmondani",
    )
)  # fmt: skip
_WORD: Final = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class ReferralAnswer:
    source: Source
    # What the customer typed, kept for "other" and for writers reading the answers.
    detail: str | None


def parse_referral(text: str) -> ReferralAnswer:
    """The source a typed answer names; `other` with the text when it names none."""
    typed = text.strip()
    folded = fold(typed).strip(" .!?")
    if not folded or folded in _SKIP:
        return ReferralAnswer("skipped", None)
    words = [(match.start(), match.group()) for match in _WORD.finditer(folded)]
    named: list[tuple[int, Source]] = []
    for source, prefixes in _PREFIXES.items():
        named += [(at, source) for p in prefixes if (at := _first_at(folded, words, p)) is not None]
    for source, exact in _WORDS.items():
        named += [(at, source) for at, word in words if word in exact]
    first = min(named, key=lambda hit: hit[0], default=None)
    return ReferralAnswer(first[1] if first else "other", typed[:200])


def _first_at(folded: str, words: list[tuple[int, str]], prefix: str) -> int | None:
    if " " in prefix:  # a phrase: anywhere, on word boundaries
        match = re.search(rf"\b{re.escape(prefix)}\b", folded)
        return match.start() if match else None
    return next((at for at, word in words if word.startswith(prefix)), None)
