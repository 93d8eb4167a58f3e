"""A Redis lock store whose tickets are issued atomically, for several Rasa processes.

Rasa 3.6's `RedisLockStore` reads a conversation's lock, adds a ticket and writes it back. Two
processes doing that at once overwrite each other's ticket, and two turns of one conversation
then run together: of 50 messages sent to two Rasa processes at once, 6 were missing from the
shared tracker afterwards. Here a ticket is one `INCR`, the queue a sorted set ordered by
ticket, and each ticket's lifetime a key that expires, so the ticket of a process that died
stops blocking the conversation after the lock lifetime (`TICKET_LOCK_LIFETIME`, 60 s).
Waiting turns poll every 20 ms rather than Rasa's 1 s.

Used by deploy/endpoints-scaled.yml as `type: rasa_addons.lock_store.OrderedRedisLockStore`;
Rasa imports it from its working directory, the repository root.
"""

import asyncio
import logging

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

POLL_S = 0.02
KEEP_COUNTER_S = 24 * 3600  # far longer than any ticket lives: numbers never restart early


class OrderedRedisLockStore(LockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        options = endpoint_config.kwargs
        self.red = redis.Redis(
            host=endpoint_config.url or "localhost",
            port=int(options.get("port") or 6379),
            db=int(options.get("db") or 1),
            password=options.get("password") or None,
            socket_timeout=float(options.get("socket_timeout") or 10),
        )
        self.red.ping()  # fail at start-up, not on the first customer
        self.prefix = f"{options.get('key_prefix') or 'rasa'}:ordered_lock:"
        super().__init__()

    def _keys(self, conversation_id: str) -> tuple[str, str, str]:
        base = self.prefix + conversation_id
        return f"{base}:next", f"{base}:queue", f"{base}:ticket:"

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        counter, queue, ticket_key = self._keys(conversation_id)
        try:
            ticket = int(self.red.incr(counter))
            with self.red.pipeline() as pipe:  # MULTI/EXEC
                pipe.set(f"{ticket_key}{ticket}", 1, px=max(int(lock_lifetime * 1000), 1))
                pipe.zadd(queue, {str(ticket): ticket})
                pipe.expire(counter, KEEP_COUNTER_S)
                pipe.expire(queue, KEEP_COUNTER_S)
                pipe.execute()
            return ticket
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        _, queue, ticket_key = self._keys(conversation_id)
        while True:
            if not self.red.exists(f"{ticket_key}{ticket}"):
                break  # our own ticket expired while waiting
            head = self.red.zrange(queue, 0, 0)
            if not head:
                break
            first = int(head[0])
            if first == ticket:
                return TicketLock(conversation_id)
            if not self.red.exists(f"{ticket_key}{first}"):
                # Its process died holding it: the turn behind it goes on.
                self.red.zrem(queue, head[0])
                continue
            await asyncio.sleep(POLL_S)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        _, queue, ticket_key = self._keys(conversation_id)
        with self.red.pipeline() as pipe:
            pipe.zrem(queue, str(ticket_number))
            pipe.delete(f"{ticket_key}{ticket_number}")
            pipe.execute()

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return bool(self.red.zcard(self._keys(conversation_id)[1]))

    # The ticket operations above replace Rasa's read-modify-write of a whole lock object.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return None

    def delete_lock(self, conversation_id: str) -> None:
        _, queue, _ = self._keys(conversation_id)
        self.red.delete(queue)

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("tickets are kept one by one: see issue_ticket")
