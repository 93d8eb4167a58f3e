"""The stacks supervisord runs, for real, for tests. `ScaledStack`: `scripts/run-scaled.sh`,
nginx on one port in front of two bridge processes, two Rasa processes (PostgreSQL tracker
store, Redis lock store) and the action server, on a scratch PostgreSQL database and a Redis
key prefix. `MakeRunStack`: what `make run` starts (deploy/supervisord.conf), one process each,
on scratch SQLite files."""

import random
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bridge.db.migrate import upgrade
from bridge.settings import Settings
from tests.processes import ACTION_SERVER_TOKEN, MODEL, RASA_TOKEN, ROOT, Process, service_env

WORKERS = 2


def free_port_block(length: int) -> int:
    """The first of `length` consecutive free ports, below Linux's ephemeral range (32768 and
    up), so no port the OS hands out meanwhile (free_port, outgoing connections) collides with
    one supervisord starts a process on later."""
    rng = random.Random()
    for _ in range(100):
        first = rng.randrange(20000, 32000 - length)
        if all(_bindable(first + i) for i in range(length)):
            return first
    raise RuntimeError(f"no {length} consecutive free ports")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Endpoint:
    """What the live-chat helpers need of a bridge: its URL and settings."""

    url: str
    settings: Settings


class SupervisedStack:
    """Processes under one supervisord (its config `conf`), reached at `url`."""

    conf: Path
    url: str
    env: dict[str, str]
    settings: Settings
    supervisord: Process

    @property
    def front(self) -> Endpoint:
        """Where customers and agents connect."""
        return Endpoint(self.url, self.settings)

    def start(self, timeout_s: float = 420.0) -> None:
        self.supervisord.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.ready():
                return
            if self.supervisord.popen is not None and self.supervisord.popen.poll() is not None:
                break
            time.sleep(2)
        tail = self.supervisord.tail(60)
        self.stop()
        raise RuntimeError(f"the stack did not get ready:\n{tail}")

    def ready(self) -> bool:
        try:
            response = httpx.get(f"{self.url}/readyz", timeout=5)
            return bool(response.json().get("status") == "ready")
        except (httpx.HTTPError, ValueError):
            return False

    def ctl(self, *args: str) -> str:
        """supervisorctl against this stack's supervisord."""
        result = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(self.conf), *args],
            env=self.env, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        return result.stdout

    def pid(self, program: str) -> int:
        """The process id of e.g. `actions`, `rasa:rasa-5011` or `bridge:bridge-8011`."""
        return int(self.ctl("pid", program).strip())

    def restarted(self, program: str, old_pid: int) -> float:
        """Seconds until supervisord runs `program` again under a new process id."""
        began = time.monotonic()
        while time.monotonic() - began < 180:
            if "RUNNING" in self.ctl("status", program):
                new_pid = self.pid(program)
                if new_pid != old_pid:
                    return time.monotonic() - began
            time.sleep(0.5)
        raise AssertionError(f"{program} was not restarted: {self.ctl('status')}")

    def stop(self) -> None:
        """supervisord stops every process (Rasa takes a few seconds) before it exits."""
        popen = self.supervisord.popen
        if popen is None or popen.poll() is not None:
            return
        popen.terminate()
        try:
            popen.wait(timeout=90)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()


