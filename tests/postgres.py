"""The PostgreSQL server the tests and benchmarks use (`TEST_POSTGRES_URL`), and statements
run on it outside any database they create (CREATE / DROP DATABASE)."""

import os

import asyncpg

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


async def admin_sql(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
