"""The times Sidebar accepts from outside: one parser of an instant and the range every time must lie in.

Python's datetimes end at years 1 and 9999, and the code does arithmetic on every time it is given (a
session's end, a week's margin, a zone's offset, the slot engine's days): a time near either end overflows.
So every time input, whatever route it comes by (API fields and query parameters, page forms, services),
is refused outside ``[EARLIEST, LATEST)``, years 2000 to 2199: far from both ends, wide enough for any
booking, deadline or time off. Pure: no Django, no settings, no clock (the slot engine clamps to it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # exclusive
FIRST_DAY = EARLIEST.date()
LAST_DAY = date(LATEST.year - 1, 12, 31)
MAX_TEXT_LENGTH = 64  # longer than any ISO 8601 time with microseconds and an offset

INVALID = "Give a time in ISO 8601, e.g. 2026-03-10T09:00:00+01:00 or 2026-03-10T08:00:00Z."
NAIVE = "Give the time with an offset, e.g. 2026-03-10T09:00:00+01:00 or 2026-03-10T08:00:00Z."
OUT_OF_RANGE = f"Give a time between the years {FIRST_DAY.year} and {LAST_DAY.year}."
DAY_OUT_OF_RANGE = f"Give a date between the years {FIRST_DAY.year} and {LAST_DAY.year}."


class InstantError(ValueError):
    """A time that is not accepted; ``code`` is ``invalid``, ``naive`` or ``out_of_range``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_instant(value: object) -> datetime:
    """An ISO 8601 time with a UTC offset or ``Z``, as an aware UTC datetime inside the supported range.

    A time without an offset, or a bare date, would have to be read in some zone: it is refused (``naive``)
    rather than guessed.
    """
    if not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH:
        raise InstantError("invalid", INVALID)
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text) if _looks_like_iso(text) else None
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        parsed = None
    if parsed is None:
        raise InstantError("invalid", INVALID)
    if len(text) <= 10 or parsed.utcoffset() is None:  # a bare date parses as midnight without an offset
        raise InstantError("naive", NAIVE)
    return check_instant(parsed)


def check_instant(instant: datetime) -> datetime:
    """``instant`` (aware) as UTC, or ``InstantError`` when it lies outside the supported range."""
    # The year first: converting a time near year 1 or 9999 to UTC can itself overflow.
    if not FIRST_DAY.year - 1 <= instant.year <= LAST_DAY.year + 1:
        raise InstantError("out_of_range", OUT_OF_RANGE)
    utc = instant.astimezone(UTC)
    if not EARLIEST <= utc < LATEST:
        raise InstantError("out_of_range", OUT_OF_RANGE)
    return utc


def check_day(day: date) -> date:
    """``day``, or ``InstantError`` when it lies outside the supported range."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InstantError("out_of_range", DAY_OUT_OF_RANGE)
    return day


def _looks_like_iso(text: str) -> bool:
    # fromisoformat also reads compact forms ("20260310T0900"); the API promises the extended one.
    return len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit()
