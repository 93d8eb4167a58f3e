"""The attacks of the security review (issue 13), each performed against the real app.

Rasa's channel and the action server are attacked in tests/integration/test_rasa_access.py;
the customer socket in tests/bridge/test_ws_chat.py; the sign-in throttle and CSRF in
tests/bridge/test_staff_auth.py.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from actions.settings import ActionSettings
from bridge.app import create_app
from bridge.db.migrate import upgrade
from bridge.edge.client_address import client_host, trusted_proxies
from bridge.settings import DEV_ACTION_SERVER_TOKEN, Settings
from knowledge_base.settings import KBSettings
from tests.conftest import make_settings
from tests.staff import PASSWORD, add_user, cookie_value, sign_in

TEMPLATES = Path(__file__).parents[2] / "bridge" / "web" / "templates"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    return url


_KB: list[KBSettings] = [KBSettings(warm_up=False)]


@pytest.fixture(autouse=True)
def _quiet_knowledge_base(kb_settings: KBSettings) -> None:
    # The session's knowledge-base settings: no model warm-up in each of these short apps.
    _KB[0] = kb_settings


def app_client(url: str, *, peer: str = "203.0.113.7", **overrides: object) -> TestClient:
    """The bridge without Rasa, reached from `peer` (the socket's address)."""
    app = create_app(make_settings(url, stack=None, **overrides), _KB[0])
    return TestClient(app, client=(peer, 5000))


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    with app_client(sqlite_url) as test_client:
        yield test_client


# --- new conversations (finding 4) -----------------------------------------------------------


def test_one_address_cannot_start_conversations_without_end(sqlite_url: str) -> None:
    with app_client(sqlite_url, new_conversations_per_ip=3) as attacker:
        for _ in range(3):
            assert attacker.post("/api/conversations", json={}).status_code == 201
        refused = attacker.post("/api/conversations", json={})
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
        with TestClient(attacker.app, client=("198.51.100.1", 5000)) as customer:
            assert customer.post("/api/conversations", json={}).status_code == 201


def test_one_visitor_cannot_start_conversations_without_end(sqlite_url: str) -> None:
    with app_client(sqlite_url, new_conversations_per_visitor=2) as client:
        body = {"visitor_id": "v-1"}
        assert [client.post("/api/conversations", json=body).status_code for _ in range(3)] == [
            201,
            201,
            429,
        ]
        # The address was not charged for the refused one, and other visitors go on.
        assert client.post("/api/conversations", json={"visitor_id": "v-2"}).status_code == 201


# --- proxy headers (finding 6) ---------------------------------------------------------------


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(sqlite_url: str) -> None:
    """The attack: one client posing as many addresses to dodge the per-address limits."""
    with app_client(sqlite_url, new_conversations_per_ip=2) as attacker:
        codes = [
            attacker.post(
                "/api/conversations", json={}, headers={"X-Forwarded-For": f"10.9.0.{n}"}
            ).status_code
            for n in range(3)
        ]
        assert codes == [201, 201, 429]


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(sqlite_url: str) -> None:
    with app_client(
        sqlite_url, peer="127.0.0.1", forwarded_allow_ips="127.0.0.1", new_conversations_per_ip=1
    ) as proxy:
        for n in range(3):  # three customers behind nginx: one conversation each
            response = proxy.post(
                "/api/conversations", json={}, headers={"X-Forwarded-For": f"192.0.2.{n}"}
            )
            assert response.status_code == 201
        again = proxy.post("/api/conversations", json={}, headers={"X-Forwarded-For": "192.0.2.1"})
        assert again.status_code == 429
        # A client that prepends a forged hop gets its real address counted, not the forgery.
        forged = proxy.post(
            "/api/conversations", json={}, headers={"X-Forwarded-For": "1.1.1.1, 192.0.2.2"}
        )
        assert forged.status_code == 429


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "expected"),
    [
        ("203.0.113.7", "1.2.3.4", "", "203.0.113.7"),
        ("203.0.113.7", "1.2.3.4", "127.0.0.1", "203.0.113.7"),
        ("127.0.0.1", "1.2.3.4", "127.0.0.1", "1.2.3.4"),
        ("10.0.0.5", "9.9.9.9, 1.2.3.4, 10.0.0.9", "10.0.0.0/8", "1.2.3.4"),
        ("127.0.0.1", None, "127.0.0.1", "127.0.0.1"),
        ("127.0.0.1", "garbage", "*", "garbage"),
    ],
)
def test_client_host(peer: str, header: str | None, trusted: str, expected: str) -> None:
    assert client_host(peer, header, trusted_proxies(trusted)) == expected


def test_forwarded_allow_ips_must_be_addresses(sqlite_url: str) -> None:
    with pytest.raises(ValidationError, match="not an IP address"):
        make_settings(sqlite_url, stack=None, forwarded_allow_ips="127.0.0.1, nginx.local")


# --- headers, framing, docs (findings 7 and 13) ----------------------------------------------


def csp(response_headers: dict[str, str]) -> dict[str, str]:
    policy = response_headers["content-security-policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_staff_pages_cannot_be_framed_and_allow_no_inline_script(
    client: TestClient, sqlite_url: str
) -> None:
    add_user(sqlite_url, "root@example.com", role="admin")
    signed = sign_in(client, "root@example.com")
    for path in ("/console", "/dashboard", "/studio", "/studio/gaps", "/login"):
        response = client.get(path, headers={"Cookie": f"sb_session={signed.session}"})
        assert response.status_code == 200, path
        policy = csp(dict(response.headers))
        assert policy["frame-ancestors"] == "'none'", path
        assert policy["script-src"] == "'self'", path
        assert policy["object-src"] == "'none'"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"


