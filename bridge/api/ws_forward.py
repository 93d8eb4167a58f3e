"""Replay-then-live delivery of one conversation's events to a websocket, never a seq twice.

Shared by the customer's socket and the agent console's socket: both replay what the client
missed from the database, then forward the hub's live events, skipping transcript entries
that the replay already sent.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from bridge.services.chat import ChatService
from bridge.services.ports import Subscription

REPLAY_PAGE = 500
# Transcript positions are an INTEGER column (PostgreSQL refuses a bigger number in the
# query): a cursor past it has nothing after it, the same as the column's largest value.
MAX_SEQ = 2**31 - 1
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def forward(
    send: Send,
    chat: ChatService,
    subscription: Subscription,
    after: int,
    keep: Callable[[dict[str, Any]], bool] = lambda _event: True,
) -> None:
    """Runs until the hub drops the subscription (the client was too slow): then it returns,
    and the caller closes the socket so that the client reconnects and replays."""
    last_seq = min(after, MAX_SEQ)
    while True:
        page = await chat.transcript(subscription.key, after=last_seq, limit=REPLAY_PAGE)
        for message in page:
            await send(message.event())
            last_seq = message.seq
        if len(page) < REPLAY_PAGE:
            break
    while (event := await subscription.queue.get()) is not None:
        seq = event.get("seq")
        if isinstance(seq, int):
            if seq <= last_seq:
                continue
            last_seq = seq
        if keep(event):
            await send(event)
