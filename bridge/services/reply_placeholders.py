"""The `{name}` placeholders of saved replies, checked when a reply is saved.

The console fills them in when an agent inserts a reply (static/console/placeholders.js, which
reads the same grammar and the same names): `{agent}` the agent's display name, `{customer}`
the customer's name (a neutral word when it is not known), `{question}` the customer's last
question before the handoff, `{page}` the page they are on, `{conversation}` the chat's short
id. `{{` and `}}` stand for a literal brace. A brace that is not part of one of these, or a
name not in the list, is refused when the reply is saved, so a typo (`{agnet}`) shows at once
and never reaches a customer.
"""

import re
from dataclasses import dataclass

PLACEHOLDERS: tuple[str, ...] = ("agent", "customer", "question", "page", "conversation")
# Left to right, as the console reads it: an escaped brace, a {token}, or a stray brace.
TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class PlaceholderProblems:
    """What is wrong with a text's placeholders (both empty: nothing)."""

    unknown: tuple[str, ...]  # well-formed names that are not placeholders, as typed: "{agnet}"
    malformed: tuple[str, ...]  # a stray brace or a {token} that cannot be a name: "{ agent }"

    def __bool__(self) -> bool:
        return bool(self.unknown or self.malformed)


def check_placeholders(text: str) -> PlaceholderProblems:
    unknown: list[str] = []
    malformed: list[str] = []
    for match in TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None or not NAME.fullmatch(name):
            malformed.append(token)
        elif name not in PLACEHOLDERS:
            unknown.append(token)
    return PlaceholderProblems(tuple(dict.fromkeys(unknown)), tuple(dict.fromkeys(malformed)))
