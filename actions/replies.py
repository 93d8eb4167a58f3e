"""What the actions say, in English and Hungarian."""

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
    "handoff_queued": {
        "en": "I'm connecting you with a person. You are number {position} in the queue; "
        "the wait is about {minutes} min. I'll stay quiet until they join.",
        "hu": "Kapcsolom egy munkatársunkhoz. Ön a(z) {position}. a sorban, a várakozás "
        "körülbelül {minutes} perc. Addig nem szólok közbe.",
    },
    "handoff_no_agents": {
        "en": "I'm sorry, none of our team is available to chat right now. Leave your email "
        "address and your question, and we'll write back as soon as possible.",
        "hu": "Sajnos most egyik munkatársunk sem érhető el csevegésben. Hagyja meg az "
        "e-mail-címét és a kérdését, és hamarosan válaszolunk.",
    },
    "handoff_outside_hours": {
        "en": "Our team is not at work right now (we chat {hours}). Leave your email address "
        "and your question, and we'll write back when we are back.",
        "hu": "Munkatársaink most nem dolgoznak (csevegés: {hours}). Hagyja meg az "
        "e-mail-címét és a kérdését, és amint visszaérünk, válaszolunk.",
    },
    "leave_message": {"en": "Leave a message", "hu": "Üzenetet hagyok"},
    "handoff_failed": {
        "en": "I'm sorry, I can't reach our team right now. Please try again in a few "
        "minutes, or write to support@northwind.example.",
        "hu": "Sajnos most nem érem el a kollégáimat. Kérem, próbálja újra néhány perc "
        "múlva, vagy írjon nekünk: support@northwind.example.",
    },
}


def text(key: str, language: str, **values: str) -> str:
    variants = _TEXTS[key]
    return variants.get(language, variants["en"]).format(**values)
