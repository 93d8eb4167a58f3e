"""Staff sign-in: session and CSRF cookies, throttling, roles, presence, and that every staff
route refuses strangers. Real Argon2 hashes; user loading on SQLite and PostgreSQL."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from bridge.api.staff_auth import DEFAULT_NEXT, REFUSED, safe_next
from bridge.api.staff_deps import CSRF_FAILED, NOT_SIGNED_IN, require_role
from bridge.app import create_app
from bridge.db import users
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.db.migrate import upgrade
from bridge.db.models import User
from bridge.services import staff_auth as staff_auth_module
from bridge.services.passwords import hash_password, needs_rehash, verify_password
from bridge.services.presence import Presence
from bridge.services.staff_auth import (
    LOGIN_FAILURES_PER_IP,
    BadCredentials,
    StaffAuth,
    TooManyAttempts,
)
from bridge.services.staff_sessions import StaffSessionTokens
from bridge.services.tokens import CustomerTokens, InvalidToken
from tests import aio
from tests.conftest import TEST_SECRET, make_settings
from tests.staff import (
    PASSWORD,
    Signed,
    add_user,
    attempt,
    cookie_value,
    password_hash,
    services,
    sign_in,
)

WRONG = "incorrect horse battery"
STAFF_PREFIXES = ("/api/staff", "/console", "/dashboard")
# The staff pages send a signed-out browser to sign in, and back afterwards.
STAFF_PAGES = {"/console", "/console/conversations", "/dashboard", "/dashboard/privacy"}


async def _change(url: str, email: str, **values: object) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            user = await users.require_user(session=session, email=email)
            for name, value in values.items():
                setattr(user, name, value)
    finally:
        await engine.dispose()


async def _delete_users(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(User))
    finally:
        await engine.dispose()


def stored_user(url: str, email: str) -> User:
    async def read() -> User:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                return await users.require_user(session=session, email=email)
        finally:
            await engine.dispose()

    return aio.run(read())


# --- apps and signed-in staff ----------------------------------------------------------------


@pytest.fixture
def db_url(database_url: str) -> str:
    """SQLite and PostgreSQL; the PostgreSQL database outlives tests, so start with no users."""
    aio.run(_delete_users(database_url))
    return database_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    upgrade(url)
    return url


def staff_client(url: str, **overrides: object) -> TestClient:
    """The bridge without Rasa: sign-in needs only the database."""
    return TestClient(create_app(make_settings(url, stack=None, **overrides)))


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    with staff_client(sqlite_url) as test_client:
        yield test_client


@pytest.fixture
def db_client(db_url: str) -> Iterator[TestClient]:
    with staff_client(db_url) as test_client:
        yield test_client


def cookie_header(response: Response, name: str) -> str:
    """The whole Set-Cookie line of `name`, lower-cased for attribute checks."""
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0].lower()


# --- signing in ------------------------------------------------------------------------------


def test_login_sets_both_cookies_with_the_right_flags(db_client: TestClient, db_url: str) -> None:
    add_user(db_url, "ana@example.com", role="editor")
    page = db_client.get("/login")
    pre_session = cookie_value(page, "sb_csrf")
    assert "httponly" not in cookie_header(page, "sb_csrf")
    db_client.cookies.clear()

    response = db_client.post(
        "/api/staff/login",
        json={"email": " Ana@Example.com", "password": PASSWORD},
        headers={"X-CSRF-Token": pre_session, "Cookie": f"sb_csrf={pre_session}"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "user": {"email": "ana@example.com", "display_name": "Ana", "role": "editor"}
    }
    session = cookie_header(response, "sb_session")
    assert "httponly" in session
    assert "samesite=lax" in session
    assert "path=/" in session
    assert "max-age=43200" in session
    assert "secure" not in session  # PUBLIC_URL is http in tests
    csrf = cookie_header(response, "sb_csrf")
    assert "httponly" not in csrf
    assert "samesite=lax" in csrf
    assert "path=/" in csrf
    # A CSRF token planted before sign-in is worth nothing after it.
    assert cookie_value(response, "sb_csrf") != pre_session

    signed = Signed(cookie_value(response, "sb_session"), cookie_value(response, "sb_csrf"))
    me = db_client.get("/api/staff/me", headers=signed.headers(csrf=None))
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "ana@example.com"


def test_cookies_are_secure_when_the_public_url_is_https(sqlite_url: str) -> None:
    add_user(sqlite_url, "ana@example.com")
    settings = {"public_url": "https://support.example.com"}
    with staff_client(sqlite_url, **settings) as client:
        assert "; secure" in cookie_header(client.get("/login"), "sb_csrf")
        response = attempt(client, "ana@example.com", PASSWORD)
    assert response.status_code == 200
    assert "; secure" in cookie_header(response, "sb_session")
    assert "; secure" in cookie_header(response, "sb_csrf")


def test_wrong_password_and_unknown_email_look_the_same(
    db_client: TestClient, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(db_url, "ana@example.com")
    verified: list[str] = []

    def spy(password: str, hashed: str) -> bool:
        verified.append(hashed)
        return verify_password(password, hashed)

    monkeypatch.setattr(staff_auth_module, "verify_password", spy)
    wrong = attempt(db_client, "ana@example.com", WRONG)
    unknown = attempt(db_client, "nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": REFUSED}
    assert "sb_session" not in wrong.headers.get("set-cookie", "")
    assert "sb_session" not in unknown.headers.get("set-cookie", "")
    # The unknown email cost an Argon2 verification too, against a hash that is no account's.
    assert len(verified) == 2
    assert verified[0] == password_hash()
    assert verified[1].startswith("$argon2id$") and verified[1] != password_hash()


def test_a_disabled_account_is_refused_with_the_same_message(
    db_client: TestClient, db_url: str
) -> None:
    add_user(db_url, "ana@example.com", disabled=True)
    right = attempt(db_client, "ana@example.com", PASSWORD)
    assert right.status_code == 403
    assert right.json() == {"detail": REFUSED}
    assert "sb_session" not in right.headers.get("set-cookie", "")
    assert attempt(db_client, "ana@example.com", WRONG).status_code == 401


def test_a_session_ends_when_the_account_is_disabled_deleted_or_its_password_changes(
    db_client: TestClient, db_url: str
) -> None:
    for email in ("ana@example.com", "max@example.com", "eva@example.com"):
        add_user(db_url, email)
    ana, max_, eva = (sign_in(db_client, f"{n}@example.com") for n in ("ana", "max", "eva"))
    for signed in (ana, max_, eva):
        assert db_client.get("/api/staff/me", headers=signed.headers()).status_code == 200

    aio.run(_change(db_url, "ana@example.com", disabled=True))
    aio.run(_change(db_url, "max@example.com", password_hash=hash_password("a new password")))
    engine_url = db_url

    async def delete_eva() -> None:
        engine = create_engine(engine_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(delete(User).where(User.email == "eva@example.com"))
        finally:
            await engine.dispose()

    aio.run(delete_eva())
    for signed in (ana, max_, eva):
        response = db_client.get("/api/staff/me", headers=signed.headers())
        assert response.status_code == 401
        assert response.json() == {"detail": NOT_SIGNED_IN}


def test_a_password_is_rehashed_at_sign_in_when_its_parameters_are_old(
    db_client: TestClient, db_url: str
) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    add_user(db_url, "ana@example.com", hashed=cheap)
    signed = sign_in(db_client, "ana@example.com")
    stored = stored_user(db_url, "ana@example.com").password_hash
    assert stored != cheap
    assert not needs_rehash(stored)
    assert verify_password(PASSWORD, stored)
    # The session was issued for the new hash, so it works.
    assert db_client.get("/api/staff/me", headers=signed.headers()).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"email": "ana@example.com"},
        {"password": PASSWORD},
        {"email": "", "password": PASSWORD},
        {"email": "ana@example.com", "password": PASSWORD, "role": "admin"},
        {"email": "ana@example.com", "password": "x" * 257},
        ["ana@example.com", PASSWORD],
    ],
)
def test_malformed_login_is_422(client: TestClient, body: object) -> None:
    csrf = cookie_value(client.get("/login"), "sb_csrf")
    response = client.post("/api/staff/login", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422


# --- session tokens --------------------------------------------------------------------------


def test_an_expired_session_is_refused(sqlite_url: str) -> None:
    user_id = add_user(sqlite_url, "ana@example.com")
    tokens = StaffSessionTokens(secret=TEST_SECRET, ttl_s=60)
    now = datetime.now(UTC)
    fresh = tokens.issue(user_id=user_id, password_hash=password_hash(), now=now)
    stale = tokens.issue(
        user_id=user_id, password_hash=password_hash(), now=now - timedelta(seconds=61)
    )
    with staff_client(sqlite_url, staff_session_ttl_s=60) as client:
        ok = client.get("/api/staff/me", headers={"Cookie": f"sb_session={fresh.token}"})
        assert ok.status_code == 200
        expired = client.get("/api/staff/me", headers={"Cookie": f"sb_session={stale.token}"})
        assert expired.status_code == 401


def test_customer_tokens_and_forgeries_are_not_sessions(
    client: TestClient, sqlite_url: str
) -> None:
    user_id = add_user(sqlite_url, "ana@example.com")
    customer = CustomerTokens(secret=TEST_SECRET, ttl_s=3600).issue(str(user_id)).token
    other_key = StaffSessionTokens(secret="another-secret-key-0123456789abcdef", ttl_s=3600)
    forged = other_key.issue(user_id=user_id, password_hash=password_hash()).token
    genuine = StaffSessionTokens(secret=TEST_SECRET, ttl_s=3600)
    real = genuine.issue(user_id=user_id, password_hash=password_hash()).token
    for token in (customer, forged, "not-a-token", ""):
        response = client.get("/api/staff/me", headers={"Cookie": f"sb_session={token}"})
        assert response.status_code == 401, token
    assert client.get("/api/staff/me", headers={"Cookie": f"sb_session={real}"}).status_code == 200
    # Nor does a staff session open a customer's conversation.
    assert genuine.read(real).user_id == user_id
    with pytest.raises(InvalidToken):
        CustomerTokens(secret=TEST_SECRET, ttl_s=3600).conversation_id(real)


# --- CSRF ------------------------------------------------------------------------------------


def test_login_needs_the_pre_session_csrf_token(client: TestClient, sqlite_url: str) -> None:
    add_user(sqlite_url, "ana@example.com")
    body = {"email": "ana@example.com", "password": PASSWORD}
    assert client.post("/api/staff/login", json=body).status_code == 403
    response = client.post(
        "/api/staff/login",
        json=body,
        headers={"X-CSRF-Token": "guessed", "Cookie": "sb_csrf=planted"},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": CSRF_FAILED}
    assert attempt(client, "ana@example.com", PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/staff/logout", None),
        ("PUT", "/api/staff/presence", {"status": "away"}),
        ("POST", "/api/staff/heartbeat", None),
    ],
)
def test_state_changes_need_the_csrf_header(
    client: TestClient, sqlite_url: str, method: str, path: str, body: object
) -> None:
    add_user(sqlite_url, "ana@example.com")
    signed = sign_in(client, "ana@example.com")
    for csrf in (None, "", "wrong", signed.csrf + "x"):
        response = client.request(method, path, json=body, headers=signed.headers(csrf=csrf))
        assert response.status_code == 403, csrf
        assert response.json() == {"detail": CSRF_FAILED}
    # Double-submit of a value of one's own choosing (a cookie planted by a sibling site, the
    # same value in the header) does not pass: the token is bound to the session.
    planted = {"Cookie": f"sb_session={signed.session}; sb_csrf=planted", "X-CSRF-Token": "planted"}
    assert client.request(method, path, json=body, headers=planted).status_code == 403
    # Nor does another session's token, or a pre-session token from the sign-in page.
    other = sign_in(client, "ana@example.com")
    assert other.csrf != signed.csrf
    assert (
        client.request(method, path, json=body, headers=signed.headers(csrf=other.csrf)).status_code
        == 403
    )
    pre_session = cookie_value(client.get("/login"), "sb_csrf")
    client.cookies.clear()
    stolen = {
        "Cookie": f"sb_session={signed.session}; sb_csrf={pre_session}",
        "X-CSRF-Token": pre_session,
    }
    assert client.request(method, path, json=body, headers=stolen).status_code == 403
    assert client.request(method, path, json=body, headers=signed.headers()).status_code < 300


def test_logout_clears_both_cookies_and_the_presence(client: TestClient, sqlite_url: str) -> None:
    user_id = add_user(sqlite_url, "ana@example.com")
    signed = sign_in(client, "ana@example.com")
    presence = services(client).presence
    assert aio.run(presence.status(user_id)) == "online"
    response = client.post("/api/staff/logout", headers=signed.headers())
    assert response.status_code == 204
    for name in ("sb_session", "sb_csrf"):
        header = cookie_header(response, name)
        assert "max-age=0" in header and "path=/" in header
    assert aio.run(presence.status(user_id)) == "offline"


# --- throttling ------------------------------------------------------------------------------


def test_five_failures_from_one_address_throttle_that_address_for_the_window(
    sqlite_url: str,
) -> None:
    add_user(sqlite_url, "ana@example.com")
    now = [1000.0]
    with staff_client(sqlite_url) as client:
        state = services(client)
        state.staff_auth = StaffAuth(
            sessions=state.sessions,
            tokens=state.staff_auth.tokens,
            clock=lambda: now[0],
            slow_down_s=0,
        )
        for _ in range(5):
            assert attempt(client, "ana@example.com", WRONG).status_code == 401
        locked = attempt(client, "ana@example.com", PASSWORD)
        assert locked.status_code == 429
        assert 0 < int(locked.headers["Retry-After"]) <= 900
        now[0] += 899
        assert attempt(client, "ana@example.com", PASSWORD).status_code == 429
        now[0] += 2  # the first failure has left the 15-minute window
        assert attempt(client, "ana@example.com", PASSWORD).status_code == 200


def _auth(engine: AsyncEngine, **options: Any) -> StaffAuth:
    """Sign-in on `engine`, its clock stopped: nothing leaves the 15-minute window."""
    return StaffAuth(
        sessions=create_sessionmaker(engine),
        tokens=StaffSessionTokens(secret=TEST_SECRET, ttl_s=3600),
        clock=lambda: 0.0,
        **options,
    )


def test_an_attacker_cannot_lock_an_account_out(sqlite_url: str) -> None:
    """The attack: five wrong passwords locked any account, admin included, from anywhere.
    Now they throttle the attacker's address; the owner still signs in from theirs, and an
    account guessed at from many addresses is slowed down, never closed."""
    add_user(sqlite_url, "admin@example.com", role="admin")
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    async def scenario() -> None:
        engine = create_engine(sqlite_url)
        try:
            auth = _auth(engine, slow_down_s=2.5, sleep=record)
            for _ in range(5):  # one attacker, one address
                with pytest.raises(BadCredentials):
                    await auth.sign_in(
                        email="admin@example.com", password=WRONG, client_ip="6.6.6.6"
                    )
            with pytest.raises(TooManyAttempts):  # even the right password, from there
                await auth.sign_in(
                    email="admin@example.com", password=PASSWORD, client_ip="6.6.6.6"
                )
            signed = await auth.sign_in(
                email="admin@example.com", password=PASSWORD, client_ip="192.0.2.10"
            )
            assert signed.member.role == "admin"
            assert waits == [2.5]  # the account had five failures: slowed down, not closed
            # A botnet: many addresses, a few guesses each. The owner still gets in, slowed.
            waits.clear()
            for n in range(40):
                with pytest.raises(BadCredentials):
                    await auth.sign_in(
                        email="ADMIN@example.com", password=WRONG, client_ip=f"10.0.0.{n}"
                    )
            assert len(waits) == 40 - 5 and set(waits) == {2.5}
            await auth.sign_in(email="admin@example.com", password=PASSWORD, client_ip="192.0.2.10")
            # and a success forgives the account's failures: no more waiting
            waits.clear()
            with pytest.raises(BadCredentials):
                await auth.sign_in(email="admin@example.com", password=WRONG, client_ip="10.1.0.1")
            assert waits == []
        finally:
            await engine.dispose()

    aio.run(scenario())


def test_one_address_guessing_many_accounts_is_throttled(sqlite_url: str) -> None:
    add_user(sqlite_url, "ana@example.com")

    async def scenario() -> None:
        engine = create_engine(sqlite_url)
        try:
            auth = _auth(engine, slow_down_s=0)
            for n in range(LOGIN_FAILURES_PER_IP):
                with pytest.raises(BadCredentials):
                    await auth.sign_in(email=f"x{n}@example.com", password=WRONG, client_ip="b")
            with pytest.raises(TooManyAttempts):
                await auth.sign_in(email="new@example.com", password=WRONG, client_ip="b")
            with pytest.raises(BadCredentials):  # counted, not locked
                await auth.sign_in(email="new@example.com", password=WRONG, client_ip="c")
            # Successful sign-ins never count against an address (an office behind one NAT).
            for _ in range(4):
                with pytest.raises(BadCredentials):
                    await auth.sign_in(email="ana@example.com", password=WRONG, client_ip="d")
            for _ in range(3):
                await auth.sign_in(email="ana@example.com", password=PASSWORD, client_ip="d")
            for _ in range(4):  # and a success forgives that address's earlier failures
                with pytest.raises(BadCredentials):
                    await auth.sign_in(email="ana@example.com", password=WRONG, client_ip="d")
        finally:
            await engine.dispose()

    aio.run(scenario())


# --- the login page and `next` ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["Email address", "Password", "Sign in"]), ("hu", ["E-mail-cím", "Jelszó"])],
)
def test_login_page_is_an_accessible_form(client: TestClient, lang: str, words: list[str]) -> None:
    response = client.get(f"/login?lang={lang}")
    assert response.status_code == 200
    html = response.text
    assert f'<html lang="{lang}">' in html
    assert all(word in html for word in words)
    assert '<label for="login-email">' in html and 'id="login-email"' in html
    assert '<label for="login-password">' in html and 'id="login-password"' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert 'role="alert"' in html
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "httponly" not in cookie_header(response, "sb_csrf")


def test_login_page_falls_back_to_english(client: TestClient) -> None:
    assert '<html lang="en">' in client.get("/login?lang=xx").text


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
        "/" + "a" * 2048,
    ],
)
def test_next_never_leaves_the_site(client: TestClient, target: str) -> None:
    assert safe_next(target) == DEFAULT_NEXT
    html = client.get("/login", params={"next": target}).text
    assert f'data-next="{DEFAULT_NEXT}"' in html
    assert "evil" not in html


@pytest.mark.parametrize("target", ["/console/chats?id=3#top", "/kb/returns", "/"])
def test_next_keeps_a_path_on_this_site(client: TestClient, target: str) -> None:
    assert safe_next(target) == target
    html = client.get("/login", params={"next": target, "lang": "hu"}).text
    assert f'data-next="{target.replace("&", "&amp;")}"' in html
    # The language switch keeps it.
    assert re.search(r'href="/login\?lang=en&amp;next=[^"]+"', html)


# --- roles -----------------------------------------------------------------------------------


def test_agent_only_routes_refuse_an_editor(client: TestClient, sqlite_url: str) -> None:
    for email, role in (("ed@example.com", "editor"), ("ag@example.com", "agent")):
        add_user(sqlite_url, email, role=role)
    add_user(sqlite_url, "root@example.com", role="admin")
    editor, agent, admin = (
        sign_in(client, email) for email in ("ed@example.com", "ag@example.com", "root@example.com")
    )
    body = {"status": "online"}
    refused = client.put("/api/staff/presence", json=body, headers=editor.headers())
    assert refused.status_code == 403
    assert "agent" in refused.json()["detail"]
    assert client.post("/api/staff/heartbeat", headers=editor.headers()).status_code == 403
    for signed in (agent, admin):  # admins may do everything
        response = client.put("/api/staff/presence", json=body, headers=signed.headers())
        assert response.status_code == 200
        assert response.json() == {"status": "online"}
    # Everyone on staff may see who is around.
    assert client.get("/api/staff/agents", headers=editor.headers()).status_code == 200


def test_require_role_refuses_unknown_roles() -> None:
    with pytest.raises(ValueError, match="unknown role 'owner'"):
        require_role("owner")
    with pytest.raises(ValueError, match="at least one role"):
        require_role()


# --- presence --------------------------------------------------------------------------------


def test_agents_list_shows_auto_away_and_offline(client: TestClient, sqlite_url: str) -> None:
    agent_id = add_user(sqlite_url, "ag@example.com")
    add_user(sqlite_url, "ed@example.com", role="editor")
    add_user(sqlite_url, "gone@example.com", disabled=True)
    now = [0.0]
    state = services(client)
    state.presence = Presence(away_after_s=300, offline_after_s=900, clock=lambda: now[0])
    agent = sign_in(client, "ag@example.com")
    editor = sign_in(client, "ed@example.com")

    def shown() -> dict[int, str]:
        response = client.get("/api/staff/agents", headers=editor.headers())
        assert response.status_code == 200
        return {row["id"]: row["status"] for row in response.json()["agents"]}

    assert shown() == {agent_id: "online"}  # editors and disabled accounts are not agents
    now[0] = 301
    assert shown() == {agent_id: "away"}
    now[0] = 901
    assert shown() == {agent_id: "offline"}
    assert aio.run(state.presence.online_agents()) == frozenset()
    beat = client.post("/api/staff/heartbeat", headers=agent.headers())
    assert beat.json() == {"status": "online"}
    now[0] = 1150
    client.get("/api/staff/me", headers=agent.headers())  # any request is activity
    now[0] = 1449
    assert shown() == {agent_id: "online"}
    away = client.put("/api/staff/presence", json={"status": "away"}, headers=agent.headers())
    assert away.json() == {"status": "away"}
    assert shown() == {agent_id: "away"}


# --- every staff route refuses strangers -----------------------------------------------------


def staff_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every HTTP route under the staff prefixes, path parameters filled."""
    # Newer FastAPI keeps included routers nested in app.routes; this flattens them (with their
    # prefixes) as the OpenAPI generator does, hidden routes included.
    flatten = getattr(routing, "iter_route_contexts", None)
    found = []
    for route in flatten(app.routes) if flatten else app.routes:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if path and methods and path.startswith(STAFF_PREFIXES):
            path = re.sub(r"\{[^}]+\}", "1", path)
            found += [(method, path) for method in sorted(set(methods) - {"HEAD"})]
    return found


