"""Signed-in staff for tests: accounts written straight to the database, and the cookies of
a sign-in made the way the login page makes it."""

from dataclasses import dataclass
from functools import lru_cache

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from bridge.db import users
from bridge.db.engine import create_engine, create_sessionmaker
from bridge.services.container import Services
from bridge.services.passwords import hash_password
from tests import aio

PASSWORD = "correct horse battery"


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One real Argon2 hash for all the test accounts (hashing is the slow part)."""
    return hash_password(PASSWORD)


# --- accounts, written straight to the database ---------------------------------------------


async def _add_user(url: str, email: str, role: str, hashed: str, disabled: bool) -> int:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            user = await users.create_user(
                session=session,
                email=email,
                display_name=email.split("@")[0].title(),
                role=role,
                password_hash=hashed,
            )
            user.disabled = disabled
            return user.id
    finally:
        await engine.dispose()


def add_user(
    url: str,
    email: str,
    *,
    role: str = "agent",
    hashed: str | None = None,
    disabled: bool = False,
) -> int:
    return aio.run(_add_user(url, email, role, hashed or password_hash(), disabled))


@dataclass(frozen=True)
class Signed:
    """One signed-in browser's cookies, sent explicitly so one client can act for several."""

    session: str
    csrf: str

    def headers(self, *, csrf: str | None = "cookie") -> dict[str, str]:
        headers = {"Cookie": f"sb_session={self.session}; sb_csrf={self.csrf}"}
        if csrf is not None:
            headers["X-CSRF-Token"] = self.csrf if csrf == "cookie" else csrf
        return headers


def cookie_value(response: Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie set")


def attempt(client: TestClient, email: str, password: str) -> Response:
    """What the login page does: fetch the page (pre-session CSRF cookie), post the JSON."""
    client.cookies.clear()
    csrf = cookie_value(client.get("/login"), "sb_csrf")
    response = client.post(
        "/api/staff/login",
        json={"email": email, "password": password},
        headers={"X-CSRF-Token": csrf, "Cookie": f"sb_csrf={csrf}"},
    )
    client.cookies.clear()
    return response


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Signed:
    response = attempt(client, email, password)
    assert response.status_code == 200, response.text
    return Signed(cookie_value(response, "sb_session"), cookie_value(response, "sb_csrf"))


def services(client: TestClient) -> Services:
    app = client.app
    assert isinstance(app, FastAPI)
    state: Services = app.state.services
    return state


def rename(url: str, email: str, display_name: str) -> None:
    """Any display name, even one the CLI would refuse: the pages must still be safe."""

    async def change() -> None:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine).begin() as session:
                user = await users.require_user(session=session, email=email)
                user.display_name = display_name
        finally:
            await engine.dispose()

    aio.run(change())
