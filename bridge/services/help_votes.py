"""Help-center readers' "was this helpful?" on an article page: stored with the chat answers'
feedback (`source` help_center), for published articles only, a limited number per address."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bridge.db import feedback
from bridge.services.article_store import ArticleStore
from bridge.services.ports import RateLimiter


class UnknownArticle(LookupError):
    pass


class TooManyVotes(Exception):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many votes; retry after {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


class HelpVotes:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        articles: ArticleStore,
        by_address: RateLimiter,
    ) -> None:
        self._sessions = sessions
        self._articles = articles
        self._by_address = by_address

    async def vote(self, *, article_id: str, helpful: bool, address: str) -> int:
        """Store the vote; its id. The language is the article's own, not the caller's word.
        Raises UnknownArticle (not published) or TooManyVotes."""
        article = (await self._articles.library()).articles.get(article_id)
        if article is None:
            raise UnknownArticle(article_id)
        wait = await self._by_address.retry_after(address)
        if wait > 0:
            raise TooManyVotes(wait)
        async with self._sessions.begin() as session:
            row = await feedback.add_feedback(
                session=session,
                conversation_id=None,
                source="help_center",
                article_id=article.id,
                helpful=helpful,
                language=article.lang,
            )
            return row.id
