"""iCalendar output: one session (email attachment, download) and the personal feed.

Times carry the RECIPIENT's zone as TZID with its VTIMEZONE, so every calendar shows them at the right
instant and the invite reads naturally for that person. UID never changes; SEQUENCE rises with every change.
"""

import functools
from collections.abc import Iterable
from datetime import date, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from marketplace.i18n import language_of
from marketplace.models import User
from marketplace.timezones import get_zone
from sessions_app.models import Booking

PRODID = "-//Sidebar//Sidebar sessions//EN"
METHOD_REQUEST = "REQUEST"
METHOD_PUBLISH = "PUBLISH"
METHOD_CANCEL = "CANCEL"


def booking_ics(booking: Booking, *, recipient: User, method: str | None = None) -> bytes:
    """One session as an iCalendar object; METHOD:CANCEL for a cancelled session, else `method` (REQUEST)."""
    if booking.status == Booking.Status.CANCELLED:
        method = METHOD_CANCEL
    calendar = _calendar(method or METHOD_REQUEST)
    calendar.add_component(_event(booking, recipient=recipient))
    _add_timezones(calendar, [booking])
    return calendar.to_ical()


def feed_ics(user: User, bookings: Iterable[Booking]) -> bytes:
    """The personal feed: every session given, all in the person's zone (METHOD:PUBLISH)."""
    bookings = list(bookings)
    calendar = _calendar(METHOD_PUBLISH)
    with translation.override(language_of(user)):
        calendar.add("x-wr-calname", gettext("Sidebar sessions"))
    calendar.add("x-wr-timezone", user_zone_name(user))
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for booking in bookings:
        calendar.add_component(_event(booking, recipient=user))
    _add_timezones(calendar, bookings)
    return calendar.to_ical()


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
    event.add("dtstart", booking.start.astimezone(zone))
    event.add("dtend", booking.end.astimezone(zone))
    with translation.override(language_of(recipient)):  # the texts in the language of whoever reads them
        summary = gettext("Sidebar: %(duration)s min with %(name)s") % {
            "duration": booking.duration,
            "name": other.name,
        }
        description = gettext("Topic: %(topic)s\n\nJoin: %(meeting_url)s\nSession page: %(link)s") % {
            "topic": booking.topic,
            "meeting_url": booking.meeting_url,
            "link": link,
        }
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", booking.meeting_url)
    event.add("url", link)
    event.add("status", "CANCELLED" if booking.status == Booking.Status.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _organizer())
    for person in (booking.mentor, booking.mentee):
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", attendee, encode=False)
    return event


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'sidebar@example.com'}")
    organizer.params["cn"] = vText(name or "Sidebar")
    return organizer


def _add_timezones(calendar: Calendar, bookings: list[Booking]) -> None:
    """VTIMEZONEs for the zones used, covering the sessions' years and one either side (not 1970-2038: that
    is kilobytes each)."""
    if not bookings:
        return
    first_year = max(min(booking.start for booking in bookings).year - 1, 1970)
    last_year = max(booking.end for booking in bookings).year + 1
    for tzid in sorted(calendar.get_missing_tzids()):
        component = _vtimezone(tzid, first_year, last_year)
        if component is not None:
            calendar.add_component(component)


@functools.lru_cache(maxsize=512)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone | None:
    """One zone's VTIMEZONE over whole years. Built once per process: working out a zone's transitions
    costs milliseconds, and every invite needs one or two (the component is only read once built)."""
    try:
        return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31))
    except ValueError:  # a zone icalendar does not know: the TZID alone must do
        return None
