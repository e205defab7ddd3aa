"""The ICS files Sidebar writes, read by real calendar clients: Mozilla's ical.js (Thunderbird, through
scripts/read-ics.mjs and node) and the icalendar library installed here (the version pyproject allows)."""

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from icalendar import Calendar, vDuration

REPOSITORY = Path(__file__).resolve().parent.parent
READER = REPOSITORY / "scripts" / "read-ics.mjs"


class UnreadableCalendar(AssertionError):
    pass


def read_with_ical_js(ics: bytes) -> dict:
    """What ical.js shows for the file: the calendar's METHOD and durations, and each event with its start
    and end as UTC instants (see scripts/read-ics.mjs). Raises UnreadableCalendar with ical.js's complaint."""
    node = shutil.which("node")
    if node is None:
        raise UnreadableCalendar("node is not on PATH: the calendar tests read ICS with node and ical.js")
    if not (REPOSITORY / "node_modules" / "ical.js" / "package.json").exists():
        raise UnreadableCalendar("ical.js is not installed: `make assets` (npm ci) installs it")
    result = subprocess.run(
        [node, str(READER)], input=ics, capture_output=True, cwd=REPOSITORY, timeout=60, check=False
    )
    if result.returncode != 0:
        raise UnreadableCalendar(result.stderr.decode() or f"read-ics.mjs exited {result.returncode}")
    return json.loads(result.stdout)


def utc(value: str) -> datetime:
    """An instant as read-ics.mjs prints it (2027-03-16T14:00:00Z)."""
    return datetime.fromisoformat(value).astimezone(UTC)


@dataclass(frozen=True)
class IcalendarEvent:
    uid: str
    start: datetime
    end: datetime
    tzid: str | None


def read_with_icalendar(ics: bytes) -> tuple[Calendar, list[IcalendarEvent]]:
    """The file parsed by the installed icalendar, every event's instants read through its VTIMEZONE."""
    calendar = Calendar.from_ical(ics)
    events = [
        IcalendarEvent(
            uid=str(event["UID"]),
            start=event.decoded("DTSTART"),
            end=event.decoded("DTEND"),
            tzid=event["DTSTART"].params.get("TZID"),
        )
        for event in calendar.walk("VEVENT")
    ]
    return calendar, events


def duration_of(calendar: Calendar, name: str):
    """A calendar property read as a duration, whether this icalendar types it (7) or keeps it as text (6)."""
    value = calendar[name].to_ical()
    return vDuration.from_ical(value.decode() if isinstance(value, bytes) else value)
