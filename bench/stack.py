"""The whole stack for a benchmark: the real Rasa server and action server, and a bridge
process (uvicorn, SQLite) in front of them, stopped again however the benchmark ends."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from bridge.db.migrate import upgrade
from tests import aio
from tests.conftest import make_settings
from tests.postgres import POSTGRES_ADMIN_URL, admin_sql
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
from tests.redis_server import delete_prefix, fresh_prefix
from tests.scaled_stack import ScaledStack


def start_bridge(
    stack: RasaStack, workdir: Path, extra_env: dict[str, str] | None = None
) -> tuple[Process, str]:
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{workdir / 'bridge.db'}"
    upgrade(database_url)
    env = service_env(
        DATABASE_URL=database_url,
        RASA_URL=stack.rasa_url,
        RASA_TOKEN=RASA_TOKEN,
        ACTION_SERVER_URL=stack.action_url,
        ENVIRONMENT="test",
        RATE_LIMIT_MESSAGES="100000",  # the bench is a flood on purpose
        NEW_CONVERSATIONS_PER_IP="1000000",  # and every bench customer has one address
        **(extra_env or {}),
    )
    bridge = Process(
        [str(ROOT / ".venv/bin/uvicorn"), "--factory", "bridge.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
         "--no-proxy-headers"],
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
def running_stack(
    workdir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[RasaStack, str, Process]]:
    """The started stack, the bridge's URL and its process; `extra_env` goes to all three."""
    stack = RasaStack(workdir, env=extra_env or {})
    try:
        stack.start()
        bridge, url = start_bridge(stack, workdir, extra_env)
    except Exception:
        stack.stop()
        raise
    try:
        yield stack, url, bridge
    finally:
        bridge.stop()
        stack.stop()


@contextmanager
def scaled_stack(workdir: Path, extra_env: dict[str, str] | None = None) -> Iterator[ScaledStack]:
    """`make run-scaled` on fresh PostgreSQL databases and a fresh Redis prefix, removed after."""
    server = make_url(POSTGRES_ADMIN_URL)
    names = [f"supportbot_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    bridge_db, tracker_db = (
        server.set(database=n).render_as_string(hide_password=False) for n in names
    )
    prefix = fresh_prefix()
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = make_settings(
        bridge_db,
        None,
        redis_url=redis_url,
        redis_prefix=prefix,
        rate_limit_messages=100000,
        rasa_timeout_s=8.0,  # the default, as in the single-process stack
    )
    stack = ScaledStack(
        workdir,
        settings=settings,
        tracker_url=tracker_db,
        redis_url=redis_url,
        extra_env=extra_env or {},
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        delete_prefix(redis_url, prefix)
        for name in names:
            aio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
