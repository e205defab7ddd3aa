"""The real-world shaped calendars of tests/calendars/ics/, as their servers send them (CRLF line ends)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ICS = Path(__file__).resolve().parent / "ics"
# The window the files were written for: 60 days from Monday 2 March 2026, across both clock changes of
# 2026 (8 March in New York, 29 March in Berlin).
WINDOW_START = datetime(2026, 3, 2, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=60)


def ics(name: str) -> bytes:
    return (ICS / f"{name}.ics").read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant of 2026 in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# What each file holds, read as its owner (Google and Outlook: Berlin; Apple: New York) over the window;
# Google's as marco.mentor@example.com, who declined one event.
GOOGLE_BUSY = [
    (at(3, 2, 0, 0), at(3, 2, 0, 30)),  # began before the window: cut at its start
    (at(3, 2, 8, 30), at(3, 2, 9)),  # standup, 09:30 CET; Wednesday 4 March is an EXDATE
    (at(3, 5, 12), at(3, 5, 13)),  # a single event in UTC
    (at(3, 9, 8, 30), at(3, 9, 9)),
    (at(3, 11, 13), at(3, 11, 13, 30)),  # this one moved to 14:00 (RECURRENCE-ID)
    (at(3, 11, 23), at(3, 12, 23)),  # all day on 12 March, Berlin's midnight to midnight
    (at(3, 16, 8, 30), at(3, 16, 9)),
    # 17 March: declined by the owner; 18 March: that occurrence cancelled; 19 March: a cancelled event
    (at(3, 23, 8, 30), at(3, 23, 9)),
    (at(3, 23, 9), at(3, 23, 10)),  # a series Google wrote in UTC, 10:00 on Berlin's clock
    (at(3, 25, 8, 30), at(3, 25, 9)),
    (at(3, 27, 6), at(3, 27, 7)),  # gym at 07:00 daily, four times, across the change
    (at(3, 28, 6), at(3, 28, 7)),
    (at(3, 29, 5), at(3, 29, 6)),
    (at(3, 30, 5), at(3, 30, 6)),
    (at(3, 30, 7, 30), at(3, 30, 8)),  # the standup at 09:30 CEST
    (at(3, 30, 8), at(3, 30, 9)),  # and the UTC-written series still at 10:00 Berlin
    (at(4, 1, 7, 30), at(4, 1, 8)),  # the last standup before UNTIL
    (at(4, 6, 8), at(4, 6, 9)),
]
OUTLOOK_BUSY = [
    (at(3, 3, 10), at(3, 3, 10, 30)),  # 1:1 on Tuesdays at 11:00 "W. Europe Standard Time"
    (at(3, 5, 14), at(3, 5, 15)),  # 09:00 "Eastern Standard Time" before New York's change
    (at(3, 9, 14), at(3, 9, 15)),  # tentative is busy; the free focus time on 6 March is not
    (at(3, 10, 10), at(3, 10, 10, 30)),
    (at(3, 12, 13), at(3, 12, 14)),  # New York has changed its clocks, Berlin not yet
    (at(3, 19, 13), at(3, 19, 14)),
    (at(3, 24, 10), at(3, 24, 10, 30)),  # 17 March is an EXDATE
    (at(3, 26, 23), at(3, 30, 22)),  # out of office 27-30 March: Berlin's days, 95 hours
    (at(3, 31, 14), at(3, 31, 14, 30)),  # moved to 16:00 CEST
    (at(4, 7, 9), at(4, 7, 9, 30)),
    (at(4, 14, 9), at(4, 14, 9, 30)),
    (at(4, 15, 11), at(4, 15, 12)),  # "Customized Time Zone", defined in the file
    (at(4, 16, 7), at(4, 16, 7, 45)),  # a zone nobody defines: read on the owner's clock
    (at(4, 21, 9), at(4, 21, 9, 30)),
    (at(4, 28, 9), at(4, 28, 9, 30)),  # UNTIL is this very occurrence
]
APPLE_BUSY = [
    (at(3, 2, 13), at(3, 2, 13, 30)),  # school run at 08:00 EST, daily
    (at(3, 3, 13), at(3, 3, 13, 30)),
    (at(3, 3, 21), at(3, 3, 22)),  # board prep, the first Tuesday of the month, 16:00 EST
    (at(3, 4, 13), at(3, 4, 13, 30)),  # the transparent "Drink water" stays free
    (at(3, 5, 13), at(3, 5, 13, 30)),
    (at(3, 6, 13), at(3, 6, 13, 30)),
    (at(3, 7, 5), at(3, 9, 4)),  # conference 7-8 March: New York's days, 47 hours; 7 and 8 EXDATEs
    (at(3, 8, 7), at(3, 8, 7, 30)),  # floating 02:30 the clock skips: from 03:00 EDT
    (at(3, 9, 12), at(3, 9, 12, 30)),  # 08:00 EDT
    (at(3, 10, 13), at(3, 10, 13, 30)),  # moved to 09:00 EDT
    (at(3, 11, 12), at(3, 11, 12, 30)),
    (at(3, 16, 18), at(3, 16, 19)),  # floating 14:00 on the owner's clock
    (at(4, 1, 15), at(4, 1, 16)),
    (at(4, 7, 20), at(4, 7, 21)),  # board prep in April, 16:00 EDT
]


def weekly_from_tomorrow(now: datetime) -> tuple[bytes, list[tuple[datetime, datetime]]]:
    """For tests on the real clock (a worker, a browser): a Google-shaped file with a weekly hour from
    tomorrow 10:00 UTC, four times, the second an EXDATE; and the three busy hours it holds (the series is
    written in UTC and so keeps its time on Berlin's clock, X-WR-TIMEZONE, should the clocks change)."""
    first = (now + timedelta(days=1)).astimezone(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    stamp = "%Y%m%dT%H%M%SZ"
    data = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "X-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\n"
        f"DTSTART:{first:{stamp}}\r\nDTEND:{first + timedelta(hours=1):{stamp}}\r\n"
        f"RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE:{first + timedelta(weeks=1):{stamp}}\r\n"
        "DTSTAMP:20260301T090000Z\r\nUID:weekly@google.com\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    berlin = ZoneInfo("Europe/Berlin")
    local = first.astimezone(berlin).replace(tzinfo=None)
    starts = [(local + timedelta(weeks=week)).replace(tzinfo=berlin).astimezone(UTC) for week in (0, 2, 3)]
    return data.encode(), [(start, start + timedelta(hours=1)) for start in starts]
