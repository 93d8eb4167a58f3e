"""The action server in one process: `rasa_sdk`'s own command line, served without Sanic's
worker manager.

    .venv/bin/python -m actions.serve --actions actions --port 5055

`python -m rasa_sdk` starts a manager process that serves through one worker process. Killed
with `kill -9` (or by the OOM killer), the manager leaves its worker running on the port, and
the action server supervisord starts again cannot bind it: it was never restarted. In one
process, as Rasa's own server runs, there is nothing left behind, and supervisord (or systemd)
does the restarting the manager would have done.
"""

import logging
import os

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser, create_ssl_config
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic


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
