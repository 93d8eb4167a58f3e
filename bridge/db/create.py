"""Create a PostgreSQL database when it is missing (`make run-scaled` on a fresh server)."""

import asyncio
import re

import asyncpg
from sqlalchemy.engine import make_url

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def create_database(url: str) -> bool:
    """Create the database `url` names on its server; False when it exists already.

    Connects to the server's `postgres` maintenance database (else `template1`) with the
    same credentials; a
    SQLite URL needs nothing (the file is created on first use) and returns False."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgres"):
        return False
    name = parsed.database or ""
    if not _NAME.match(name):  # it goes into SQL as an identifier
        raise ValueError(f"unsupported database name {name!r}")
    admin = parsed.set(drivername="postgresql")
    return asyncio.run(_create(admin.render_as_string(hide_password=False), name))


async def _create(server_url: str, name: str) -> bool:
    # The maintenance database, or template1 on a server whose `postgres` was dropped.
    try:
        connection = await asyncpg.connect(server_url, database="postgres")
    except asyncpg.InvalidCatalogNameError:
        connection = await asyncpg.connect(server_url, database="template1")
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await connection.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await connection.close()
