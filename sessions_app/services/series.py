"""A short series with one mentor (docs/api.md "A short series with one mentor"): booking 2–4 sessions at
once, all or none, and cancelling a session together with the later ones of its series.

Each session of a series is a booking like any other, booked by `bookings.book_session` inside one
transaction: the same locks (taken by the first and held to the end), the same re-check by the slot engine,
which sees the sessions of the series booked before it (the weekly cap, buffers), the same messages. One
refusal undoes them all.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext

from marketplace.api_fields import iso_utc
from marketplace.errors import Conflict, InvalidInput
from marketplace.instants import NAIVE
from marketplace.models import MentorProfile, User
from marketplace.timezones import every_few_weeks, get_zone
from sessions_app.models import CANCEL_SCOPES, SERIES_COUNTS, SERIES_EVERY_WEEKS, Booking, BookingSeries
from sessions_app.services.bookings import SLOT_UNAVAILABLE, book_session, cancel_booking


@dataclass(frozen=True, slots=True)
class Repeat:
    """How a booking repeats: `count` sessions in all (2–4), `every_weeks` weeks apart (1 or 2)."""

    count: int
    every_weeks: int


def series_starts(first: datetime, zone_name: str, repeat: Repeat) -> list[datetime]:
    """The starts of a series in UTC: `first`, then every `every_weeks` weeks at the wall-clock time `first`
    shows in the mentor's availability zone (so 14:00 stays 14:00 across a DST change)."""
    return [
        start.astimezone(UTC)
        for start in every_few_weeks(
            first, get_zone(zone_name), count=repeat.count, every_weeks=repeat.every_weeks
        )
    ]


@transaction.atomic
def book_series(
    *,
    mentee: User,
    mentor: User,
    start: datetime,
    minutes: int,
    topic: str,
    repeat: Repeat,
    request_id: int | None = None,
    now: datetime | None = None,
) -> list[Booking]:
    """Books `repeat.count` sessions, the first at `start`, or none: a time that is not bookable raises
    Conflict("slot_unavailable") with `start` (UTC) in its details, the first such time, and nothing stays
    stored. Every session answers `request_id` when given."""
    now = now or timezone.now()
    if repeat.count not in SERIES_COUNTS:
        raise InvalidInput("repeat", gettext("A series has 2 to 4 sessions."))
    if repeat.every_weeks not in SERIES_EVERY_WEEKS:
        raise InvalidInput("repeat", gettext("A series repeats every week or every other week."))
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput("start", NAIVE)
    zone_name = (
        MentorProfile.objects.filter(user_id=mentor.pk)
        .values_list("availability_timezone", flat=True)
        .first()
    )
    starts = series_starts(start, zone_name or "UTC", repeat)
    series = BookingSeries.objects.create(
        mentor=mentor, mentee=mentee, count=repeat.count, every_weeks=repeat.every_weeks, created_at=now
    )
    booked = []
    for position, when in enumerate(starts, start=1):
        try:
            booked.append(
                book_session(
                    mentee=mentee,
                    mentor=mentor,
                    start=when,
                    minutes=minutes,
                    topic=topic,
                    request_id=request_id,
                    now=now,
                    series=series,
                    series_position=position,
                )
            )
        except Conflict as refusal:
            if refusal.code != SLOT_UNAVAILABLE:
                raise
            raise Conflict(
                SLOT_UNAVAILABLE,
                gettext(
                    "Session %(position)s of %(count)s, on %(when)s, cannot be booked, so none of the series "
                    "was: %(reason)s"
                )
                % {
                    "position": position,
                    "count": repeat.count,
                    "when": formats.date_format(timezone.localtime(when), gettext("l j F Y, H:i")),
                    "reason": refusal.message,
                },
                start=iso_utc(when),
            ) from refusal
    return booked


def book_once_or_series(
    *,
    mentee: User,
    mentor: User,
    start: datetime,
    minutes: int,
    topic: str,
    request_id: int | None = None,
    repeat: Repeat | None = None,
) -> list[Booking]:
    """One session (`bookings.book_session`), or with `repeat` a series (`book_series`): what was booked,
    soonest first."""
    if repeat is None:
        return [
            book_session(
                mentee=mentee, mentor=mentor, start=start, minutes=minutes, topic=topic, request_id=request_id
            )
        ]
    return book_series(
        mentee=mentee,
        mentor=mentor,
        start=start,
        minutes=minutes,
        topic=topic,
        repeat=repeat,
        request_id=request_id,
    )


THIS, LATER = CANCEL_SCOPES


@transaction.atomic
def cancel_sessions(
    *, booking: Booking, by: User, reason: str, scope: str = THIS, now: datetime | None = None
) -> list[Booking]:
    """Cancels the session (as `bookings.cancel_booking` does), and with `scope` LATER every later confirmed
    session of its series too, each with its own cancellation and METHOD:CANCEL; outside a series, the
    session alone. Sessions of the series before it, or already held, stay as they are. Returns what was
    cancelled, this session first."""
    now = now or timezone.now()
    first = cancel_booking(booking=booking, by=by, reason=reason, now=now)
    if scope != LATER or first.series_id is None:
        return [first]
    # The people's rows are locked by the cancel above until the end: nobody changes the series meanwhile.
    later = Booking.objects.filter(
        series_id=first.series_id, status=Booking.Status.CONFIRMED, start__gt=first.start
    ).order_by("start", "pk")
    return [first] + [cancel_booking(booking=session, by=by, reason=reason, now=now) for session in later]
