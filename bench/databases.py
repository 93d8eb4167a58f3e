"""The databases the scale benchmarks run on: a fresh SQLite file in a temporary folder, or a
fresh PostgreSQL database on the server of TEST_POSTGRES_URL (dropped afterwards), migrated and
filled with the year of traffic of bench.report_seed."""

import asyncio
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.report_seed import SeedCounts, seed
from bridge.db.engine import create_engine
from bridge.db.migrate import upgrade
from tests.postgres import POSTGRES_ADMIN_URL, admin_sql


@contextmanager
def sqlite_database() -> Iterator[str]:
    """The URL of a new SQLite file, removed with its folder afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite+aiosqlite:///{Path(tmp) / 'bridge.db'}"


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database `name` (one left by a crashed run is
    dropped first), dropped afterwards."""
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(admin_sql(drop))
    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(POSTGRES_ADMIN_URL)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        asyncio.run(admin_sql(drop))


async def seeded(database_url: str, scale: float, label: str) -> SeedCounts:
    """Migrates the database and fills it with the data set at `scale`; prints progress."""
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        counts = await seed(engine, scale, label)
        if engine.dialect.name == "postgresql":
            # What autovacuum would have done after such a load: fresh planner statistics.
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()
    print(f"  {label}: seeded in {counts.seconds:.0f} s: {counts.rows}", flush=True)
    return counts


async def server_version() -> str:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        return str(await connection.fetchval("SHOW server_version")).split()[0]
    finally:
        await connection.close()
