"""Pure time-zone helpers: zone lookup, local wall-clock times resolved to UTC across DST, ISO weeks.

No Django, no settings, no clock: zones are IANA names or ``ZoneInfo`` objects passed in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# Keys that load from the tz database but are not places: "localtime" is whatever the host is set to.
_NOT_ZONES = frozenset({"localtime", "posixrules"})


@lru_cache(maxsize=1024)
def get_zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; ``ValueError`` naming it when there is no such zone."""
    if not isinstance(name, str) or not name or name in _NOT_ZONES:
        raise ValueError(f"unknown time zone: {name!r}")
    try:
        return ZoneInfo(name)
    except (LookupError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone: {name!r}") from exc


def is_valid_timezone(name: object) -> bool:
    """True when ``name`` is an IANA time zone this system knows, e.g. ``"Europe/Berlin"``."""
    if not isinstance(name, str):
        return False
    try:
        get_zone(name)
    except ValueError:
        return False
    return True


def require_aware(value: datetime, name: str) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is a timezone-aware datetime."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def resolve_local(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a naive local wall-clock time in ``zone``.

    When the clock falls back, an ambiguous time means its first occurrence (fold=0). When the clock springs
    forward, a skipped time does not exist and the answer is None.
    """
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
        return None
    return instant


def resolve_local_end(wall: datetime, zone: ZoneInfo) -> datetime:
    """Like ``resolve_local``, for the end of a range: a skipped time becomes the instant the clock skips to.

    Clamping to the transition keeps a range that ends inside the gap from growing past what the wall clock
    promised (NY 2026-03-08, an end of 02:30 becomes 03:00 EDT = 07:00 UTC, not 03:30 EDT).
    """
    instant = resolve_local(wall, zone)
    if instant is not None:
        return instant
    # In a gap, fold=1 reads the time with the offset after the transition (an instant before it) and fold=0
    # with the offset before it (an instant after it); the transition lies between the two.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return transition_between(before, after, zone)


def every_few_weeks(first: datetime, zone: ZoneInfo, *, count: int, every_weeks: int = 1) -> list[datetime]:
    """`first` and the `count - 1` starts after it, `every_weeks` weeks apart, each at the wall-clock time
    `first` shows in `zone` (UTC instants), so 16:00 stays 16:00 across DST changes. On a day the clock skips
    that time (spring forward), the instant the clock skips to; on a day it shows it twice, its first
    occurrence."""
    require_aware(first, "first")
    local = first.astimezone(zone).replace(tzinfo=None)
    return [first] + [
        resolve_local_end(local + timedelta(weeks=every_weeks * index), zone) for index in range(1, count)
    ]


def whole_local_days(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date] | None:
    """The first and the last day of ``[start, end)`` in ``zone`` when both ends fall on local midnight (whole
    days: the end, exclusive, is the midnight after the last day); None otherwise."""
    first, after = start.astimezone(zone), end.astimezone(zone)
    if first.time() != time() or after.time() != time() or after.date() <= first.date():
        return None
    return first.date(), after.date() - timedelta(days=1)


def transition_between(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first whole-second instant in ``(before, after]`` whose UTC offset differs from ``before``'s.

    Expects exactly one offset change in the range, as around a DST gap; tz database transitions fall on whole
    seconds, so a binary search over seconds finds it exactly.
    """
    old = before.astimezone(zone).utcoffset()
    lo = int(before.timestamp() // 1)
    hi = -int(-after.timestamp() // 1)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == old:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


def iso_week_start(instant: datetime, timezone: str) -> date:
    """The Monday of the ISO week that ``instant`` falls in, as seen on a wall clock in ``timezone``."""
    require_aware(instant, "instant")
    local_day = instant.astimezone(get_zone(timezone)).date()
    return local_day - timedelta(days=local_day.weekday())


def iso_week_bounds(instant: datetime, timezone: str) -> tuple[date, datetime, datetime]:
    """The ISO week ``instant`` falls in on a wall clock in ``timezone``: its Monday, and the UTC instants of
    that Monday's 00:00 and the next Monday's 00:00 (a midnight the clock skips becomes the instant it skips
    to; a repeated one, its first occurrence)."""
    monday = iso_week_start(instant, timezone)
    zone = get_zone(timezone)
    start = resolve_local_end(datetime.combine(monday, time()), zone)
    end = resolve_local_end(datetime.combine(monday + timedelta(days=7), time()), zone)
    return monday, start, end
