"""A Redis server for the tests: the machine's (127.0.0.1:6379), or one started for them."""

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.processes import free_port, wait_until

MACHINE_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _answers(url: str) -> bool:
    try:
        with redis.Redis.from_url(url, socket_timeout=1) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


@contextmanager
def redis_server(workdir: Path, *, private: bool = False) -> Iterator[str]:
    """The URL of a running Redis: the machine's when it answers (unless `private`), else a
    `redis-server` of our own (no persistence) that stops when the block ends."""
    if not private and _answers(MACHINE_REDIS):
        yield MACHINE_REDIS
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("no Redis at 127.0.0.1:6379 and no redis-server to start one")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_until(lambda: _answers(url), timeout=20, what="redis-server")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def fresh_prefix() -> str:
    """Keys of one test, apart from every other test's and from a running shop's."""
    return f"supportbot-test:{uuid.uuid4().hex[:10]}:"


def delete_prefix(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
