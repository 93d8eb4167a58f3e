"""A waiting customer's place in the queue and estimated wait, as the bot says it when the
handoff is queued and as the widget keeps showing it while the queue moves.

Places count only the customers still on the page (bridge.db.handoffs.position and
handoff_views.views agree on that): a customer who left does not hold up those behind.
"""

import math
from collections.abc import Iterable, Iterator
from typing import Any

from bridge.services.ports import Event


def estimated_wait_s(place: int, minutes_per_customer: float) -> int:
    """HANDOFF_MINUTES_PER_CUSTOMER for every customer up to and including this one."""
    return math.ceil(place * minutes_per_customer * 60)


def position_event(conversation_id: str, place: int, minutes_per_customer: float) -> Event:
    """The widget's `queue_position` event (the customer's own socket only)."""
    return {
        "type": "queue_position",
        "conversation_id": conversation_id,
        "position": place,
        "estimated_wait_s": estimated_wait_s(place, minutes_per_customer),
    }


def position_events(
    views: Iterable[dict[str, Any]], minutes_per_customer: float
) -> Iterator[tuple[str, Event]]:
    """(conversation id, event) for every handoff of a queue snapshot that has a place."""
    for view in views:
        place = view.get("position")
        if isinstance(place, int):
            conversation_id = str(view["conversation_id"])
            yield conversation_id, position_event(conversation_id, place, minutes_per_customer)
