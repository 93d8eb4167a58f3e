"""What Rasa's slots know about a conversation beyond the dialogue: the page's `language`
(which picks each response's variation) and the identified customer's name (the greeting's).

The bridge sets them through the tracker events API only when they differ from what Rasa was
last told (`conversations.bot_language` / `bot_customer_name`): on the first turn, when the
page's language changed, or when the customer was identified since. One tracker call per
change instead of an action-server round trip on every turn.
"""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import repository
from bridge.services.chat_text import display_name
from bridge.services.rasa_client import RasaClient


async def tell(
    sessions: async_sessionmaker[AsyncSession],
    rasa: RasaClient,
    conversation_id: str,
    *,
    language: str,
) -> None:
    """Bring Rasa's slots up to date before a turn. Call it inside the conversation's turn
    order, so two turns cannot race to set them; raises RasaUnavailable."""
    async with sessions() as session:
        known = await repository.bot_context(session=session, conversation_id=conversation_id)
    name = display_name(known.customer_name)
    if known.told_language == language and known.told_customer_name == name:
        return
    await rasa.set_context(
        conversation_id=conversation_id,
        language=language,
        customer_name=name,
        first=known.told_language is None,
    )
    async with sessions.begin() as session:
        await repository.set_bot_context(
            session=session, conversation_id=conversation_id, language=language, customer_name=name
        )