class MakeRunStack(SupervisedStack):
    """`make run`: deploy/supervisord.conf with the Makefile's settings, on scratch files."""

    conf = ROOT / "deploy" / "supervisord.conf"

    def __init__(self, workdir: Path, *, settings: Settings) -> None:
        rasa_port, action_port, bridge_port = (free_port_block(3) + i for i in range(3))
        self.url = f"http://127.0.0.1:{bridge_port}"
        upgrade(settings.database_url)
        self.env = service_env(
            RUN_DIR=str(workdir),
            RASA_TOKEN=RASA_TOKEN,
            ACTION_SERVER_TOKEN=ACTION_SERVER_TOKEN,
            RASA_PORT=str(rasa_port),
            RASA_MODEL=str(MODEL),
            RASA_TRACKER_URL=f"sqlite:///{workdir / 'rasa_tracker.db'}",
            RASA_URL=f"http://127.0.0.1:{rasa_port}",
            ACTION_PORT=str(action_port),
            ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
            BRIDGE_HOST="127.0.0.1",
            BRIDGE_PORT=str(bridge_port),
            BRIDGE_URL=self.url,
            PUBLIC_URL=self.url,
            DATABASE_URL=settings.database_url,
            ENVIRONMENT="test",
            SECRET_KEY=settings.secret_key,
            SERVICE_TOKEN=settings.service_token,
            NEW_CONVERSATIONS_PER_IP=str(settings.new_conversations_per_ip),
            NEW_CONVERSATIONS_PER_VISITOR=str(settings.new_conversations_per_visitor),
        )
        self.settings = settings.model_copy(update={"public_url": self.url})
        self.supervisord = Process(
            [str(ROOT / ".venv" / "bin" / "supervisord"), "-c", str(self.conf)],
            workdir / "make-run.log",
            self.env,
        )


class ScaledStack(SupervisedStack):
    conf = ROOT / "deploy" / "supervisord-scaled.conf"

    def __init__(
        self,
        workdir: Path,
        *,
        settings: Settings,
        tracker_url: str,
        redis_url: str,
        extra_env: dict[str, str],
    ) -> None:
        self.workdir = workdir
        first = free_port_block(2 + 2 * WORKERS)
        self.public_port, action_port = first, first + 1
        self.rasa_first_port = first + 2
        self.bridge_first_port = first + 2 + WORKERS
        self.url = f"http://127.0.0.1:{self.public_port}"
        self.rasa_urls = [f"http://127.0.0.1:{self.rasa_first_port + i}" for i in range(WORKERS)]
        self.bridge_urls = [
            f"http://127.0.0.1:{self.bridge_first_port + i}" for i in range(WORKERS)
        ]
        redis = urlsplit(redis_url)
        self.env = service_env(
            RUN_DIR=str(workdir),
            PUBLIC_PORT=str(self.public_port),
            RASA_WORKERS=str(WORKERS),
            RASA_FIRST_PORT=str(self.rasa_first_port),
            BRIDGE_WORKERS=str(WORKERS),
            BRIDGE_FIRST_PORT=str(self.bridge_first_port),
            SCALED_DATABASE_URL=settings.database_url.replace("+asyncpg", ""),
            SCALED_RASA_TRACKER_URL=tracker_url,
            SCALED_REDIS_URL=redis_url,
            REDIS_PREFIX=settings.redis_prefix,
            RASA_LOCK_REDIS_HOST=redis.hostname or "127.0.0.1",
            RASA_LOCK_REDIS_PORT=str(redis.port or 6379),
            RASA_LOCK_REDIS_DB="1",
            RASA_LOCK_PREFIX=f"test{uuid.uuid4().hex[:10]}",
            RASA_TOKEN=RASA_TOKEN,
            ACTION_SERVER_TOKEN=ACTION_SERVER_TOKEN,
            RASA_MODEL=str(MODEL),
            ACTION_PORT=str(action_port),
            ACTION_SERVER_URL=f"http://127.0.0.1:{action_port}",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
            ENVIRONMENT="test",
            SECRET_KEY=settings.secret_key,
            SERVICE_TOKEN=settings.service_token,
            NEW_CONVERSATIONS_PER_IP=str(settings.new_conversations_per_ip),
            NEW_CONVERSATIONS_PER_VISITOR=str(settings.new_conversations_per_visitor),
            RASA_TIMEOUT_S=str(settings.rasa_timeout_s),
            RATE_LIMIT_MESSAGES=str(settings.rate_limit_messages),
            **extra_env,
        )
        self.settings = settings.model_copy(update={"public_url": self.url})
        self.supervisord = Process(
            [str(ROOT / "scripts" / "run-scaled.sh")], workdir / "scaled.log", self.env
        )

    def bridge(self, index: int) -> Endpoint:
        """One bridge process directly, past nginx."""
        return Endpoint(self.bridge_urls[index], self.settings)
