"""Typed shapes of what crosses the bridge's edges: REST bodies and websocket events."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bridge.api.params import NoNul
from bridge.db.models import Message

Language = Literal["en", "hu"]
ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
# A quick-reply payload: a Rasa intent trigger such as /request_human or /nps{"score": 9}.
Payload = Annotated[
    str, StringConstraints(pattern=r"^/[A-Za-z0-9_]{1,64}(\{[^\n]{0,400}\})?$", max_length=512)
]


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language = "en"
    visitor_id: ClientId | None = None
    page_url: Annotated[str, StringConstraints(max_length=2048), NoNul] | None = None
    # A signed-in customer (bridge.services.identity). Checked apart from the rest, so that a
    # bad identity costs only the identity, never the conversation.
    customer: Any = None


class ConversationCreated(BaseModel):
    conversation_id: str
    token: str
    expires_at: datetime


class Button(BaseModel):
    title: str
    payload: str


class MessageOut(BaseModel):
    seq: int
    role: Literal["customer", "bot", "agent", "system"]
    text: str
    buttons: list[Button] = []
    author: str | None = None
    client_id: str | None = None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Message) -> "MessageOut":
        return cls.model_validate(
            {
                "seq": row.seq,
                "role": row.role,
                "text": row.text,
                "buttons": row.buttons or [],
                "author": row.author,
                "client_id": row.client_id,
                "created_at": row.created_at,
            }
        )

    def event(self) -> dict[str, object]:
        """The websocket event for this transcript entry ("buttons" when it offers choices)."""
        kind = "buttons" if self.buttons else "message"
        return {"type": kind, **self.model_dump(mode="json")}


class Transcript(BaseModel):
    conversation_id: str
    status: str
    messages: list[MessageOut]


class ClientMessage(BaseModel):
    """A customer's message. Its size is bounded before it is parsed (api/ws_frames.py); the
    chat service checks the text after the rate limit (empty, too long) and masks card
    numbers, IBANs and passwords in it (services/redaction.py)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["message"]
    text: str
    payload: Payload | None = None
    client_id: ClientId | None = None
    language: Language | None = None


class ClientTyping(BaseModel):
    type: Literal["typing"]
    on: bool


class ClientPing(BaseModel):
    type: Literal["ping"]


ClientEvent = Annotated[ClientMessage | ClientTyping | ClientPing, Field(discriminator="type")]


class OfflineRequestOut(BaseModel):
    id: int
    conversation_id: str
    email: str
    message: str
    language: str
    created_at: datetime
