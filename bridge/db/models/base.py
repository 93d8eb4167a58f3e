"""The declarative base and the helpers every model module shares."""

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Integer,
)
from sqlalchemy.orm import DeclarativeBase

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass
