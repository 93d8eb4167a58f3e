"""The few sentences the bridge itself says to customers, in every supported language."""

from typing import Final

from knowledge_base.text import LANGUAGES

SUPPORTED: Final = LANGUAGES

_TEXTS: Final[dict[str, dict[str, str]]] = {
    "bot_unavailable": {
        "en": "Sorry, our assistant is slow to respond right now. Your message is saved, "
        "and you will get an answer here as soon as possible.",
        "hu": "Elnézést, az asszisztensünk most lassan válaszol. Az üzenetét elmentettük, és "
        "amint lehet, itt válaszolunk rá.",
    },
    "bot_silent": {
        "en": "Sorry, I didn't catch that. Could you put it another way, or ask to talk to a "
        "person?",
        "hu": "Elnézést, ezt nem értettem. Megfogalmazná másképp, vagy kérje, hogy egy "
        "munkatársunkkal beszélhessen.",
    },
    "empty_message": {
        "en": "Please type a message first.",
        "hu": "Kérjük, előbb írjon egy üzenetet.",
    },
    "message_too_long": {
        "en": "That message is too long (at most {limit} characters). Please shorten it.",
        "hu": "Ez az üzenet túl hosszú (legfeljebb {limit} karakter lehet). Kérjük, rövidítse.",
    },
    "rate_limited": {
        "en": "You are sending messages too quickly. Please wait {seconds} seconds.",
        "hu": "Túl gyorsan küldi az üzeneteket. Kérjük, várjon {seconds} másodpercet.",
    },
    "invalid_json": {
        "en": "The chat sent something that could not be read. Please try again.",
        "hu": "A csevegő olvashatatlan adatot küldött. Kérjük, próbálja újra.",
    },
    "invalid_event": {
        "en": "The chat sent an event the server does not understand.",
        "hu": "A csevegő olyan eseményt küldött, amelyet a szerver nem ismer.",
    },
    "invalid_cursor": {
        "en": "The chat asked for a part of the conversation that does not exist.",
        "hu": "A csevegő a beszélgetés egy nem létező részét kérte.",
    },
    "too_many_sockets": {
        "en": "This chat is already open in {limit} windows. Please continue in one of them.",
        "hu": "Ez a csevegés már {limit} ablakban nyitva van. Kérjük, azok egyikében folytassa.",
    },
    "sensitive_data_hidden": {
        "en": "For your security, we hid the card number, bank account number or password in "
        "your message. Please never share them in the chat.",
        "hu": "Biztonsága érdekében elrejtettük az üzenetében szereplő kártyaszámot, "
        "bankszámlaszámot vagy jelszót. Kérjük, ezeket soha ne ossza meg a csevegésben.",
    },
    "invalid_token": {
        "en": "This chat session has expired. A new one will start.",
        "hu": "Ez a csevegés lejárt. Újat indítunk.",
    },
    "forbidden": {
        "en": "This chat belongs to another session.",
        "hu": "Ez a csevegés egy másik munkamenethez tartozik.",
    },
    "agent_joined": {
        "en": "{name} has joined the chat.",
        "hu": "{name} csatlakozott a beszélgetéshez.",
    },
    "agent_left_queue": {
        "en": "{name} was disconnected. You are back in the queue; another colleague will "
        "be with you shortly.",
        "hu": "{name} kapcsolata megszakadt. Visszakerült a sorba; hamarosan egy másik "
        "kollégánk folytatja.",
    },
    "transferred": {
        "en": "You are now chatting with {name}.",
        "hu": "Mostantól {name} segít Önnek.",
    },
    "transferred_to_queue": {
        "en": "{name} passed your chat on to a colleague. You are back in the queue; someone "
        "will be with you shortly.",
        "hu": "{name} továbbadta a beszélgetést egy kollégájának. Visszakerült a sorba; "
        "hamarosan valaki folytatja Önnel.",
    },
    "handed_back": {
        "en": "{name} handed the chat back to the assistant.",
        "hu": "{name} visszaadta a beszélgetést az asszisztensnek.",
    },
    "conversation_closed": {
        "en": "{name} closed the conversation. Thank you for contacting us!",
        "hu": "{name} lezárta a beszélgetést. Köszönjük, hogy megkeresett minket!",
    },
    # Queue hygiene: the customer was off the page for QUEUE_ABANDON_AFTER_S while waiting.
    "queue_missed": {
        "en": "You had left the page, so you are no longer in the queue for an agent. Ask me "
        "anything, or ask for a person again whenever you like.",
        "hu": "Mivel elhagyta az oldalt, kikerült az ügyintézőre várók sorából. Kérdezzen "
        "bátran, vagy kérjen újra ügyintézőt, amikor csak szeretné.",
    },
    "message_left": {
        "en": "Message left for our team. We will answer at {email}.",
        "hu": "Üzenetét továbbítottuk. A(z) {email} címre válaszolunk.",
    },
    "not_yours": {
        "en": "This conversation is not assigned to you.",
        "hu": "Ez a beszélgetés nem önhöz tartozik.",
    },
    "not_found": {
        "en": "This chat no longer exists. A new one will start.",
        "hu": "Ez a csevegés már nem létezik. Újat indítunk.",
    },
}


def text(key: str, language: str, **values: object) -> str:
    """The sentence `key` in `language` (English when the language is not supported)."""
    variants = _TEXTS[key]
    return variants.get(language, variants["en"]).format(**values)
