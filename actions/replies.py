"""What the knowledge-base actions say, in English and Hungarian."""

from typing import Final

_TEXTS: Final[dict[str, dict[str, str]]] = {
    "answer": {
        "en": "{quote}\n\nMore in **[{title}]({link})**.",
        "hu": "{quote}\n\nBővebben: **[{title}]({link})**.",
    },
    "other_language": {
        "en": "I found this in our Hungarian articles:",
        "hu": "Erről angol nyelvű cikkünk szól:",
    },
    "choices": {
        "en": "I found a few articles that could fit. Did you mean:",
        "hu": "Több cikk is szóba jöhet. Ezek közül melyikre gondolt?",
    },
    "no_answer": {
        "en": "I'm sorry, I couldn't find an answer to that in our help articles. "
        "You can rephrase your question, or I can connect you with a person.",
        "hu": "Sajnos erre nem találtam választ a súgócikkeinkben. "
        "Megfogalmazhatja másképp a kérdést, vagy kapcsolhatom egy munkatársunkhoz.",
    },
    "helpful": {"en": "Helpful", "hu": "Hasznos volt"},
    "not_helpful": {"en": "Not helpful", "hu": "Nem segített"},
    "human": {"en": "Talk to a person", "hu": "Beszélnék egy munkatárssal"},
}


def text(key: str, language: str, **values: str) -> str:
    variants = _TEXTS[key]
    return variants.get(language, variants["en"]).format(**values)
