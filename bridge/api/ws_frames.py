"""Reading websocket frames and query values safely, shared by the customer and agent sockets.

A frame is bounded before it is parsed: a customer message may be MAX_MESSAGE_CHARS long,
and JSON may write a character as up to a few (`\\n`, `\\"`; control characters, which are
dropped anyway, as six), so a frame longer than four times that plus the envelope is refused
unread, in O(1). Within that bound, nesting is what the C decoder's recursion guard allows:
a deeper frame raises RecursionError, read here as unreadable JSON. uvicorn's `--ws-max-size`
(64 KiB in the shipped configuration) stops bigger frames before they are even buffered.
"""

import json
from typing import Any, Final

# Transcript positions are numbers the database stores; the cursor must fit a BIGINT.
MAX_CURSOR: Final = 2**63 - 1
ENVELOPE_CHARS: Final = 1024  # type, client_id, payload, language and JSON punctuation


class FrameTooLarge(Exception):
    """The frame is longer than any valid event could be."""


class UnreadableFrame(Exception):
    """The frame is not JSON (or nested too deep, or holds a number too long to read)."""


def frame_limit(max_message_chars: int) -> int:
    """The longest frame (in characters) that may carry a message of the longest length."""
    return 4 * max_message_chars + ENVELOPE_CHARS


def read_frame(raw: str, *, limit: int) -> Any:
    """The JSON value of a text frame; raises FrameTooLarge or UnreadableFrame."""
    if len(raw) > limit:
        raise FrameTooLarge()
    try:
        return json.loads(raw)
    # ValueError: JSONDecodeError, and integers past sys.get_int_max_str_digits().
    except (ValueError, RecursionError) as exc:
        raise UnreadableFrame() from exc


def read_cursor(value: str) -> int:
    """A replay cursor (`after`) from a query string: a plain integer 0..MAX_CURSOR; raises
    ValueError for anything else ("1e23", "-1", "abc", 2^63)."""
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        raise ValueError(f"not a transcript position: {value[:40]!r}")
    cursor = int(value)
    if cursor > MAX_CURSOR:
        raise ValueError(f"not a transcript position: {value!r}")
    return cursor
