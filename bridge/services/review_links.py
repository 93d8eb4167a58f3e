"""Counted review links: the invitation a promoter gets, and the redirect that counts a click.

The link carries a random token, never the target: the redirect goes only to the configured
review URL (`NPS_REVIEW_URL`), so it cannot be turned into an open redirect.
"""

import re
import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import review_links
from bridge.db.models import Conversation

REDIRECT_PATH = "/r/review/"
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class ReviewLinkError(Exception):
    """A review link that cannot be made or followed; the message says why."""


class ReviewUrlNotSet(ReviewLinkError):
    def __init__(self) -> None:
        super().__init__("no review URL is configured (NPS_REVIEW_URL)")


class UnknownConversation(ReviewLinkError, LookupError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no conversation {conversation_id}")


class UnknownLink(ReviewLinkError, LookupError):
    def __init__(self) -> None:
        super().__init__("no such review link")


class ReviewLinks:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, review_url: str, public_url: str
    ) -> None:
        self._sessions = sessions
        self._review_url = review_url
        self._public_url = public_url.rstrip("/")

    async def invite(self, *, conversation_id: str, language: str, now: datetime) -> str:
        """Record the invitation; the link to show the customer."""
        if not self._review_url:
            raise ReviewUrlNotSet()
        token = secrets.token_urlsafe(32)
        async with self._sessions.begin() as session:
            if await session.get(Conversation, conversation_id) is None:
                raise UnknownConversation(conversation_id)
            await review_links.add_invitation(
                session=session,
                token=token,
                conversation_id=conversation_id,
                language=language,
                at=now,
            )
        return f"{self._public_url}{REDIRECT_PATH}{token}"

    async def follow(self, *, token: str, now: datetime) -> str:
        """Count a click on the link; where to send the customer. A malformed or unknown
        token raises `UnknownLink` and stores nothing."""
        if not self._review_url:
            raise ReviewUrlNotSet()
        if TOKEN.fullmatch(token) is None:
            raise UnknownLink()
        async with self._sessions.begin() as session:
            invitation = await review_links.invitation_by_token(session=session, token=token)
            if invitation is None:
                raise UnknownLink()
            await review_links.add_click(session=session, invitation_id=invitation.id, at=now)
        return self._review_url
