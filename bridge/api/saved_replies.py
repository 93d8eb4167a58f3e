"""Saved replies (`/api/staff/saved-replies`): the shared ones and the caller's own, listed for
the console's "/" picker and its manager; created, changed and deleted with the CSRF header.

Agents keep their own replies; only admins change the shared ones (403 for an agent). Another
agent's own reply is a 404, as if it did not exist. A change or a delete names the version it
was made from; an older one gets 409 `stale` with the reply as it is now.
"""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bridge.api.deps import ServicesDep
from bridge.api.params import MAX_INT, REFUSED, NoNul, RowId, UtcDatetime
from bridge.api.staff_deps import CsrfChecked, require_role
from bridge.services.saved_replies import (
    NotAllowed,
    ReplyDraft,
    ReplyInvalid,
    ReplyNotFound,
    SavedReplies,
    SavedReplyView,
    ShortcutTaken,
    StaleVersion,
    TooManyReplies,
)
from bridge.services.staff_auth import StaffMember

router = APIRouter(prefix="/api/staff/saved-replies", tags=["saved replies"])
ChatAgent = Annotated[StaffMember, Depends(require_role("agent"))]
SHORTCUT = re.compile(r"[a-z0-9_-]{1,32}")
SHORTCUT_RULE = "a shortcut is 1-32 characters: lowercase letters a-z, digits, '-' and '_'"
# The real limit is the bridge's `max_message_chars` (checked by the service); this bounds
# what is even read, at the most that setting may be.
TEXT_CAP = 100_000
Title = Annotated[str, StringConstraints(min_length=1, max_length=120), NoNul]
ReplyText = Annotated[str, StringConstraints(max_length=TEXT_CAP), NoNul]
Version = Annotated[int, Field(ge=1, le=MAX_INT)]


def _service(services: ServicesDep) -> SavedReplies:
    return services.saved_replies


SavedRepliesDep = Annotated[SavedReplies, Depends(_service)]


class ReplyFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The validator explains the rule; the pattern tells API clients (and the fuzzer) it.
    shortcut: str = Field(max_length=32, json_schema_extra={"pattern": f"^{SHORTCUT.pattern}$"})
    title: Title
    text_en: ReplyText | None = Field(None, description="English text; null or empty: none")
    text_hu: ReplyText | None = Field(None, description="Hungarian text; null or empty: none")

    @field_validator("shortcut")
    @classmethod
    def _shortcut(cls, value: str) -> str:
        if not SHORTCUT.fullmatch(value):
            raise ValueError(SHORTCUT_RULE)
        return value

    def draft(self) -> ReplyDraft:
        return ReplyDraft(
            shortcut=self.shortcut, title=self.title, text_en=self.text_en, text_hu=self.text_hu
        )


class ReplyIn(ReplyFields):
    shared: bool = Field(False, description="shared with every agent (admins only)")


class ReplyChange(ReplyFields):
    version: Version


class ReplyOut(BaseModel):
    id: int
    shared: bool
    shortcut: str
    title: str
    text_en: str | None
    text_hu: str | None
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime
    editable: bool

    @classmethod
    def of(cls, view: SavedReplyView) -> "ReplyOut":
        return cls(
            id=view.id,
            shared=view.shared,
            shortcut=view.shortcut,
            title=view.title,
            text_en=view.text_en,
            text_hu=view.text_hu,
            version=view.version,
            created_at=view.created_at,
            updated_at=view.updated_at,
            editable=view.editable,
        )


class ReplyListOut(BaseModel):
    replies: list[ReplyOut]
    placeholders: list[str]
    max_chars: int
    can_edit_shared: bool


class Conflict(BaseModel):
    """409: `stale` (with the reply as it is now), `shortcut_taken` or `too_many`."""

    detail: str
    code: str
    current: ReplyOut | None = None


REFUSALS: dict[int | str, dict[str, Any]] = {409: {"model": Conflict}, **REFUSED}


def _conflict(exc: Exception) -> JSONResponse:
    if isinstance(exc, StaleVersion):
        body = Conflict(detail=str(exc), code="stale", current=ReplyOut.of(exc.current))
    elif isinstance(exc, ShortcutTaken):
        body = Conflict(detail=str(exc), code="shortcut_taken")
    else:
        body = Conflict(detail=str(exc), code="too_many")
    return JSONResponse(body.model_dump(mode="json"), status_code=status.HTTP_409_CONFLICT)


def _refused(exc: Exception) -> HTTPException:
    if isinstance(exc, ReplyNotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown saved reply")
    if isinstance(exc, NotAllowed):
        return HTTPException(status.HTTP_403_FORBIDDEN, detail=str(exc))
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc))


@router.get("")
async def list_replies(member: ChatAgent, replies: SavedRepliesDep) -> ReplyListOut:
    """The shared replies and the caller's own, by shortcut; with the placeholders a text may
    hold and the longest text allowed, which the console's manager shows."""
    found = await replies.visible_to(member)
    return ReplyListOut(
        replies=[ReplyOut.of(view) for view in found.replies],
        placeholders=list(found.placeholders),
        max_chars=found.max_chars,
        can_edit_shared=found.can_edit_shared,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=REFUSALS, response_model=None)
async def create_reply(
    body: ReplyIn, member: ChatAgent, _csrf: CsrfChecked, replies: SavedRepliesDep
) -> ReplyOut | JSONResponse:
    try:
        return ReplyOut.of(await replies.create(member, body.draft(), shared=body.shared))
    except (ShortcutTaken, TooManyReplies) as exc:
        return _conflict(exc)
    except (NotAllowed, ReplyInvalid) as exc:
        raise _refused(exc) from exc


@router.put("/{reply_id}", responses=REFUSALS, response_model=None)
async def update_reply(
    reply_id: RowId,
    body: ReplyChange,
    member: ChatAgent,
    _csrf: CsrfChecked,
    replies: SavedRepliesDep,
) -> ReplyOut | JSONResponse:
    try:
        view = await replies.update(member, reply_id, body.draft(), version=body.version)
    except (ShortcutTaken, StaleVersion) as exc:
        return _conflict(exc)
    except (ReplyNotFound, NotAllowed, ReplyInvalid) as exc:
        raise _refused(exc) from exc
    return ReplyOut.of(view)


@router.delete(
    "/{reply_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={409: {"model": Conflict}},
    response_model=None,
)
async def delete_reply(
    reply_id: RowId,
    version: Annotated[int, Query(ge=1, le=MAX_INT)],
    member: ChatAgent,
    _csrf: CsrfChecked,
    replies: SavedRepliesDep,
) -> Response:
    try:
        await replies.delete(member, reply_id, version=version)
    except StaleVersion as exc:
        return _conflict(exc)
    except (ReplyNotFound, NotAllowed) as exc:
        raise _refused(exc) from exc
    return Response(status_code=status.HTTP_204_NO_CONTENT)
