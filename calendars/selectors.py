"""Reads of a person's own calendars and the busy time stored from them."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from calendars.errors import error_message
from calendars.models import BusyCalendar, BusyInterval
from marketplace.models import User
from marketplace.profile_sections import ProfileSection
from marketplace.session_data import Commitment

# Read by every slot listing, browse page, match and booking, as sessions_app's busy time is, and with
# hundreds of rows for a full calendar: plain SQL, as sessions_app.selectors does (the ORM's row handling was
# most of the time a listing spent on a 500-event calendar; docs/benchmarks.md).
_BUSY_SQL = (
    'SELECT owner_id, "start", "end" FROM calendars_busyinterval '
    'WHERE owner_id IN ({ids}) AND "start" < %s AND "end" > %s'
)


def calendar_busy(user_ids: Collection[int], start: datetime, end: datetime) -> dict[int, list[Commitment]]:
    """Busy time from each person's own calendars overlapping [start, end): one query, for the slot engine
    (marketplace.session_data's busy provider). Not a session: no key, never against the weekly cap."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_BUSY_SQL.format(ids=", ".join(["%s"] * len(ids))), [*ids, adapt(end), adapt(start)])
        rows = cursor.fetchall()
    found: dict[int, list[Commitment]] = defaultdict(list)
    for owner_id, busy_start, busy_end in rows:
        found[owner_id].append(Commitment(None, _aware(busy_start), _aware(busy_end), as_mentor=False))
    return dict(found)


def _aware(value: datetime) -> datetime:
    """SQLite hands plain SQL naive UTC datetimes; PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def busy_in_own_calendar(user_ids: Collection[int], start: datetime, end: datetime) -> set[int]:
    """Who of these people has busy time from their own calendar overlapping [start, end): one query."""
    return set(
        BusyInterval.objects.filter(owner_id__in=list(user_ids), start__lt=end, end__gt=start)
        .values_list("owner_id", flat=True)
        .distinct()
    )


def calendars_of(owner: User) -> list[BusyCalendar]:
    return list(BusyCalendar.objects.filter(owner=owner))


def calendar_of(owner: User, calendar_id: int) -> BusyCalendar:
    """One of the owner's calendars (BusyCalendar.DoesNotExist for anyone else's)."""
    return BusyCalendar.objects.get(owner=owner, pk=calendar_id)


@dataclass(frozen=True)
class CalendarState:
    """A calendar as its owner's page shows it: never the whole address, the error in words."""

    calendar: BusyCalendar
    error: str

    @property
    def pk(self) -> int:
        return self.calendar.pk


def calendar_states(owner: User) -> list[CalendarState]:
    return [
        CalendarState(calendar, error_message(calendar.error_code, calendar.error_detail))
        for calendar in calendars_of(owner)
    ]


def profile_section(user: User, now: datetime) -> ProfileSection:
    """The profile page's section: the person's calendars, each with its state, and the form to add one."""
    from calendars.forms import AddCalendarForm

    return ProfileSection(
        "calendars/_busy_calendars.html", {"calendars": calendar_states(user), "form": AddCalendarForm()}
    )
