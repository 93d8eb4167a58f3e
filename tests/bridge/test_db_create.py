"""`supportbot db create` against the machine's PostgreSQL: creates once, then leaves it be."""

import uuid

import pytest
from sqlalchemy.engine import make_url

from bridge.db.create import create_database
from tests import aio
from tests.postgres import POSTGRES_ADMIN_URL, admin_sql


@pytest.mark.postgres
def test_a_missing_database_is_created_once() -> None:
    name = f"supportbot_create_{uuid.uuid4().hex[:8]}"
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        assert create_database(url) is True
        assert create_database(url) is False  # there already: nothing happens
    finally:
        aio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_names_that_are_not_plain_identifiers_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database name"):
        create_database('postgresql://postgres@127.0.0.1:5432/x"; DROP DATABASE test; --')


def test_sqlite_needs_nothing() -> None:
    assert create_database("sqlite+aiosqlite:///var/never-created.db") is False
