"""Rasa's REST channel, answering the bridge only.

Rasa's own `rest` channel takes any `sender` from anyone who can reach the port: a local process
could speak as any customer (`{"sender": "<their conversation id>", "message": "I want a
person"}` queued a handoff in someone else's chat). This one keeps the same URL
(`/webhooks/rest/webhook`) and replies, and first checks what the bridge sends with every call:
`Authorization: Bearer <RASA_TOKEN>` (the token Rasa's HTTP API checks too) on a JSON body.

Configured in bot/credentials.yml; Rasa imports it by its module path, so Rasa has to start in
the repository root (as `python -m rasa_addons.serve`, make run, supervisord and the tests do).
"""

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class BridgeInput(RestInput):  # type: ignore[misc]  # Rasa is not typed
    def __init__(self, token: str) -> None:
        if not token:
            raise RasaException("the bridge channel needs a token (RASA_TOKEN)")
        self._expected = f"Bearer {token}".encode()

    @classmethod
    def name(cls) -> str:
        return "rest"  # the same URL as Rasa's REST channel: /webhooks/rest/webhook

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "BridgeInput":
        return cls(str((credentials or {}).get("token") or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook: Blueprint = super().blueprint(on_new_message)

        @webhook.middleware("request")  # only this blueprint's routes
        async def only_the_bridge(request: Request) -> HTTPResponse | None:
            if request.method == "GET":
                return None  # the channel's health check says nothing about anyone
            given = (request.headers.get("authorization") or "").encode()
            if not hmac.compare_digest(given, self._expected):
                return response.json({"error": "a valid bearer token is required"}, status=401)
            if (request.content_type or "").split(";")[0].strip() != "application/json":
                return response.json({"error": "send application/json"}, status=415)
            return None

        return webhook
