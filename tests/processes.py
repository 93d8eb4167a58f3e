"""Start the real services for tests: Rasa (its own venv), the action server, the bridge."""

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from actions.warm_up import WARM_UP_CALL
from bridge.app import create_app
from bridge.settings import Settings
from knowledge_base.settings import KBSettings

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "supportbot.tar.gz"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
# `rasa` with the project's speed-ups (rasa_addons/serve.py), as supervisord starts it
RASA = [str(RASA_PYTHON), "-m", "rasa_addons.serve"]
RASA_TOKEN = "test-rasa-token"
ACTION_SERVER_TOKEN = "test-action-server-token"
RASA_AUTH = {"Authorization": f"Bearer {RASA_TOKEN}"}  # what the bridge sends Rasa


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def service_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",  # Rasa must never call home from a test
        TF_CPP_MIN_LOG_LEVEL="2",
        HF_HUB_OFFLINE="1",
        PYTHONWARNINGS="ignore",
    )
    env.update(extra)
    return env


@dataclass
class Process:
    """A child process with its log file; stopped with SIGTERM, then SIGKILL."""

    args: list[str]
    log_path: Path
    env: dict[str, str]
    popen: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGCONT)  # in case a test paused it
        self.popen.terminate()
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def pause(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGCONT)

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class RasaStack:
    """The real Rasa server (trained model, SQL tracker store) and the real action server."""

    def __init__(
        self,
        workdir: Path,
        *,
        tracker_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        if not MODEL.exists() or not RASA_PYTHON.exists():
            raise RuntimeError(
                f"{MODEL} or {RASA_PYTHON} is missing: run `make test`, which builds them"
            )
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.action_url = f"http://127.0.0.1:{self.action_port}"
        env = service_env(
            ACTION_ENDPOINT_URL=f"{self.action_url}/webhook",
            RASA_TRACKER_URL=tracker_url or f"sqlite:///{workdir / 'rasa_tracker.db'}",
            RASA_TOKEN=RASA_TOKEN,
            ACTION_SERVER_TOKEN=ACTION_SERVER_TOKEN,
            **(env or {}),
        )
        self.actions = Process(
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "actions.serve", "--actions", "actions",
             "--port", str(self.action_port)],
            workdir / "actions.log",
            {**env, "SANIC_HOST": "127.0.0.1"},  # loopback only, as in deploy/supervisord.conf
        )  # fmt: skip
        self.rasa = Process(
            [*RASA, "run", "--enable-api", "--auth-token", RASA_TOKEN,
             "--interface", "127.0.0.1", "--port", str(self.rasa_port), "--model", str(MODEL),
             "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml"],
            workdir / "rasa.log",
            env,
        )  # fmt: skip

    def start(self) -> None:
        try:
            self.actions.start()
            self.start_rasa()
            wait_until(lambda: answers(f"{self.action_url}/health"), timeout=60, what="actions")
            httpx.post(
                f"{self.action_url}/webhook",
                json=WARM_UP_CALL,
                headers={"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"},
                timeout=180,
            ).raise_for_status()
        except BaseException:
            self.stop()  # a fixture that fails here never reaches its teardown
            raise

    def start_rasa(self) -> None:
        self.rasa.start()
        try:
            wait_until(self.rasa_ready, timeout=180, what="Rasa")
        except TimeoutError as exc:
            raise RuntimeError(f"{exc}\n{self.rasa.tail()}") from exc

    def rasa_ready(self) -> bool:
        return answers(f"{self.rasa_url}/status?token={RASA_TOKEN}")

    def restart_rasa(self) -> None:
        self.rasa.stop()
        self.start_rasa()

    def stop(self) -> None:
        self.rasa.stop()
        self.actions.stop()

    def tracker(self, conversation_id: str) -> dict[str, object]:
        response = httpx.get(
            f"{self.rasa_url}/conversations/{conversation_id}/tracker",
            params={"token": RASA_TOKEN},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


class LiveBridge:
    """The bridge served by a real uvicorn in a thread: real HTTP and websockets."""

    def __init__(
        self, settings: Settings, kb_settings: KBSettings | None = None, port: int | None = None
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        self.kb_settings = kb_settings
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            create_app(self.settings, self.kb_settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws_max_size=65536,  # as deploy/ runs it
            proxy_headers=False,  # bridge.edge.client_address decides, from FORWARDED_ALLOW_IPS
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_until(lambda: answers(f"{self.url}/healthz"), timeout=30, what="bridge")

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=20)
            self._server = None
