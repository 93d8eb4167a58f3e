"""The actions' client of the bridge API (service token). Failures are logged, never raised:
a customer must get their answer even when a side record cannot be written."""

import logging

import httpx

from actions.settings import ActionSettings

log = logging.getLogger(__name__)


class BridgeClient:
    def __init__(self, settings: ActionSettings) -> None:
        self._settings = settings

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
            async with httpx.AsyncClient(timeout=self._settings.bridge_timeout_s) as client:
                response = await client.post(
                    f"{self._settings.bridge_url}/api/unanswered",
                    json=body,
                    headers={"Authorization": f"Bearer {self._settings.service_token}"},
                )
            response.raise_for_status()
            return True
        except httpx.HTTPError as exc:
            log.warning("could not record an unanswered question: %s", exc)
            return False
