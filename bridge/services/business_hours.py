"""When people answer chats: weekly opening hours in a time zone, minus holidays.

Written the way an operator would say it, e.g. `mon-fri 09:00-17:00; sat 10:00-14:00`
(days: mon tue wed thu fri sat sun, a range or a comma list; `24:00` is the end of the day).
Parsing fails with a message naming the part it could not read, so a typo in a setting stops
the bridge at start instead of silently closing the chat.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(r"^([a-z,\-]+)\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_DAY_NAMES = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "hu": ("H", "K", "Sze", "Cs", "P", "Szo", "V"),
}


class InvalidHours(ValueError):
    pass


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # 0 = Monday
    start_minute: int
    end_minute: int  # exclusive; 1440 = midnight at the end of the day


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for item in text.split(","):
        first, _, last = item.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise InvalidHours(f"unknown day in {text!r}: use {', '.join(DAYS)}")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise InvalidHours(f"day range {item!r} runs backwards")
        days.update(range(start, end + 1))
    return frozenset(days)


def parse_hours(text: str) -> tuple[Window, ...]:
    windows = []
    for part in (p.strip().lower() for p in text.split(";")):
        if not part:
            continue
        match = _PART.match(part)
        if not match:
            raise InvalidHours(f"cannot read {part!r}: write e.g. 'mon-fri 09:00-17:00'")
        days, h1, m1, h2, m2 = match.groups()
        start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        if int(m1) > 59 or int(m2) > 59 or start >= 1440 or end > 1440 or end <= start:
            raise InvalidHours(f"{part!r}: the time range must be within one day, start < end")
        windows.append(Window(_days(days), start, end))
    if not windows:
        raise InvalidHours("no opening hours given")
    return tuple(windows)


def parse_holidays(text: str) -> frozenset[date]:
    holidays = set()
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        try:
            holidays.add(date.fromisoformat(item))
        except ValueError as exc:
            raise InvalidHours(f"holiday {item!r} is not a YYYY-MM-DD date") from exc
    return frozenset(holidays)


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidHours(f"unknown time zone {name!r} (e.g. Europe/Budapest)") from exc


class BusinessHours:
    def __init__(self, *, hours: str, zone: str, holidays: str = "") -> None:
        self._windows = parse_hours(hours)
        self._zone = parse_zone(zone)
        self._holidays = parse_holidays(holidays)
        self._zone_name = zone

    def is_open(self, at: datetime) -> bool:
        """`at` must be timezone-aware; it is judged in the business's own time zone."""
        local = at.astimezone(self._zone)
        if local.date() in self._holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(
            local.weekday() in w.days and w.start_minute <= minute < w.end_minute
            for w in self._windows
        )

    def describe(self, language: str) -> str:
        """The hours as a customer reads them, e.g. 'Mon–Fri 09:00–17:00 (Europe/Budapest)'."""
        names = _DAY_NAMES.get(language, _DAY_NAMES["en"])
        parts = []
        for window in self._windows:
            days = sorted(window.days)
            if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
                label = f"{names[days[0]]}–{names[days[-1]]}"
            else:
                label = ", ".join(names[d] for d in days)
            parts.append(f"{label} {_clock(window.start_minute)}–{_clock(window.end_minute)}")
        return f"{'; '.join(parts)} ({self._zone_name})"


def _clock(minute: int) -> str:
    return "24:00" if minute == 1440 else time(minute // 60, minute % 60).strftime("%H:%M")
