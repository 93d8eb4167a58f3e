"""Masks payment data and passwords in what customers type, before it is stored or relayed.

A customer who types a card number, an IBAN or a password into the chat should not leave it
in the transcript, in Rasa's tracker store, in the agents' consoles or in an export. The masks
are language-neutral, so agents read them the same in English and Hungarian chats:

- a card number (13-19 digits in one run, or in groups of 3-6 split by single spaces or
  dashes; an issuer's first digit, 2-6; a valid Luhn check digit):
  `4111 1111 1111 1111` -> `•••• 1111` (the last four, as on a receipt);
- an IBAN (a registered country's exact length, single spaces allowed, ISO 7064 mod-97):
  `HU42 1177 3016 1111 1018 0000 0000` -> `HU•• •••• 0000`;
- a password after a label with ":" or "=" (password, passwd, pwd, pw, passcode, pin,
  pin code, jelszó, jelszo, jelszavam, jelszavunk, jelszót, jelkód, pin-kód; "password is:"
  too): `jelszó: Titok 123` -> `jelszó: ••••••`;
- a word that looks like a secret (a digit, a symbol or an inner capital) after "password",
  "password is/was/to/now", "jelszó", "jelszavam", "a jelszavam az/pedig/volt":
  `my password is Summer2024!` -> `my password is ••••••`.

A label with a colon hides the rest of its line (a passphrase may hold spaces). Without a
colon, "my password is wrong", "a jelszavam nem működik" are what customers say most, so only
a word that looks like a secret is hidden there. Order numbers, phone numbers, dates and
amounts stay: they fail the issuer prefix, the length or the Luhn check (about one in ten
random numbers passes Luhn alone, so the prefix and grouping rules matter).

Pure functions on bounded text (callers check lengths first); no state, no I/O.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

Kind = Literal["card", "iban", "password"]

MASK_DOTS: Final = "••••"
PASSWORD_MASK: Final = "••••••"  # fixed width: the mask must not tell the password's length

# Where the check digits fit, the registry's IBAN length per country (SWIFT IBAN registry).
IBAN_LENGTHS: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

# A run of digits with optional single spaces or dashes, not glued to more digits on either
# side (so part of a longer number, or of a phone number written "+36 ...", is never taken).
_DIGIT_RUN = re.compile(r"(?<![\d+])(?<!\d[ -])\d(?:[ -]?\d){12,18}(?![ -]?\d)")
_GROUPED = re.compile(r"\d{4}(?:[ -]\d{3,6})+")
# Country code and check digits at a word start; the rest is read by the country's length.
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?= ?[A-Za-z0-9])")

_LABEL = (
    r"pass(?:word|wd|code)|pwd|pw|pin(?:[ -]?(?:code|kód|kod))?"
    r"|jelsz(?:ó|o|avam|avunk|avát|ót|ot)|jelkód|jelkod"
)
_PASSWORD_LABELLED = re.compile(
    rf"\b({_LABEL})((?:\s+(?:is|was|az|volt))?\s*[:=]\s*)([^\n]*\S)", re.IGNORECASE
)
_PASSWORD_SAID = re.compile(
    r"\b((?:my |the |a |az )?(?:password|passcode|jelszavam|jelszó|jelszo)"
    r"(?: is| was| to| now| az| pedig| lenne| volt| most)?\s+)(\S+)",
    re.IGNORECASE,
)
_SECRET_LIKE = re.compile(r"\d|[^\w\s.,;:!?'\"()-]|\w[A-Z]")


@dataclass(frozen=True)
class Redacted:
    """Text with sensitive data masked; `kinds` says what was found (empty: unchanged)."""

    text: str
    kinds: frozenset[Kind] = frozenset()

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def redact(text: str) -> Redacted:
    """Mask IBANs, card numbers and passwords in `text` (in that order: an IBAN's digits
    must not be read as a card number)."""
    kinds: set[Kind] = set()
    for kind, mask in _MASKERS:
        masked = mask(text)
        if masked != text:
            kinds.add(kind)
            text = masked
    return Redacted(text, frozenset(kinds))


def redact_text(text: str) -> str:
    """`redact(text).text`, for free text where nobody needs to be told (stored forms)."""
    return redact(text).text


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """A payment card number: 13-19 digits, a card issuer's first digit (2-6: Mastercard,
    Amex, Diners, JCB, Visa, Maestro, Discover, UnionPay) and a valid Luhn check digit."""
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_valid(digits)


def iban_valid(iban: str) -> bool:
    """ISO 13616: the country's length, and ISO 7064 mod-97 of the rearranged digits is 1."""
    iban = iban.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum() or not iban.isascii():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _mask_cards(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        written = match.group()
        digits = re.sub(r"[ -]", "", written)
        # Card numbers are written in one run or in groups (4-4-4-4, 4-6-5); dates, phone
        # numbers and amounts come in pairs and other shapes.
        if written != digits and not _GROUPED.fullmatch(written):
            return written
        return f"{MASK_DOTS} {digits[-4:]}" if is_card_number(digits) else written

    return _DIGIT_RUN.sub(mask, text)


def _mask_ibans(text: str) -> str:
    parts: list[str] = []
    done = 0
    for start in _IBAN_START.finditer(text):
        if start.start() < done:
            continue
        length = IBAN_LENGTHS.get(start.group(1).upper())
        if length is None:
            continue
        end, iban = _read_iban(text, start.end(), length - 4)
        iban = start.group(1) + start.group(2) + iban
        if end is None or not iban_valid(iban):
            continue
        parts.append(text[done : start.start()])
        parts.append(f"{iban[:2].upper()}•• {MASK_DOTS} {iban[-4:]}")
        done = end
    parts.append(text[done:])
    return "".join(parts)


def _read_iban(text: str, at: int, count: int) -> tuple[int | None, str]:
    """The next `count` letters and digits from `at`, single spaces between them allowed;
    the end is None unless they end a word there."""
    taken: list[str] = []
    position = at
    while len(taken) < count:
        if position < len(text) and text[position] == " ":
            position += 1
        if position >= len(text) or not _alnum(text[position]):
            return None, ""
        taken.append(text[position])
        position += 1
    if position < len(text) and _alnum(text[position]):
        return None, ""  # longer than this country's IBAN: some other code
    return position, "".join(taken)


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _mask_passwords(text: str) -> str:
    text = _PASSWORD_LABELLED.sub(lambda m: f"{m.group(1)}{m.group(2)}{PASSWORD_MASK}", text)

    def said(match: re.Match[str]) -> str:
        # Punctuation at the end may be the password's own: the whole word goes.
        if not _SECRET_LIKE.search(match.group(2).rstrip(".,;!?")):
            return match.group()
        return f"{match.group(1)}{PASSWORD_MASK}"

    return _PASSWORD_SAID.sub(said, text)


_MASKERS: Final[tuple[tuple[Kind, Callable[[str], str]], ...]] = (
    ("iban", _mask_ibans),
    ("card", _mask_cards),
    ("password", _mask_passwords),
)
