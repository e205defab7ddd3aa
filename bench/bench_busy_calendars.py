"""Busy times from a person's own calendar (issue 15): what they cost the slots, and what a sync costs.

Run: ``python bench/bench_busy_calendars.py [--repeat N]`` with DATABASE_URL pointing at PostgreSQL (``make
bench`` does this); it uses a small database of its own, ``sidebar_bench_busy``.

1. Slots for one mentor over 14 days (``GET /api/v1/mentors/{id}/slots/``, in-process, and the loader plus
   engine alone) without busy calendars, then with 500 synced busy events: all 500 inside the 14 days (a
   packed calendar, the worst case) and 500 over the 60 days a sync reads (about 117 inside the 14 days).
   Target: at most 1.5 times the time without.
2. One sync of a calendar of 2,000 events, 50 of them recurring series (weekly and daily, with EXDATEs and
   moved occurrences, in a VTIMEZONE zone), served by a local HTTP server: fetch, read, store, as a worker
   runs it (``calendars.services.sync_calendar``). Target: under 2 s. From it, how many calendars 2 workers
   sync in one 15-minute interval.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: bench.*, the apps

from bench.benchdb import setup_django, summary, timed

BERLIN_VTIMEZONE = """BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""


def big_calendar(now: datetime, *, events: int = 2000, series: int = 50, seed: int = 15) -> bytes:
    """A Google-shaped file: `events` VEVENTs of which `series` recurring (weekly or daily, each with an
    EXDATE and a moved occurrence), the rest single meetings over the next 60 days, most in Berlin time."""
    rng = random.Random(seed)
    stamp = "%Y%m%dT%H%M%S"
    day0 = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    lines = [
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-TIMEZONE:Europe/Berlin\r\n" + BERLIN_VTIMEZONE
    ]

    def event(uid: str, start: datetime, minutes: int, extra: str = "") -> str:
        local = start.replace(tzinfo=None)
        end = local + timedelta(minutes=minutes)
        return (
            f"BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:{local:{stamp}}\r\n"
            f"DTEND;TZID=Europe/Berlin:{end:{stamp}}\r\nDTSTAMP:20260301T090000Z\r\nUID:{uid}\r\n"
            f"SUMMARY:Meeting {uid}\r\nSTATUS:CONFIRMED\r\nTRANSP:OPAQUE\r\n{extra}END:VEVENT\r\n"
        )

    overrides = 0
    for n in range(series):
        start = day0 + timedelta(
            days=rng.randrange(7), hours=rng.randrange(8, 17), minutes=rng.choice((0, 30))
        )
        weekly = n % 5 != 0
        rule = "RRULE:FREQ=WEEKLY;COUNT=12\r\n" if weekly else "RRULE:FREQ=DAILY;COUNT=40\r\n"
        skipped = start + timedelta(weeks=2 if weekly else 3)
        rule += f"EXDATE;TZID=Europe/Berlin:{skipped.replace(tzinfo=None):{stamp}}\r\n"
        lines.append(event(f"series-{n}@bench", start, 30, rule))
        moved = start + timedelta(weeks=1)
        lines.append(
            event(
                f"series-{n}@bench",
                moved + timedelta(hours=2),
                30,
                f"RECURRENCE-ID;TZID=Europe/Berlin:{moved.replace(tzinfo=None):{stamp}}\r\n",
            )
        )
        overrides += 1
    for n in range(events - series - overrides):
        start = day0 + timedelta(
            days=rng.randrange(60), hours=rng.randrange(7, 19), minutes=rng.choice((0, 15, 30, 45))
        )
        transparent = "TRANSP:TRANSPARENT\r\n" if n % 25 == 0 else ""
        lines.append(event(f"single-{n}@bench", start, rng.choice((15, 30, 45, 60)), transparent))
    lines.append("END:VCALENDAR\r\n")
    return "".join(lines).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=40)
    repeat = parser.parse_args().repeat
    setup_django("sidebar_bench_busy")

    from datetime import time as wall

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from calendars import services
    from calendars.models import BusyCalendar, BusyInterval
    from marketplace import schedules
    from marketplace.models import AvailabilityBlock, MentorProfile, User
    from tests.calendar_server import calendar_server

    now = timezone.now()
    day0 = now.replace(minute=0, second=0, microsecond=0)
    User.objects.filter(email__endswith="@bench-busy.example.com").delete()

    def mentor_with(name: str, events: int, days: int) -> User:
        """A Berlin mentor free 09:00-12:00 and 13:00-17:30 on weekdays (5-minute buffer, as by default),
        with `events` 30-minute busy events from their own calendar spread over the next `days` days."""
        mentor = User.objects.create_user(
            email=f"{name}@bench-busy.example.com", password="x", timezone="Europe/Berlin", is_mentor=True
        )
        MentorProfile.objects.create(user=mentor, availability_timezone="Europe/Berlin", min_notice_minutes=0)
        AvailabilityBlock.objects.bulk_create(
            AvailabilityBlock(mentor=mentor, weekday=weekday, start=start, end=end)
            for weekday in range(5)
            for start, end in ((wall(9), wall(12)), (wall(13), wall(17, 30)))
        )
        if events:
            calendar = BusyCalendar.objects.create(
                owner=mentor, url=f"https://calendar.example.com/{name}.ics"
            )
            rng = random.Random(days)
            starts = (day0 + timedelta(minutes=15 * rng.randrange(days * 24 * 4)) for _ in range(events))
            BusyInterval.objects.bulk_create(
                BusyInterval(owner=mentor, calendar=calendar, start=start, end=start + timedelta(minutes=30))
                for start in starts
            )
        return mentor

    variants = {
        "no busy calendar": mentor_with("none", 0, 14),
        "500 busy events inside the 14 days": mentor_with("packed", 500, 14),
        "500 busy events over 60 days": mentor_with("spread", 500, 60),
    }
    asker = User.objects.create_user(
        email="asker@bench-busy.example.com", password="x", timezone="Europe/London"
    )
    client = Client()
    client.force_login(asker)

    def http(mentor: User) -> None:
        response = client.get(f"/api/v1/mentors/{mentor.pk}/slots/", {"duration": 30})
        assert response.status_code == 200, response.status_code

    def engine(mentor: User) -> None:
        schedules.slots_for_mentor(
            mentor.pk,
            asker_id=asker.pk,
            start=now,
            end=now + timedelta(days=14),
            duration_minutes=30,
            now=now,
        )

    print(
        f"== 1. Slots of one mentor over 14 days ({repeat} rounds, the variants taking turns), {now:%Y-%m-%d}"
    )
    times: dict[tuple[str, str], list[float]] = {}
    for _round in range(repeat + 3):
        for label, mentor in variants.items():  # in turns, so that the machine's load falls on each alike
            for kind, call in (("GET slots", http), ("loader + engine", engine)):
                started = time.perf_counter()
                call(mentor)
                times.setdefault((kind, label), []).append((time.perf_counter() - started) * 1000)
    medians = {}
    for (kind, label), durations in times.items():
        durations = durations[3:]  # warm-up
        medians[kind, label] = sorted(durations)[len(durations) // 2]
        print(summary(f"{kind}, {label}", durations))
    for label in list(variants)[1:]:
        ratios = ", ".join(
            f"{kind} {medians[kind, label] / medians[kind, 'no busy calendar']:.2f}x"
            for kind in ("GET slots", "loader + engine")
        )
        print(f"  with {label}: {ratios}")
    mentor = variants["no busy calendar"]

    print("== 2. One sync of a 2,000-event calendar with 50 recurring series")
    data = big_calendar(now)
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True
    BusyCalendar.objects.filter(owner=mentor).delete()
    syncs: list[tuple[float, float]] = []
    with calendar_server() as server:
        server.serve("/big.ics", data, etag=None, last_modified=None)  # read in full every time
        calendar = BusyCalendar.objects.create(owner=mentor, url=server.url("/big.ics"))
        for _ in range(max(3, repeat // 4)):
            started_wall, started_cpu = time.perf_counter(), time.process_time()
            synced = services.sync_calendar(calendar_id=calendar.pk, now=now)
            syncs.append(
                ((time.perf_counter() - started_wall) * 1000, (time.process_time() - started_cpu) * 1000)
            )
            assert synced is not None
            assert synced.status == "ok", synced.error_code
        assert synced is not None
        rows = BusyInterval.objects.filter(calendar=calendar).count()
        print(
            f"  file {len(data) / 1024:.0f} KiB: {synced.busy_events} busy events, stored as {rows} intervals"
        )
        print(summary("sync (fetch + read + store), wall time", [wall_ms for wall_ms, _ in syncs]))
        print(summary("sync, CPU time of this process", [cpu for _, cpu in syncs]))
        # What most syncs are: the file has not changed (ETag), 304, the busy times kept.
        server.serve("/big.ics", data)
        services.sync_calendar(calendar_id=calendar.pk, now=now)

        def unchanged() -> None:
            synced = services.sync_calendar(calendar_id=calendar.pk, now=now)
            assert synced is not None
            assert synced.status == "ok", synced.error_code

        print(summary("sync of the unchanged file (304)", timed(unchanged, max(3, repeat // 4))))
        assert server.seen("/big.ics")[-1].headers.get("if-none-match")
    from calendars.busy import busy_intervals

    print(
        summary(
            "read alone (calendars.busy.busy_intervals)",
            timed(
                lambda: busy_intervals(data, zone="Europe/Berlin", start=now, end=now + timedelta(days=60)),
                max(3, repeat // 4),
            ),
        )
    )
    median_wall = sorted(wall_ms for wall_ms, _ in syncs)[len(syncs) // 2] / 1000
    median_cpu = sorted(cpu for _, cpu in syncs)[len(syncs) // 2] / 1000
    print(
        "  2 workers, one 15-minute interval, every file changed: about "
        f"{2 * 15 * 60 / median_cpu:,.0f} such calendars by CPU time, "
        f"{2 * 15 * 60 / median_wall:,.0f} by this run's wall time (1,000 wanted)"
    )
    User.objects.filter(email__endswith="@bench-busy.example.com").delete()


if __name__ == "__main__":
    main()
