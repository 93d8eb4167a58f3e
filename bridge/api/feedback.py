"""Answer feedback ("was this helpful?"), recorded by the action server."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from bridge.api.deps import ServicesDep
from bridge.api.params import NoNul
from bridge.api.service_auth import ServiceCaller
from bridge.db import feedback
from bridge.schemas import Language
from bridge.services.redaction import redact_text

router = APIRouter(prefix="/api/feedback", tags=["knowledge base"])

ArticleId = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: Annotated[str, StringConstraints(min_length=1, max_length=36), NoNul]
    article_id: ArticleId
    chunk_id: Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul] | None = None
    query: Annotated[str, StringConstraints(max_length=2000), NoNul] | None = None
    # The answer's fused retrieval score (weighted or RRF), kept to relate it to helpfulness.
    score: float | None = Field(None, ge=-1.0, le=2.0, allow_inf_nan=False)
    helpful: StrictBool
    language: Language


class FeedbackStored(BaseModel):
    id: int


@router.post("", status_code=status.HTTP_201_CREATED)
async def record(body: FeedbackIn, _caller: ServiceCaller, services: ServicesDep) -> FeedbackStored:
    try:
        async with services.sessions.begin() as session:
            # The question is the customer's own words: card numbers and passwords masked.
            query = redact_text(body.query) if body.query else body.query
            fields = {**body.model_dump(), "query": query}
            row = await feedback.add_feedback(session=session, **fields)
    except feedback.UnknownConversation as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown conversation") from exc
    return FeedbackStored(id=row.id)
