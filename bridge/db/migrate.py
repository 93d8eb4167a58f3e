"""Run the Alembic migrations programmatically (used by the CLI, `make run` and the tests)."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _in_worker(step: Callable[[Config, str], None], database_url: str, revision: str) -> None:
    # env.py drives the async engine with asyncio.run(), which refuses to start where an event
    # loop is already running in this thread (async callers, Playwright's sync API); a worker
    # thread never has one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(step, alembic_config(database_url), revision).result()


def upgrade(database_url: str, revision: str = "head") -> None:
    _in_worker(command.upgrade, database_url, revision)


def downgrade(database_url: str, revision: str) -> None:
    _in_worker(command.downgrade, database_url, revision)
