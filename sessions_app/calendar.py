"""iCalendar output: one session (email attachment, download) and the personal feed.

Times carry the RECIPIENT's zone as TZID with its VTIMEZONE, so every calendar shows them at the right
instant and the invite reads naturally for that person. UID never changes; SEQUENCE rises with every change.
"""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Component, Event, Timezone, vCalAddress, vDuration, vText

from marketplace.i18n import language_of
from marketplace.models import User
from marketplace.timezones import get_zone
from sessions_app.models import Booking

PRODID = "-//Sidebar//Sidebar sessions//EN"
METHOD_REQUEST = "REQUEST"
METHOD_PUBLISH = "PUBLISH"
METHOD_CANCEL = "CANCEL"
FEED_REFRESH_INTERVAL = timedelta(hours=1)


def booking_ics(booking: Booking, *, recipient: User, method: str | None = None) -> bytes:
    """One session as an iCalendar object; METHOD:CANCEL for a cancelled session, else `method` (REQUEST)."""
    if booking.status == Booking.Status.CANCELLED:
        method = METHOD_CANCEL
    calendar = _calendar(method or METHOD_REQUEST)
    calendar.add_component(_event(booking, recipient=recipient))
    _add_timezones(calendar, [(booking.start, booking.end)])
    return calendar.to_ical()


def feed_ics(user: User, bookings: Iterable[Booking], events: Iterable["CalendarEvent"] = ()) -> bytes:
    """The personal feed: every session given, and `events` of the apps above (the group sessions the person
    hosts or has a seat in), all in the person's zone (METHOD:PUBLISH)."""
    bookings, events = list(bookings), list(events)
    calendar = _calendar(METHOD_PUBLISH)
    with translation.override(language_of(user)):
        calendar.add("x-wr-calname", gettext("Sidebar sessions"))
    calendar.add("x-wr-timezone", user_zone_name(user))
    # RFC 7986's REFRESH-INTERVAL and Outlook's X-PUBLISHED-TTL, both durations (PT1H). A bare timedelta would
    # be written as text by icalendar 6 ("1:00:00"), which ical.js and icalendar 7 refuse with the whole feed.
    calendar.add("refresh-interval", vDuration(FEED_REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH_INTERVAL))
    for booking in bookings:
        calendar.add_component(_event(booking, recipient=user))
    zone = get_zone(user_zone_name(user))
    for event in events:
        calendar.add_component(_other_event(event, zone))
    _add_timezones(
        calendar,
        [(booking.start, booking.end) for booking in bookings]
        + [(event.start, event.end) for event in events],
    )
    return calendar.to_ical()


@dataclass(frozen=True)
class CalendarEvent:
    """An event that is not a booking (a group session), as an app above sessions_app describes it: written
    with the same rules as a booking's (the recipient's zone and VTIMEZONE, UTC for a repeated hour)."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    created: datetime
    modified: datetime | None
    summary: str
    description: str
    location: str
    url: str
    cancelled: bool
    attendees: tuple[User, ...]


# The feed's events from apps above sessions_app (groups registers its sessions in GroupsConfig.ready): each
# provider takes the person and now and answers, in one query, the events of that person's feed, its texts in
# the active language (the feed's reader's).
FeedEventsProvider = Callable[[User, datetime], Iterable[CalendarEvent]]
_feed_events_providers: list[FeedEventsProvider] = []


def register_feed_events_provider(provider: FeedEventsProvider) -> None:
    if provider not in _feed_events_providers:
        _feed_events_providers.append(provider)


def feed_events(user: User, *, now: datetime) -> list[CalendarEvent]:
    """The events of the registered providers for `user`'s feed, written in their language."""
    with translation.override(language_of(user)):
        return [event for provider in _feed_events_providers for event in provider(user, now)]


def event_ics(event: CalendarEvent, *, recipient: User, method: str) -> bytes:
    """One event as an iCalendar object; METHOD:CANCEL for a cancelled one, else `method`."""
    calendar = _calendar(METHOD_CANCEL if event.cancelled else method)
    calendar.add_component(_other_event(event, get_zone(user_zone_name(recipient))))
    _add_timezones(calendar, [(event.start, event.end)])
    return calendar.to_ical()


def _other_event(event: CalendarEvent, zone: tzinfo) -> Event:
    component = Event()
    component.add("uid", event.uid)
    component.add("sequence", event.sequence)
    component.add("dtstamp", timezone.now())
    component.add("created", event.created)
    if event.modified:
        component.add("last-modified", event.modified)
    component.add("dtstart", _wall_clock(event.start, zone))
    component.add("dtend", _wall_clock(event.end, zone))
    component.add("summary", event.summary)
    component.add("description", event.description)
    component.add("location", event.location)
    component.add("url", event.url)
    component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    component.add("transp", "OPAQUE")
    component.add("organizer", _organizer())
    for person in event.attendees:
        component.add("attendee", _attendee(person), encode=False)
    return component


