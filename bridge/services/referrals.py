""" "How did you hear about us?": the bot asks the bridge before it puts the question, so each
customer is asked once, ever (bridge.db.referrals), and stores the answer here.

The action server calls this through /api/referrals with its service token. A typed answer
is kept (masked like every customer text, bridge.services.redaction) so "other" says what.
"""

from datetime import datetime
from typing import Final, Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import referrals
from bridge.db.models import Conversation
from bridge.services.redaction import redact_text

MAX_DETAIL_CHARS: Final = 200


class UnknownConversation(LookupError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no conversation {conversation_id}")


class Referrals:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def ask(self, *, conversation_id: str, language: str, now: datetime) -> int | None:
        """The question's id when it may be put now; None when this customer was asked before.
        An erased conversation is asked nothing: nobody is left to answer."""
        async with self._sessions.begin() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None or conversation.erased_at is not None:
                raise UnknownConversation(conversation_id)
            asked = await referrals.ask(
                session=session, conversation=conversation, language=language, at=now
            )
        return asked.referral_id

    async def answer(
        self,
        *,
        referral_id: int,
        conversation_id: str,
        source: str,
        detail: str | None,
        now: datetime,
    ) -> Literal["recorded", "already_answered"]:
        """Raises bridge.db.referrals.UnknownReferral for another conversation's question."""
        kept = redact_text(detail.strip())[:MAX_DETAIL_CHARS] if detail and detail.strip() else None
        async with self._sessions.begin() as session:
            return await referrals.answer(
                session=session,
                referral_id=referral_id,
                conversation_id=conversation_id,
                source=source,
                detail=kept,
                at=now,
            )
