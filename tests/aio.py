"""Run a coroutine to completion from synchronous test code."""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bridge.db.engine import create_engine, create_sessionmaker

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run() in a worker thread: Playwright's sync API leaves the test thread marked
    as running an event loop, where asyncio.run() refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run_sql(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work` in one transaction on the database, from synchronous test code."""

    async def in_transaction() -> T:
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return run(in_transaction())