def _attendee(person: User) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = vText(person.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    return attendee


def session_url(booking: Booking) -> str:
    return settings.SITE_URL + reverse("session-detail", args=[booking.pk])


def feed_url(user: User) -> str:
    return settings.SITE_URL + reverse("calendar-feed", args=[user.calendar_token])


def user_zone_name(user: User) -> str:
    try:
        get_zone(user.timezone)
    except ValueError:
        return "UTC"
    return user.timezone


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _event(booking: Booking, *, recipient: User) -> Event:
    zone = get_zone(user_zone_name(recipient))
    other = booking.mentee if recipient.pk == booking.mentor_id else booking.mentor
    link = session_url(booking)
    event = Event()
    event.add("uid", booking.ical_uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", timezone.now())
    event.add("created", booking.created_at)
    if booking.updated_at:
        event.add("last-modified", booking.updated_at)
    event.add("dtstart", _wall_clock(booking.start, zone))
    event.add("dtend", _wall_clock(booking.end, zone))
    with translation.override(language_of(recipient)):  # the texts in the language of whoever reads them
        summary = gettext("Sidebar: %(duration)s min with %(name)s") % {
            "duration": booking.duration,
            "name": other.name,
        }
        description = _description(booking, link)
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", booking.meeting_url)
    event.add("url", link)
    event.add("status", "CANCELLED" if booking.status == Booking.Status.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _organizer())
    for person in (booking.mentor, booking.mentee):
        event.add("attendee", _attendee(person), encode=False)
    return event


def _description(booking: Booking, link: str) -> str:
    """What the session is about (the topic, and the context of the request it answers: what the mentor needs
    to prepare) and where it happens."""
    request = booking.request if booking.request_id else None
    values = {"topic": booking.topic, "meeting_url": booking.meeting_url, "link": link}
    in_series = f"{booking.series_place}\n\n" if booking.series_id else ""
    if request is not None and request.context:
        return in_series + gettext(
            "Topic: %(topic)s\n\nContext: %(context)s\n\nJoin: %(meeting_url)s\nSession page: %(link)s"
        ) % {**values, "context": request.context}
    return in_series + gettext("Topic: %(topic)s\n\nJoin: %(meeting_url)s\nSession page: %(link)s") % values


def _wall_clock(instant: datetime, zone: tzinfo) -> datetime:
    """The instant in the recipient's zone, or in UTC when that wall-clock time happens twice (the hour the
    clocks go back): RFC 5545 reads such a time as the first occurrence, ical.js as the second, so only UTC
    is read the same everywhere."""
    local = instant.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return instant.astimezone(UTC)
    return local


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'sidebar@example.com'}")
    organizer.params["cn"] = vText(name or "Sidebar")
    return organizer


def _add_timezones(calendar: Calendar, spans: list[tuple[datetime, datetime]]) -> None:
    """VTIMEZONEs for the zones used, covering every session (start, end) in the file with a year either
    side (not 1970-2038: that is kilobytes each), placed before the events as clients reading in one pass
    expect."""
    if not spans:
        return
    first_year = max(min(start for start, _ in spans).year - 1, 1970)
    last_year = max(end for _, end in spans).year + 1
    zones = [_vtimezone(tzid, first_year, last_year) for tzid in sorted(calendar.get_missing_tzids())]
    calendar.subcomponents[:0] = [zone for zone in zones if zone is not None]


@functools.lru_cache(maxsize=512)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone | None:
    """One zone's VTIMEZONE over whole years. Built once per process: working out a zone's transitions
    costs milliseconds, and every invite needs one or two (the component is only read once built)."""
    try:
        zone = Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31))
    except ValueError:  # a zone icalendar does not know: the TZID alone must do
        return None
    for observance in zone.subcomponents:
        _one_rdate_per_line(observance)
    return zone


def _one_rdate_per_line(observance: Component) -> None:
    """icalendar lists an observance's later onsets in one RDATE (RDATE:20260308T030000,20270314T030000,…);
    ical.js (Thunderbird) reads only the first value of each RDATE and would apply last year's offset to
    every session after it. One RDATE per onset reads the same everywhere (RFC 5545 allows either)."""
    rdates = observance.get("RDATE")
    if rdates is None:
        return
    onsets = [onset.dt for line in (rdates if isinstance(rdates, list) else [rdates]) for onset in line.dts]
    del observance["RDATE"]
    for onset in onsets:
        observance.add("RDATE", onset)
