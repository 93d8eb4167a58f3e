"""Identified customers: a signed-in shop customer the widget names, trusted only when the shop's
server signed the id.

The shop computes `hex(HMAC-SHA256(IDENTITY_SECRET, id))` on its server (README, "Identified
customers") and the page hands id and signature to `SupportWidget.identify(...)`. The bridge
recomputes the signature and compares in constant time; the name, e-mail, locale and
attributes ride along unsigned, like Intercom's and Chatwoot's identity verification: the
signature proves the id, and only the customer's own signed-in page can present it.

Anything wrong with an identity (no secret configured, a bad or missing signature, a body too
large, nested junk) refuses the identity with `IdentityRefused`, never the chat: the caller
logs it and the customer goes on anonymously. Attributes outside the allow-list
(IDENTITY_ATTRIBUTES) and an e-mail that is not one are trimmed, not refused.
"""

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    ValidationError,
)

from bridge.api.params import NoNul

log = logging.getLogger(__name__)

# The whole identity object as JSON: a customer is a few fields, not a document.
MAX_IDENTITY_BYTES: Final = 8192
MAX_ATTRIBUTES: Final = 30
# A local part and a dotted domain of letters, digits and hyphens, no spaces: what a mail
# server could deliver to. Not RFC 5322 in full (quoted local parts and bare hosts such as
# "localhost" are refused), which no shop account uses.
_EMAIL: Final = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)

CustomerId = Annotated[str, StringConstraints(min_length=1, max_length=128), NoNul]
Signature = Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{64}$")]
Locale = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")]
AttributeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,39}$")]
# Flat values only: a nested object or a list is junk and refuses the identity.
AttributeValue = (
    Annotated[str, StringConstraints(max_length=200), NoNul]
    | StrictBool
    | StrictInt
    | Annotated[StrictFloat, Field(allow_inf_nan=False)]
)


class IdentityIn(BaseModel):
    """What the widget sends (`customer` of a new conversation, or POST .../identity)."""

    model_config = ConfigDict(extra="forbid")

    id: CustomerId
    signature: Signature
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), NoNul] | None = (
        None
    )
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    locale: Locale | None = None
    attributes: Annotated[
        dict[AttributeName, AttributeValue], Field(max_length=MAX_ATTRIBUTES)
    ] = {}


@dataclass(frozen=True)
class CustomerIdentity:
    """A checked identity, trimmed to what may be stored."""

    id: str
    name: str | None = None
    email: str | None = None
    locale: str | None = None
    attributes: dict[str, str | bool | int | float] = field(default_factory=dict)


class IdentityRefused(Exception):
    """The identity is not trusted; `code` says why (never what was sent)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # disabled | too_large | invalid | bad_signature


def sign(secret: str, customer_id: str) -> str:
    """What the shop's server computes: hex HMAC-SHA256 of the id with the shared secret."""
    return hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


def is_email(value: str) -> bool:
    return _EMAIL.fullmatch(value) is not None


class IdentityVerifier:
    def __init__(self, *, secret: str, allowed_attributes: frozenset[str]) -> None:
        self._secret = secret
        self._allowed = allowed_attributes

    @property
    def enabled(self) -> bool:
        return bool(self._secret)

    def verify(self, raw: Any) -> CustomerIdentity:
        """The identity in `raw` (parsed JSON), trimmed; raises `IdentityRefused`."""
        if not self._secret:
            raise IdentityRefused("disabled")
        try:
            size = len(json.dumps(raw, ensure_ascii=False).encode())
        except (TypeError, ValueError, RecursionError) as exc:
            raise IdentityRefused("invalid") from exc
        if size > MAX_IDENTITY_BYTES:
            raise IdentityRefused("too_large")
        try:
            given = IdentityIn.model_validate(raw)
        except ValidationError as exc:
            raise IdentityRefused("invalid") from exc
        if not hmac.compare_digest(sign(self._secret, given.id), given.signature.lower()):
            raise IdentityRefused("bad_signature")
        email = given.email or None
        if email is not None and not is_email(email):
            log.warning("customer identity: the e-mail is not one; dropped")
            email = None
        dropped = sorted(set(given.attributes) - self._allowed)
        if dropped:
            log.warning("customer identity: attributes not allowed, dropped: %s", dropped)
        return CustomerIdentity(
            id=given.id,
            name=given.name or None,
            email=email,
            locale=given.locale,
            attributes={k: v for k, v in given.attributes.items() if k in self._allowed},
        )

    def verify_or_none(self, raw: Any) -> CustomerIdentity | None:
        """`verify`, with a refusal logged and turned into None (the chat goes on anonymously)."""
        if raw is None:
            return None
        try:
            return self.verify(raw)
        except IdentityRefused as exc:
            log.warning("customer identity refused (%s); the chat goes on anonymously", exc.code)
            return None
