"""What the actions say, in English and Hungarian."""

from typing import Final

from knowledge_base.text import hu_article

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
        "hu": "Kapcsolom egy munkatársunkhoz. Ön {position_article} {position}. a sorban, a "
        "várakozás körülbelül {minutes} perc. Addig nem szólok közbe.",
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
    "goodbye": {
        "en": "Goodbye, and thanks for visiting Northwind Shop!",
        "hu": "Viszontlátásra! Köszönjük, hogy felkereste a Northwind Webáruházat.",
    },
    # --- NPS survey -------------------------------------------------------------------------
    "nps_ask_goodbye": {
        "en": "Before you go: how likely are you to recommend Northwind Shop to a friend or "
        "colleague? Choose from 0 (not at all likely) to 10 (extremely likely).",
        "hu": "Mielőtt elköszönünk: mennyire valószínű, hogy ajánlaná a Northwind Webáruházat "
        "egy barátjának vagy kollégájának? Válasszon 0 (egyáltalán nem) és 10 (nagyon "
        "valószínű) között.",
    },
    "nps_ask_after_agent": {
        "en": "Thanks for chatting with us. One quick question: how likely are you to "
        "recommend Northwind Shop to a friend or colleague? Choose from 0 (not at all "
        "likely) to 10 (extremely likely).",
        "hu": "Köszönjük, hogy írt nekünk. Egy gyors kérdés: mennyire valószínű, hogy ajánlaná "
        "a Northwind Webáruházat egy barátjának vagy kollégájának? Válasszon 0 (egyáltalán "
        "nem) és 10 (nagyon valószínű) között.",
    },
    "nps_ask_feedback_request": {
        "en": "Thank you, we'd love to hear it! First: how likely are you to recommend "
        "Northwind Shop to a friend or colleague? Choose from 0 (not at all likely) to 10 "
        "(extremely likely).",
        "hu": "Köszönjük, kíváncsiak vagyunk rá! Először: mennyire valószínű, hogy ajánlaná a "
        "Northwind Webáruházat egy barátjának vagy kollégájának? Válasszon 0 (egyáltalán "
        "nem) és 10 (nagyon valószínű) között.",
    },
    "nps_reask": {
        "en": "Sorry, I didn't catch that. Please choose a number from 0 to 10, or say "
        "“no thanks” to skip the question.",
        "hu": "Elnézést, ezt nem értettem. Kérem, válasszon egy számot 0 és 10 között, vagy "
        "írja, hogy „nem, köszönöm”, ha kihagyná a kérdést.",
    },
    "nps_no_thanks": {"en": "No thanks", "hu": "Nem, köszönöm"},
    "nps_ask_reason": {
        "en": "Thank you! What is the main reason for your score? (You can skip this.)",
        "hu": "Köszönjük! Mi a fő oka a pontszámának? (Ezt kihagyhatja.)",
    },
    "nps_reason_too_long": {
        "en": "That's a bit long for me: please put the main reason in at most {limit} "
        "characters, or skip the question.",
        "hu": "Ez kicsit hosszú: kérem, legfeljebb {limit} karakterben írja le a fő okot, "
        "vagy hagyja ki a kérdést.",
    },
    "nps_skip": {"en": "Skip", "hu": "Kihagyom"},
    "nps_thanks_promoter": {
        "en": "Thank you, we're so glad you're happy with us!",
        "hu": "Köszönjük, nagyon örülünk, hogy elégedett velünk!",
    },
    "nps_review": {
        "en": "If you have a minute, [leave us a review or recommend us to a friend]({url}).",
        "hu": "Ha van egy perce, [írjon rólunk értékelést, vagy ajánljon minket egy "
        "ismerősének]({url}).",
    },
    "nps_thanks_passive": {
        "en": "Thank you for your feedback! We'll use it to get better.",
        "hu": "Köszönjük a visszajelzését! Felhasználjuk, hogy még jobbak legyünk.",
    },
    "nps_thanks_detractor": {
        "en": "Thank you for telling us, and we're sorry we fell short. Would you like "
        "someone from our team to follow up with you?",
        "hu": "Köszönjük, hogy elmondta, és sajnáljuk, hogy csalódást okoztunk. Szeretné, ha "
        "egy munkatársunk felvenné Önnel a kapcsolatot?",
    },
    "nps_follow_up_yes": {"en": "Yes, please", "hu": "Igen, kérem"},
    "nps_declined": {
        "en": "No problem, I won't ask again.",
        "hu": "Rendben, nem kérdezem többet.",
    },
    "nps_dropped": {
        "en": "Let's leave it, then. Thanks anyway!",
        "hu": "Akkor hagyjuk, azért köszönjük!",
    },
    "nps_recently_asked": {
        "en": "Thank you! You gave us a score recently, so I won't ask for another. If "
        "something particular is on your mind, a person from our team will gladly hear it.",
        "hu": "Köszönjük! Nemrég már értékelt minket, ezért most nem kérdezem újra. Ha "
        "valami konkrét dolgot elmondana, egy munkatársunk szívesen meghallgatja.",
    },
    "nps_unavailable": {
        "en": "Thank you! A person from our team will gladly hear what's on your mind.",
        "hu": "Köszönjük! Egy munkatársunk szívesen meghallgatja, mi jár a fejében.",
    },
    # --- "How did you hear about us?" ---------------------------------------------------------
    "referral_ask": {
        "en": "Glad it helped! One quick question, if you don't mind: how did you hear about "
        "Northwind Shop? Tap an answer or type your own.",
        "hu": "Örülök, hogy segíthettem! Egy gyors kérdés, ha nem bánja: honnan hallott a "
        "Northwind Webáruházról? Válasszon, vagy írja be a saját válaszát.",
    },
    "referral_friend_family": {"en": "A friend or family", "hu": "Barát vagy családtag"},
    "referral_search": {"en": "Search (Google…)", "hu": "Keresés (Google…)"},
    "referral_social": {"en": "Social media", "hu": "Közösségi média"},
    "referral_review_site": {"en": "A review site", "hu": "Értékelő oldal"},
    "referral_advert": {"en": "An advert", "hu": "Hirdetés"},
    "referral_other": {"en": "Other", "hu": "Egyéb"},
    "referral_skipped": {"en": "Skip", "hu": "Kihagyom"},
    "referral_thanks": {
        "en": "Thank you, that helps us a lot! Is there anything else I can help you with?",
        "hu": "Köszönöm, ez sokat segít nekünk! Segíthetek még valamiben?",
    },
    "referral_thanks_skipped": {
        "en": "No problem. Is there anything else I can help you with?",
        "hu": "Rendben, semmi gond. Segíthetek még valamiben?",
    },
}


def text(key: str, language: str, **values: str) -> str:
    """The sentence `key` in `language` (English when it has none), with `values` filled in.

    A Hungarian "a"/"az" before a value goes by how the value is read, so each value also
    fills `{name_article}`: "Ön az 5. a sorban", "Ön a 9. a sorban".
    """
    variants = _TEXTS[key]
    articles = {f"{name}_article": hu_article(value) for name, value in values.items() if value}
    return variants.get(language, variants["en"]).format(**values, **articles)
