"""Review links: the action server asks for a promoter's counted link (service token); the
customer's click on it is counted and answered with a 303 to the configured review URL only.

Anything but a known token is 404 and stores nothing; no parameter of the request can change
where the redirect goes.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from bridge.api.deps import services as services_of
from bridge.api.params import NoNul
from bridge.api.service_auth import ServiceCaller
from bridge.db.models import utcnow
from bridge.schemas import Language
from bridge.services.review_links import (
    ReviewLinks,
    ReviewUrlNotSet,
    UnknownConversation,
    UnknownLink,
)

router = APIRouter(tags=["reviews"])


def current_time() -> datetime:
    """When invitations and clicks happen; tests override it."""
    return utcnow()


def review_links(request: Request) -> ReviewLinks:
    services = services_of(request)
    return ReviewLinks(
        services.sessions,
        review_url=services.settings.nps_review_url,
        public_url=services.settings.public_url,
    )


Now = Annotated[datetime, Depends(current_time)]
Links = Annotated[ReviewLinks, Depends(review_links)]


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: Annotated[str, StringConstraints(min_length=1, max_length=36), NoNul]
    language: Language


class InvitationOut(BaseModel):
    url: str


@router.post(
    "/api/review-links",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationOut,
    responses={404: {"description": "unknown conversation, or no review URL configured"}},
)
async def invite(
    body: InvitationIn, _caller: ServiceCaller, links: Links, now: Now
) -> InvitationOut:
    """Count an invitation to review and give the link to show the promoter."""
    try:
        url = await links.invite(
            conversation_id=body.conversation_id, language=body.language, now=now
        )
    except (UnknownConversation, ReviewUrlNotSet) as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    return InvitationOut(url=url)


@router.get(
    "/r/review/{token}",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    responses={404: {"description": "unknown link"}},
    include_in_schema=False,
)
async def follow(token: str, links: Links, now: Now) -> RedirectResponse:
    try:
        target = await links.follow(token=token, now=now)
    except (UnknownLink, ReviewUrlNotSet) as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown link") from exc
    return RedirectResponse(
        target,
        status_code=status.HTTP_303_SEE_OTHER,
        # The token stays ours: not sent on to the review site, not kept by caches.
        headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    )
