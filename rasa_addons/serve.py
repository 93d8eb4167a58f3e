"""The `rasa` command with this project's speed-ups installed first.

    .venv-rasa/bin/python -m rasa_addons.serve run --enable-api ...

Everything after the module name is Rasa's own command line. Started from the repository root
(as `make run`, supervisord and the tests do), so `rasa_addons` is importable.
"""

import sys

from rasa_addons import schema_cache


def main() -> None:
    schema_cache.install()
    from rasa.__main__ import main as rasa_main  # after install(): nothing may validate before

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
