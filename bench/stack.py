"""The whole stack for a benchmark: the real Rasa server and action server, and a bridge
process (uvicorn, SQLite) in front of them, stopped again however the benchmark ends."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bridge.db.migrate import upgrade
from tests.processes import (
    RASA_TOKEN,
    ROOT,
    Process,
    RasaStack,
    answers,
    free_port,
    service_env,
    wait_until,
)


def start_bridge(stack: RasaStack, workdir: Path) -> tuple[Process, str]:
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{workdir / 'bridge.db'}"
    upgrade(database_url)
    env = service_env(
        DATABASE_URL=database_url,
        RASA_URL=stack.rasa_url,
        RASA_TOKEN=RASA_TOKEN,
        ACTION_SERVER_URL=stack.action_url,
        RATE_LIMIT_MESSAGES="100000",  # the bench is a flood on purpose
    )
    bridge = Process(
        [str(ROOT / ".venv/bin/uvicorn"), "--factory", "bridge.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"],
        workdir / "bridge.log",
        env,
    )  # fmt: skip
    bridge.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{url}/readyz"), timeout=60, what="bridge")
    except TimeoutError:
        bridge.stop()
        raise
    return bridge, url


@contextmanager
def running_stack(workdir: Path) -> Iterator[tuple[RasaStack, str, Process]]:
    """The started stack, the bridge's URL and its process."""
    stack = RasaStack(workdir)
    try:
        stack.start()
        bridge, url = start_bridge(stack, workdir)
    except Exception:
        stack.stop()
        raise
    try:
        yield stack, url, bridge
    finally:
        bridge.stop()
        stack.stop()
