"""Reading a person's own iCalendar file into busy intervals: a pure function of plain data.

``busy_intervals(data, zone=..., start=..., end=...)`` parses the bytes with icalendar, expands recurring
events with recurring-ical-events (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides, X-WR-TIMEZONE) and returns
the busy time that overlaps ``[start, end)`` as sorted UTC ``(start, end)`` pairs, clipped to the window.

- All-day events (DATE values) are whole local days in the owner's zone ``zone``: midnight to midnight on the
  owner's wall clock, whatever length DST gives that day.
- Floating times (no TZID, no ``Z``) and times whose TZID neither the file (VTIMEZONE) nor the tz database
  nor the Windows zone names know are read on the owner's wall clock too: a time the clock skips becomes the
  instant it skips to; a repeated time, its first occurrence.
- Free time is not busy: ``TRANSP:TRANSPARENT``, Outlook's ``X-MICROSOFT-CDO-BUSYSTATUS:FREE``,
  ``STATUS:CANCELLED`` (also on one occurrence of a series), and events the owner declined (``ATTENDEE`` with
  one of ``declined_by``'s addresses and ``PARTSTAT=DECLINED``, as Google's secret address lists them).
- Zero-length events take no time.

A file cannot make this run without end: a series repeating more often than hourly is refused, and so is a
file with more than ``limit`` busy events in the window (counted as series are expanded, so expansion stops
there). No Django, no settings, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from marketplace.timezones import get_zone, is_valid_timezone, require_aware, resolve_local_end

__all__ = ["MAX_BUSY_EVENTS", "CalendarRefused", "busy_intervals"]

MAX_BUSY_EVENTS = 10_000
# Floating times and all-day dates are read in the owner's zone; the expansion looks this much further on
# each side so that no zone's offset leaves one of them out before it is clipped to the window.
_ZONE_MARGIN = timedelta(days=1)
_TOO_OFTEN = {"SECONDLY", "MINUTELY"}
_BY_TIME_OF_DAY = ("BYSECOND", "BYMINUTE")


class CalendarRefused(ValueError):
    """The bytes are not a calendar this reads; ``code`` says why (the words are the caller's to choose):
    "not_icalendar", "too_many_events" or "repeats_too_often"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def busy_intervals(
    data: bytes,
    *,
    zone: str,
    start: datetime,
    end: datetime,
    declined_by: Collection[str] = (),
    limit: int = MAX_BUSY_EVENTS,
) -> list[tuple[datetime, datetime]]:
    """The busy time of the iCalendar file ``data`` overlapping ``[start, end)``, in UTC, sorted, clipped.

    Raises ``CalendarRefused`` for bytes that are not an iCalendar file, a series repeating more often than
    hourly, and more than ``limit`` busy events in the window.
    """
    require_aware(start, "start")
    require_aware(end, "end")
    owner_zone = get_zone(zone)
    calendar = _utc_times_on_the_calendars_clock(_parse(data))
    _refuse_runaway_rules(calendar)
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
    except Exception as error:  # the library's own refusals (a non-Gregorian CALSCALE, …)
        raise CalendarRefused("not_icalendar") from error
    declined = {_address(address) for address in declined_by}
    window_start, window_end = start.astimezone(UTC), end.astimezone(UTC)
    span_start, span_end = window_start - _ZONE_MARGIN, window_end + _ZONE_MARGIN
    found: set[tuple[datetime, datetime]] = set()
    # Series by series rather than query.between(): the count is checked as occurrences come, so a file
    # full of dense series stops at the limit instead of being expanded whole first.
    for series in query.series:
        for occurrence in _occurrences(series, span_start, span_end):
            event = occurrence.as_component(False)
            if not _is_busy(event, declined):
                continue
            interval = _utc_interval(occurrence.start, occurrence.end, owner_zone)
            if interval is None:
                continue
            busy_start, busy_end = max(interval[0], window_start), min(interval[1], window_end)
            if busy_start < busy_end:
                found.add((busy_start, busy_end))
                if len(found) > limit:
                    raise CalendarRefused("too_many_events")
    return sorted(found)


def _parse(data: bytes) -> icalendar.Calendar:
    # A login page or an error page served with 200 is the usual "calendar" that is not one.
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        raise CalendarRefused("not_icalendar")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as error:  # icalendar raises ValueError, KeyError, IndexError … on broken files
        raise CalendarRefused("not_icalendar") from error
    if not isinstance(calendar, icalendar.Calendar):
        raise CalendarRefused("not_icalendar")
    return calendar


class _UTCTimesOnly(x_wr_timezone.UTCChangingWalker):
    """X-WR-TIMEZONE read for UTC times only: floating times stay floating, for the owner's clock."""

    def walk_value_datetime(self, dt: datetime) -> datetime:
        return super().walk_value_datetime(dt) if self.is_UTC(dt) else dt


def _utc_times_on_the_calendars_clock(calendar: icalendar.Calendar) -> icalendar.Calendar:
    """Google writes a series' start in UTC and means it on the wall clock of the calendar's X-WR-TIMEZONE
    (09:00 Berlin stays 09:00 after the clocks change): such times are moved to that zone, which the file
    may name by its Windows name (Outlook) or not at all. recurring-ical-events would also read floating
    times in that zone; they are left for the owner's clock (RFC 5545: floating is the same wall-clock time
    wherever the reader is), so X-WR-TIMEZONE is removed once applied."""
    declared = calendar.get("X-WR-TIMEZONE")
    if declared is None:
        return calendar
    del calendar["X-WR-TIMEZONE"]
    name = str(declared).strip()
    name = WINDOWS_TO_OLSON.get(name, name)
    if not is_valid_timezone(name):
        return calendar
    return _UTCTimesOnly(get_zone(name)).walk(calendar)


def _refuse_runaway_rules(calendar: icalendar.Calendar) -> None:
    """Busy calendars repeat by the day or longer: a rule of seconds or minutes would expand into millions."""
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
            try:
                frequency = {str(value).upper() for value in rule.get("FREQ", [])}
                many_times = any(len(rule.get(part, [])) > 1 for part in _BY_TIME_OF_DAY)
            except Exception:  # a rule icalendar could not parse: its series is left out when expanded
                continue
            if _TOO_OFTEN & frequency or many_times:
                raise CalendarRefused("repeats_too_often")


def _occurrences(series: object, span_start: datetime, span_end: datetime) -> Iterable:
    """The series' occurrences in the span. A series the library cannot expand (a broken rule, a date it
    cannot compare) is left out, as skip_bad_series leaves out one it cannot build: one broken event must
    not hide the rest of a person's calendar."""
    try:
        yield from series.between(span_start, span_end)  # type: ignore[attr-defined]
    except Exception:  # whatever the library raises for that one series
        return


def _is_busy(event: icalendar.cal.Component, declined: set[str]) -> bool:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    if str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE":
        return False
    if declined:
        attendees = event.get("ATTENDEE", [])
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            partstat = str(getattr(attendee, "params", {}).get("PARTSTAT", "")).upper()
            if partstat == "DECLINED" and _address(str(attendee)) in declined:
                return False
    return True


def _address(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    return value.strip().lower()


def _utc_interval(
    start: date | datetime, end: date | datetime | None, zone: ZoneInfo
) -> tuple[datetime, datetime] | None:
    begins = _instant(start, zone)
    ends = _instant(end, zone) if end is not None else begins
    if ends <= begins:
        return None
    return begins, ends


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """A DATE as the owner's local midnight; a floating time on the owner's clock; an aware time as is."""
    if not isinstance(value, datetime):
        return resolve_local_end(datetime.combine(value, time()), zone)
    if value.tzinfo is None or value.utcoffset() is None:
        return resolve_local_end(value.replace(tzinfo=None), zone)
    return value.astimezone(UTC)
