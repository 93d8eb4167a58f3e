"""The actions' client of the bridge API (service token). Failures are logged, never raised:
a customer must get their answer even when a side record cannot be written."""

import functools
import logging
import ssl
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from actions.settings import ActionSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandoffOutcome:
    """What the bridge made of a handoff request.

    `queued`: waiting for an agent at `position`; `offline`: nobody can take it now (`reason`
    no_agents or outside_hours), the customer may leave a message; `failed`: the bridge could
    not be reached or refused.
    """

    status: Literal["queued", "offline", "failed"]
    position: int = 0
    estimated_wait_s: int = 0
    reason: str = ""
    hours: str = ""  # the chat's opening hours, for outside_hours


@dataclass(frozen=True)
class SurveyStart:
    """Whether the customer may be asked for NPS now.

    `started`: the bridge recorded the question (`survey_id`); `recently_asked`: this visitor
    was asked within the cooldown; `failed`: the bridge could not be reached or refused.
    """

    status: Literal["started", "recently_asked", "failed"]
    survey_id: int = 0


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context, made once: making it (reading the CA bundle) took 17 ms of
    CPU, every request, when each request made its own."""
    return httpx.create_ssl_context()


class BridgeClient:
    def __init__(self, settings: ActionSettings) -> None:
        self._settings = settings

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self._send("POST", path, body)

    async def _send(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        # A client per request: the action server's event loop is not the tests', and a pooled
        # client is bound to the loop it first ran in.
        async with httpx.AsyncClient(
            timeout=self._settings.bridge_timeout_s, verify=_tls()
        ) as client:
            response = await client.request(
                method,
                f"{self._settings.bridge_url}{path}",
                json=body,
                headers={"Authorization": f"Bearer {self._settings.service_token}"},
            )
        response.raise_for_status()
        return response

    async def request_handoff(
        self,
        *,
        conversation_id: str,
        reason: str,
        last_question: str | None,
        language: str,
        articles: list[dict[str, Any]],
    ) -> HandoffOutcome:
        body = {
            "conversation_id": conversation_id,
            "reason": reason,
            "context": {
                "last_question": (last_question or "")[:2000] or None,
                "language": language,
                # The bridge refuses oversized fields: send what it accepts.
                "articles": [
                    {
                        "id": str(a.get("id"))[:100],
                        "title": str(a.get("title"))[:200],
                        "score": float(a.get("score") or 0.0),
                    }
                    for a in articles[:10]
                ],
            },
        }
        try:
            data = (await self._post("/api/handoffs", body)).json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("could not hand %s over to an agent: %s", conversation_id, exc)
            return HandoffOutcome("failed")
        if data.get("status") == "offline":
            return HandoffOutcome(
                "offline",
                reason=str(data.get("reason") or "no_agents"),
                hours=str(data.get("hours") or ""),
            )
        return HandoffOutcome(
            "queued",
            position=int(data.get("position") or 1),
            estimated_wait_s=int(data.get("estimated_wait_s") or 0),
        )

    async def record_feedback(
        self,
        *,
        conversation_id: str,
        article_id: str,
        helpful: bool,
        language: str,
        chunk_id: str | None,
        query: str | None,
        score: float | None,
    ) -> bool:
        body = {
            "conversation_id": conversation_id,
            "article_id": article_id,
            "chunk_id": chunk_id[:200] if chunk_id else None,
            "query": query[:2000] if query else None,
            "score": None if score is None else max(-1.0, min(2.0, score)),
            "helpful": helpful,
            "language": language,
        }
        try:
            await self._post("/api/feedback", body)
            return True
        except httpx.HTTPError as exc:
            log.warning("could not record answer feedback: %s", exc)
            return False

    async def start_survey(
        self, *, conversation_id: str, language: str, trigger: str
    ) -> SurveyStart:
        body = {"conversation_id": conversation_id, "language": language, "trigger": trigger}
        try:
            data = (await self._post("/api/nps/surveys", body)).json()
            return SurveyStart("started", survey_id=int(data["survey_id"]))
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 409:
                return SurveyStart("recently_asked")
            log.warning("could not start an NPS survey for %s: %s", conversation_id, exc)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("could not start an NPS survey for %s: %s", conversation_id, exc)
        return SurveyStart("failed")

    async def record_score(self, *, survey_id: int, score: int) -> bool:
        return await self._survey_step(survey_id, "score", {"score": score}, method="PUT")

    async def record_reason(self, *, survey_id: int, reason: str) -> bool:
        return await self._survey_step(survey_id, "reason", {"reason": reason}, method="PUT")

    async def end_survey(self, *, survey_id: int, outcome: str) -> bool:
        return await self._survey_step(survey_id, "end", {"outcome": outcome}, method="POST")

    async def _survey_step(
        self, survey_id: int, step: str, body: dict[str, Any], *, method: str
    ) -> bool:
        try:
            await self._send(method, f"/api/nps/surveys/{survey_id}/{step}", body)
            return True
        except httpx.HTTPError as exc:
            log.warning("could not record the NPS %s of survey %s: %s", step, survey_id, exc)
            return False

    async def review_link(self, *, conversation_id: str, language: str) -> str | None:
        """The counted review link for a promoter (the bridge records the invitation), or
        None when the bridge cannot make one."""
        body = {"conversation_id": conversation_id, "language": language}
        try:
            url = (await self._post("/api/review-links", body)).json()["url"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("could not get a review link for %s: %s", conversation_id, exc)
            return None
        return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None

    async def ask_referral(self, *, conversation_id: str, language: str) -> int | None:
        """The id of the "How did you hear about us?" question when it may be put now; None
        when this customer was asked before, or the bridge cannot be reached (better not to
        ask than to ask twice)."""
        body = {"conversation_id": conversation_id, "language": language}
        try:
            data = (await self._post("/api/referrals", body)).json()
            referral_id = data.get("referral_id")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning("could not ask the referral question in %s: %s", conversation_id, exc)
            return None
        return referral_id if isinstance(referral_id, int) and referral_id >= 1 else None

    async def record_referral(
        self, *, referral_id: int, conversation_id: str, source: str, detail: str | None
    ) -> bool:
        body = {
            "conversation_id": conversation_id,
            "source": source,
            "detail": detail[:200] if detail else None,
        }
        try:
            await self._post(f"/api/referrals/{referral_id}/answer", body)
            return True
        except httpx.HTTPError as exc:
            log.warning("could not record the referral answer in %s: %s", conversation_id, exc)
            return False

    async def record_unanswered(
        self,
        *,
        conversation_id: str,
        question: str,
        language: str,
        best_article_id: str | None,
        best_score: float | None,
    ) -> bool:
        body = {
            "conversation_id": conversation_id,
            "question": question[:2000],
            "language": language,
            "best_article_id": best_article_id,
            "best_score": None if best_score is None else max(-1.0, min(1.0, best_score)),
        }
        try:
            await self._post("/api/unanswered", body)
            return True
        except httpx.HTTPError as exc:
            log.warning("could not record an unanswered question: %s", exc)
            return False
