"""Client of the Rasa servers: the REST channel for turns, the HTTP API for status.

With several Rasa processes (`RASA_URLS`), each turn goes to the one with the fewest turns in
flight from this bridge process (ties: a stable hash of the conversation, so at light load a
conversation keeps its server), and to the next one when that one refuses connections
(restarting); a server that refused is tried last for `REFUSED_PAUSE_S`. Any of them may serve
any turn: they share the tracker store, and the Redis lock store keeps the turns of one
conversation in order (deploy/endpoints-scaled.yml). Counting turns in flight rather than
hashing alone evens out the load (a hash gives one server more conversations than the other)
and steers turns away from a server that stopped answering, whose turns pile up.
"""

import asyncio
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

RasaState = Literal["ready", "busy", "down"]
REFUSED_PAUSE_S = 5.0


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


def _language_slot(language: str) -> dict[str, Any]:
    return {"event": "slot", "name": "language", "value": language}


def _customer_slots(name: str | None) -> list[dict[str, Any]]:
    return [
        {"event": "slot", "name": "customer_name", "value": name},
        {"event": "slot", "name": "customer_known", "value": name is not None},
    ]


class RasaClient:
    """Sends a customer's turn to Rasa's REST channel, with the widget's metadata."""

    def __init__(self, *, base_urls: Sequence[str], token: str, timeout_s: float) -> None:
        if not base_urls:
            raise ValueError("at least one Rasa URL is needed")
        self._token = token
        self._servers = [
            httpx.AsyncClient(
                base_url=url,
                timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
                headers={"Authorization": f"Bearer {token}"},
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
            )
            for url in base_urls
        ]
        self._in_flight = [0] * len(self._servers)
        self._refused_until = [0.0] * len(self._servers)

    def _order(self, conversation_id: str) -> list[int]:
        """The servers to try for a turn, best first: not refused lately, fewest turns in
        flight, then from this conversation's own (crc32: the same on every bridge process)."""
        count = len(self._servers)
        own = zlib.crc32(conversation_id.encode()) % count
        now = time.monotonic()
        return sorted(
            range(count),
            key=lambda i: (self._refused_until[i] > now, self._in_flight[i], (i - own) % count),
        )

    async def _post(
        self, conversation_id: str, path: str, body: Any, params: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST to the best server for the turn (see `_order`); raises RasaUnavailable.

        Only a refused connection moves on to the next server: the request never reached
        Rasa then, so it cannot run twice. A timeout or an error answer does not."""
        refused: httpx.HTTPError | None = None
        for i in self._order(conversation_id):
            self._in_flight[i] += 1
            try:
                response = await self._servers[i].post(path, json=body, params=params)
                response.raise_for_status()
                return response
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                refused = exc
                self._refused_until[i] = time.monotonic() + REFUSED_PAUSE_S
            except httpx.HTTPError as exc:
                raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
            finally:
                self._in_flight[i] -= 1
        raise RasaUnavailable(f"every Rasa server refused the connection: {refused}")

    async def send(
        self, *, conversation_id: str, text: str, metadata: dict[str, Any]
    ) -> list[BotReply]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        response = await self._post(conversation_id, "/webhooks/rest/webhook", body)
        try:
            raw = response.json()
        except ValueError as exc:
            raise RasaUnavailable("unexpected reply from Rasa") from exc
        if not isinstance(raw, list):
            raise RasaUnavailable("unexpected reply from Rasa")
        return [reply for item in raw if isinstance(item, dict) and (reply := _parse_reply(item))]

    async def set_context(
        self, *, conversation_id: str, language: str, customer_name: str | None, first: bool
    ) -> None:
        """Set the `language` slot that picks each response's variation, and the customer's
        name (`customer_name`, with `customer_known` for the responses' conditions).

        `first`: Rasa has not seen this conversation yet. Its session is then started here,
        before the slots: appended to a tracker without one, a slot would be stamped before
        the session Rasa starts for it, and Rasa reads a tracker from its latest session start
        by time, so the slot would be lost.
        """
        session_start = [
            {"event": "action", "name": "action_session_start"},
            {"event": "session_started"},
            {"event": "action", "name": "action_listen"},
        ]
        await self._append(
            conversation_id,
            [
                *(session_start if first else []),
                _language_slot(language),
                *_customer_slots(customer_name),
            ],
        )

    async def resume(self, *, conversation_id: str, language: str) -> None:
        """Hand a paused conversation back to the bot (nothing is said yet: see `trigger`).

        Appends `ConversationResumed` to Rasa's tracker. The pausing action ended the turn
        without the usual `action_listen`; it is appended here, or the policies would see a
        user message where none fits and fall back. The page's language may have changed
        while the agent had the chat: the slot is set too.
        """
        await self._append(
            conversation_id,
            [
                {"event": "resume"},
                _language_slot(language),
                {"event": "action", "name": "action_listen"},
            ],
        )

    async def _append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        await self._post(
            conversation_id,
            f"/conversations/{conversation_id}/tracker/events",
            events,
            params={"token": self._token, "include_events": "NONE"},
        )

    async def trigger(
        self, *, conversation_id: str, intent: str, entities: dict[str, str] | None = None
    ) -> list[BotReply]:
        """Run the bot's turn for `intent` as if the customer had sent it; returns its replies
        (the greeting after a hand-back, the NPS question after an agent is done)."""
        response = await self._post(
            conversation_id,
            f"/conversations/{conversation_id}/trigger_intent",
            {"name": intent, "entities": entities or {}},
            params={"token": self._token, "include_events": "NONE"},
        )
        try:
            raw = response.json().get("messages") or []
        except (ValueError, AttributeError) as exc:
            raise RasaUnavailable("unexpected reply from Rasa") from exc
        return [reply for item in raw if isinstance(item, dict) and (reply := _parse_reply(item))]

    async def states(self, timeout_s: float = 2.0) -> list[RasaState]:
        """Each server's state: ready (answers its status API with a loaded model), busy (did
        not answer in `timeout_s`: saturated, turns queue) or down (refused, error, no model)."""
        return list(await asyncio.gather(*(self._state(s, timeout_s) for s in self._servers)))

    async def _state(self, server: httpx.AsyncClient, timeout_s: float) -> RasaState:
        try:
            response = await server.get("/status", params={"token": self._token}, timeout=timeout_s)
            loaded = response.status_code == 200 and bool(response.json().get("model_id"))
            return "ready" if loaded else "down"
        except httpx.TimeoutException:
            return "busy"
        except (httpx.HTTPError, ValueError):
            return "down"

    async def aclose(self) -> None:
        for server in self._servers:
            await server.aclose()