def test_every_staff_route_needs_a_session(client: TestClient) -> None:
    assert isinstance(client.app, FastAPI)
    routes = [r for r in staff_routes(client.app) if r[1] != "/api/staff/login"]
    # The walk itself must find the routes, or it would prove nothing.
    assert {("GET", "/api/staff/me"), ("PUT", "/api/staff/presence")} <= set(routes)
    client.cookies.clear()
    for method, path in routes:
        response = client.request(method, path, follow_redirects=False)
        if method == "GET" and path in STAFF_PAGES:
            assert response.status_code == 303, (path, response.status_code)
            back = urlsplit(response.headers["location"])  # the next= may be percent-encoded
            assert (back.path, parse_qs(back.query)) == ("/login", {"next": [path]})
            continue
        assert response.status_code in (401, 403), (method, path, response.status_code)


def test_every_staff_state_change_needs_the_csrf_header(
    client: TestClient, sqlite_url: str
) -> None:
    """Signed in as an admin (no role check gets in the way), but without the header."""
    add_user(sqlite_url, "root@example.com", role="admin")
    admin = sign_in(client, "root@example.com")
    assert isinstance(client.app, FastAPI)
    unsafe = [r for r in staff_routes(client.app) if r[0] in {"POST", "PUT", "PATCH", "DELETE"}]
    assert ("POST", "/api/staff/logout") in unsafe
    for method, path in unsafe:
        response = client.request(method, path, headers=admin.headers(csrf=None))
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.json() == {"detail": CSRF_FAILED}, (method, path)
