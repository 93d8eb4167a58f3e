"""The action server in one process: `rasa_sdk`'s own command line, served without Sanic's
worker manager.

    .venv/bin/python -m actions.serve --actions actions --port 5055

`python -m rasa_sdk` starts a manager process that serves through one worker process. Killed
with `kill -9` (or by the OOM killer), the manager leaves its worker running on the port, and
the action server supervisord starts again cannot bind it: it was never restarted. In one
process, as Rasa's own server runs, there is nothing left behind, and supervisord (or systemd)
does the restarting the manager would have done.

Every call but /health needs the action server token (`require_token`).
"""

import hmac
import logging
import os
from typing import Any

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser, create_ssl_config
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from actions.settings import get_action_settings

# What the action server answers without the token: that it is up (readiness checks).
OPEN_PATHS = frozenset({"/health"})


def require_token(app: Sanic[Any, Any], token: str) -> None:
    """Refuse every call but the health check unless it carries `Authorization: Bearer <token>`.

    rasa_sdk runs any action for anyone who can reach its port: a made-up tracker posted to
    /webhook queued a handoff with the slot values the caller chose, and GET /actions listed
    them. Rasa sends the token with every call (bot/endpoints.yml: ACTION_SERVER_TOKEN).
    """
    expected = f"Bearer {token}".encode()

    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = (request.headers.get("authorization") or "").encode()
        if not hmac.compare_digest(given, expected):
            return json({"error": "a valid bearer token is required"}, status=401)
        return None

    app.register_middleware(only_rasa, "request")


def main() -> None:
    args = create_argument_parser().parse_args()
    if args.grpc or args.auto_reload:
        raise SystemExit("actions.serve serves HTTP without auto-reload; use `-m rasa_sdk`")
    # As rasa_sdk's main does.
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()

    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    app = create_app_for_serve(executor, cors_origins=args.cors, endpoints=args.endpoints)
    require_token(app, get_action_settings().action_server_token)
    app.prepare(
        host=os.environ.get("SANIC_HOST", "0.0.0.0"),
        port=args.port,
        ssl=create_ssl_config(args.ssl_certificate, args.ssl_keyfile, args.ssl_password),
        single_process=True,
        motd=False,
    )
    Sanic.serve_single(primary=app)


if __name__ == "__main__":
    main()
