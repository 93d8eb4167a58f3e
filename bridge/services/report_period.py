"""The period of a report: whole UTC days from `start` to `end`, both included, checked."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

MAX_DAYS = 366


class InvalidPeriod(ValueError):
    """A report period that cannot be used; the message says why."""


class MalformedDate(InvalidPeriod):
    def __init__(self, name: str, value: str) -> None:
        super().__init__(f"{name} must be a date written YYYY-MM-DD, not {value!r}")


class InvertedPeriod(InvalidPeriod):
    def __init__(self, start: date, end: date) -> None:
        super().__init__(f"the period ends ({end}) before it starts ({start})")


class PeriodTooLong(InvalidPeriod):
    def __init__(self, days: int) -> None:
        super().__init__(f"a report covers at most {MAX_DAYS} days, not {days}")


def _parse_date(name: str, value: str) -> date:
    # fromisoformat also takes "20261101" and week dates; reports take one spelling only.
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise MalformedDate(name, value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MalformedDate(name, value) from None


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, read as UTC days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvertedPeriod(self.start, self.end)
        if self.days > MAX_DAYS:
            raise PeriodTooLong(self.days)

    @classmethod
    def parse(cls, start: str, end: str) -> "Period":
        return cls(_parse_date("from", start), _parse_date("to", end))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def until(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)

    def week_starts(self) -> list[date]:
        """The Monday of every ISO week the period touches."""
        first = self.start - timedelta(days=self.start.weekday())
        return [first + timedelta(weeks=i) for i in range((self.end - first).days // 7 + 1)]