def test_public_pages_have_a_policy_and_the_widget_stays_embeddable(client: TestClient) -> None:
    for path in ("/", "/?lang=hu", "/help", "/help?lang=hu"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = csp(dict(response.headers))
        assert policy["script-src"] == "'self'"
        assert "frame-ancestors" not in policy  # a shop may frame its help center
        assert response.headers["x-content-type-options"] == "nosniff"
    widget = client.get("/widget.js", headers={"Origin": "https://shop.example"})
    assert widget.status_code == 200
    assert widget.headers["x-content-type-options"] == "nosniff"
    assert widget.headers["access-control-allow-origin"] == "*"  # any site may load it
    assert "x-frame-options" not in widget.headers
    assert "cross-origin-resource-policy" not in widget.headers


def test_no_template_has_inline_script_or_handlers() -> None:
    """What the policy refuses must not be in the pages (the browser tests check the rest)."""
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), template.name


def test_api_docs_are_off_in_production_unless_enabled(sqlite_url: str) -> None:
    production = {
        "environment": "production",
        "secret_key": "s" * 40,
        "rasa_token": "r" * 40,
        "service_token": "t" * 40,
        "action_server_token": "a" * 40,
    }
    with app_client(sqlite_url, **production) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 404, path
    with app_client(sqlite_url, **production, api_docs=True) as client:
        assert client.get("/openapi.json").status_code == 200
    with app_client(sqlite_url) as client:  # test (and dev): on
        assert client.get("/docs").status_code == 200


# --- placeholders and ENVIRONMENT (finding 11) -----------------------------------------------


def test_settings_refuse_to_start_without_an_explicit_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    with pytest.raises(ValidationError, match="ENVIRONMENT must be set explicitly"):
        Settings()
    monkeypatch.setenv("ENVIRONMENT", "dev")
    assert Settings().environment == "dev"


def test_production_refuses_the_placeholder_action_server_token() -> None:
    values = {
        "environment": "production",
        "secret_key": "s" * 40,
        "rasa_token": "r" * 40,
        "service_token": "t" * 40,
    }
    with pytest.raises(ValidationError, match="ACTION_SERVER_TOKEN"):
        Settings.model_validate(values)
    with pytest.raises(ValidationError, match="ACTION_SERVER_TOKEN"):
        ActionSettings(environment="production", service_token="t" * 40)
    assert ActionSettings(environment="dev").action_server_token == DEV_ACTION_SERVER_TOKEN


def test_a_token_signed_with_the_placeholder_secret_is_refused_in_production(
    sqlite_url: str,
) -> None:
    """The attack: a deployment that forgot ENVIRONMENT ran on the placeholder secret, so
    anyone could sign a customer token. Production refuses the placeholder, and a token signed
    with it does not open a conversation of a production bridge."""
    with app_client(sqlite_url) as dev:
        created = dev.post("/api/conversations", json={}).json()
    production = {
        "environment": "production",
        "secret_key": "p" * 40,
        "rasa_token": "r" * 40,
        "service_token": "t" * 40,
        "action_server_token": "a" * 40,
    }
    with app_client(sqlite_url, **production) as client:
        response = client.get(
            f"/api/conversations/{created['conversation_id']}/messages",
            headers={"Authorization": f"Bearer {created['token']}"},
        )
        assert response.status_code == 401


# --- request sizes (finding 12) --------------------------------------------------------------


def test_a_large_body_is_refused_before_it_is_read(client: TestClient, sqlite_url: str) -> None:
    big = b'{"language": "en", "page_url": "' + b"x" * 2_000_000 + b'"}'
    declared = client.post(
        "/api/conversations", content=big, headers={"Content-Type": "application/json"}
    )
    assert declared.status_code == 413
    assert "at most 1048576 bytes" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"language": "en", "page_url": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    streamed = client.post(
        "/api/conversations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    # and the bridge goes on serving
    assert client.post("/api/conversations", json={}).status_code == 201


def test_a_refusal_does_not_echo_a_large_input(client: TestClient) -> None:
    response = client.post("/api/conversations", json={"page_url": "y" * 500_000})
    assert response.status_code == 422
    assert len(response.content) < 2_000
    assert response.json()["detail"][0]["input"].startswith("yyy")


def test_sign_in_throttles_the_forwarded_client_not_the_proxy(sqlite_url: str) -> None:
    """Behind nginx every request comes from 127.0.0.1: the throttle must count the client
    nginx names, or one attacker would throttle everybody."""
    add_user(sqlite_url, "ana@example.com")
    with app_client(
        sqlite_url, peer="127.0.0.1", forwarded_allow_ips="127.0.0.1", sign_in_slow_down_s=0
    ) as proxy:

        def attempt(password: str, address: str) -> int:
            proxy.cookies.clear()
            forwarded = {"X-Forwarded-For": address}
            csrf = cookie_value(proxy.get("/login", headers=forwarded), "sb_csrf")
            response = proxy.post(
                "/api/staff/login",
                json={"email": "ana@example.com", "password": password},
                headers={"X-CSRF-Token": csrf, "Cookie": f"sb_csrf={csrf}", **forwarded},
            )
            proxy.cookies.clear()
            return response.status_code

        assert [attempt("wrong password!", "6.6.6.6") for _ in range(6)] == [401] * 5 + [429]
        assert attempt(PASSWORD, "192.0.2.44") == 200
