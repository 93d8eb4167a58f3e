"""Customer and agent text on its way in: cleaned of control characters, made safe for Rasa
(where a leading "/" is an intent and "{slot}" a placeholder). Shared by every service that
stores typed text."""

import unicodedata


def clean_text(text: str) -> str:
    """Drop control characters (keeping newlines and tabs) and surrounding whitespace."""
    kept = (c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
    return "".join(kept).strip()


def display_name(name: str | None) -> str | None:
    """The name the bot greets with: as the shop gave it, with its control characters and
    braces dropped (Rasa fills `{slot}` placeholders in responses, so a name must not carry
    one); None when nothing is left."""
    if not name:
        return None
    kept = clean_text(name).replace("{", "").replace("}", "").strip()
    return kept or None


def typed_for_rasa(text: str) -> str:
    """What Rasa gets for typed text. Rasa reads a message that starts with "/" as an intent
    with entities ("/restart", "/nps_score{...}"): only the widget's buttons may do that
    (they send `payload`), so typed text loses its leading slashes."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return text
    return stripped.lstrip("/").strip() or "?"
