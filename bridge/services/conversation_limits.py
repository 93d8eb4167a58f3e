"""How many conversations one address, or one visitor, may start in a window.

Without a limit a script starts conversations as fast as the database takes them (125 a second
were measured, each a few rows), and every new conversation brings a fresh per-conversation
message allowance. Counted in the shared rate-limit port, so the limit holds over every bridge
process. An office or a mobile carrier puts many customers behind one address, so the address
limit is the looser of the two.
"""

from bridge.services.ports import RateLimiter


class TooManyConversations(Exception):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many new conversations; retry in {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


class NewConversationLimits:
    def __init__(self, *, by_ip: RateLimiter, by_visitor: RateLimiter) -> None:
        self._by_ip = by_ip
        self._by_visitor = by_visitor

    async def admit(self, *, client_ip: str, visitor_id: str | None) -> None:
        """Count one new conversation; raises TooManyConversations (counting nothing) when
        the address or the visitor is over its limit."""
        wait = await self._by_ip.retry_after(client_ip)
        if wait > 0:
            raise TooManyConversations(wait)
        if visitor_id is not None:
            wait = await self._by_visitor.retry_after(visitor_id)
            if wait > 0:
                await self._by_ip.refund(client_ip)
                raise TooManyConversations(wait)
