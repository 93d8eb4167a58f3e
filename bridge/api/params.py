"""Types of the values the routes take and give that the database constrains, in one place.

Integers: a number a column cannot hold names no row, but handed to the driver it is an error
(asyncpg: "value out of int64 range"; sqlite3: OverflowError), that is a 500. Bounded here, it
is a 422 that says the limit. The bounds follow the column types in bridge/db/models.py: row
ids are BIGINT; message sequence numbers, article versions and revision numbers INTEGER.

Text: PostgreSQL's text cannot hold U+0000 ("invalid byte sequence for encoding UTF8"), so
strings that are stored or looked up refuse it with a 422 (`NoNul`), on SQLite too.

Times: SQLite gives back naive datetimes; the bridge stores UTC, and says so (`UtcDatetime`).

Refusals: a route that checks more than FastAPI can answers 422 with a sentence; `REFUSED`
documents that beside FastAPI's list of field errors, so the OpenAPI says what clients get.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

MAX_BIGINT = 2**63 - 1  # PostgreSQL BIGINT; SQLite's INTEGER holds as much
MAX_INT = 2**31 - 1  # PostgreSQL INTEGER

# A row id in the path: /api/staff/handoffs/{handoff_id}/..., /api/nps/surveys/{survey_id}/...
RowId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]
# A revision number in the path: /api/studio/articles/{article_id}/revisions/{number}/restore
RevisionNumber = Annotated[int, Path(ge=1, le=MAX_INT)]
# `after` of a transcript: the sequence number of the last message the reader has (0: none).
AfterSeq = Annotated[int, Query(ge=0, le=MAX_INT)]
# The article version a studio change was made from (a request body field).
ArticleVersion = Annotated[int, Field(ge=1, le=MAX_INT)]

NO_NUL = r"^[^\x00]*$"
# Added to a string's other constraints: `Annotated[str, StringConstraints(...), NoNul]`.
NoNul = StringConstraints(pattern=NO_NUL)
# Ids in the paths of staff routes (a customer's routes check the token before the database).
ConversationIdPath = Annotated[str, Path(max_length=36, pattern=NO_NUL)]
ArticleIdPath = Annotated[str, Path(max_length=200, pattern=NO_NUL)]


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]


class Refusal(BaseModel):
    """Why the request was refused: a sentence, or FastAPI's list of field errors."""

    detail: str | list[dict[str, Any]]


REFUSED: dict[int | str, dict[str, Any]] = {422: {"model": Refusal}}
