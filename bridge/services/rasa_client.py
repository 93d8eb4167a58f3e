"""Client of the Rasa server: the REST channel for turns, the HTTP API for status."""

from dataclasses import dataclass, field
from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa did not answer in time, refused the connection or answered with an error."""


@dataclass(frozen=True)
class BotReply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def _parse_reply(raw: dict[str, Any]) -> BotReply | None:
    text = raw.get("text")
    buttons = [
        {"title": str(b["title"]), "payload": str(b["payload"])}
        for b in raw.get("buttons") or []
        if isinstance(b, dict) and b.get("title") and b.get("payload")
    ]
    if not text and not buttons:
        return None  # images / custom payloads are not shown by the widget yet
    return BotReply(text=str(text or ""), buttons=buttons)


class RasaClient:
    """Sends a customer's turn to Rasa's REST channel, with the widget's metadata."""

    def __init__(self, *, base_url: str, token: str, timeout_s: float) -> None:
        self._token = token
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
            headers={"Authorization": f"Bearer {token}"},
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
        )

    async def send(
        self, *, conversation_id: str, text: str, metadata: dict[str, Any]
    ) -> list[BotReply]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = await self._http.post("/webhooks/rest/webhook", json=body)
            response.raise_for_status()
            raw = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
        if not isinstance(raw, list):
            raise RasaUnavailable("unexpected reply from Rasa")
        return [reply for item in raw if isinstance(item, dict) and (reply := _parse_reply(item))]

    async def resume(self, *, conversation_id: str) -> None:
        """Hand a paused conversation back to the bot (nothing is said yet: see `trigger`).

        Appends `ConversationResumed` to Rasa's tracker. The pausing action ended the turn
        without the usual `action_listen`; it is appended here, or the policies would see a
        user message where none fits and fall back.
        """
        try:
            response = await self._http.post(
                f"/conversations/{conversation_id}/tracker/events",
                params={"token": self._token, "include_events": "NONE"},
                json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}],
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(str(exc) or type(exc).__name__) from exc

    async def trigger(
        self, *, conversation_id: str, intent: str, entities: dict[str, str] | None = None
    ) -> list[BotReply]:
        """Run the bot's turn for `intent` as if the customer had sent it; returns its replies
        (the greeting after a hand-back, the NPS question after an agent is done)."""
        try:
            response = await self._http.post(
                f"/conversations/{conversation_id}/trigger_intent",
                params={"token": self._token, "include_events": "NONE"},
                json={"name": intent, "entities": entities or {}},
            )
            response.raise_for_status()
            raw = response.json().get("messages") or []
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
        return [reply for item in raw if isinstance(item, dict) and (reply := _parse_reply(item))]

    async def is_ready(self) -> bool:
        """True when Rasa answers its status API with a loaded model."""
        try:
            response = await self._http.get("/status", params={"token": self._token})
            return response.status_code == 200 and bool(response.json().get("model_id"))
        except (httpx.HTTPError, ValueError):
            return False

    async def aclose(self) -> None:
        await self._http.aclose()
