from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from sessions_app import calendar
from sessions_app.models import Booking
from sessions_app.services.bookings import (
    book_session,
    cancel_booking,
    reschedule_booking,
    rotate_calendar_token,
)
from tests.factories import BookingFactory, MentorFactory, UserFactory
from tests.sessions_app.helpers import slot


@pytest.fixture
def far_apart(db):
    """A mentee in New York and a mentor in Sydney, booked on a date after New York's 2027 spring-forward."""
    mentee = UserFactory(display_name="Nia New York", timezone="America/New_York")
    mentor = MentorFactory(display_name="Sam Sydney", timezone="Australia/Sydney")
    start = datetime(2027, 3, 16, 14, 0, tzinfo=UTC)  # 10:00 EDT, 01:00 AEDT the next day
    return BookingFactory(mentor=mentor, mentee=mentee, start=start, duration=30, topic="Salary talk")


def parse(ics: bytes):
    parsed = Calendar.from_ical(ics)
    events = parsed.walk("VEVENT")
    assert len(events) == 1
    return parsed, events[0]


def test_the_mentees_invite_shows_new_york_wall_clock_time_at_the_right_instant(far_apart):
    parsed, event = parse(calendar.booking_ics(far_apart, recipient=far_apart.mentee))

    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert (start.hour, start.minute, end.hour, end.minute) == (10, 0, 10, 30)
    assert (start, end) == (far_apart.start, far_apart.end)
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["America/New_York"]
    assert str(parsed["METHOD"]) == "REQUEST"


def test_the_mentors_invite_shows_sydney_time_on_the_next_day_at_the_same_instant(far_apart):
    _, event = parse(calendar.booking_ics(far_apart, recipient=far_apart.mentor))

    start = event.decoded("dtstart")
    assert event["dtstart"].params["TZID"] == "Australia/Sydney"
    assert (start.day, start.hour) == (17, 1)
    assert start == far_apart.start


def test_the_vtimezone_carries_the_offsets_so_clients_without_the_tz_database_agree(far_apart):
    parsed, _ = parse(calendar.booking_ics(far_apart, recipient=far_apart.mentee))

    zone = parsed.walk("VTIMEZONE")[0]
    offsets = {
        str(part.name): part["TZOFFSETTO"].td for part in zone.walk() if part.name in ("STANDARD", "DAYLIGHT")
    }
    assert offsets == {"STANDARD": timedelta(hours=-5), "DAYLIGHT": timedelta(hours=-4)}


def test_the_event_names_both_people_the_topic_and_the_meeting_link(far_apart):
    _, event = parse(calendar.booking_ics(far_apart, recipient=far_apart.mentee))

    assert "Sam Sydney" in str(event["SUMMARY"])
    assert "Salary talk" in str(event["DESCRIPTION"])
    assert far_apart.meeting_url in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == far_apart.meeting_url
    assert str(event["URL"]).endswith(f"/sessions/{far_apart.pk}/")
    attendees = sorted(str(address) for address in event["ATTENDEE"])
    assert attendees == sorted(f"mailto:{p.email}" for p in (far_apart.mentor, far_apart.mentee))
    assert str(event["ORGANIZER"]).startswith("mailto:")


def test_uid_stays_and_sequence_rises_through_reschedule_and_cancel(mentee, open_mentor):
    booking = book_session(mentee=mentee, mentor=open_mentor, start=slot(), minutes=30, topic="Plan")
    _, booked = parse(calendar.booking_ics(booking, recipient=mentee))

    moved = reschedule_booking(booking=booking, by=mentee, start=slot(days=4))
    _, rescheduled = parse(calendar.booking_ics(moved, recipient=mentee))
    cancelled = cancel_booking(booking=moved, by=mentee, reason="Sorted")
    parsed, gone = parse(calendar.booking_ics(cancelled, recipient=mentee))

    assert str(booked["UID"]) == str(rescheduled["UID"]) == str(gone["UID"]) == f"{booking.uid}@sidebar"
    assert [int(event["SEQUENCE"]) for event in (booked, rescheduled, gone)] == [0, 1, 2]
    assert rescheduled.decoded("dtstart") == slot(days=4)
    assert str(parsed["METHOD"]) == "CANCEL"
    assert str(gone["STATUS"]) == "CANCELLED"


def test_the_download_endpoint_uses_publish_and_the_viewers_zone(api_as, far_apart):
    response = api_as(far_apart.mentor).get(f"/api/v1/bookings/{far_apart.pk}/ics/")

    parsed, event = parse(response.content)
    assert str(parsed["METHOD"]) == "PUBLISH"
    assert event.decoded("dtstart").tzinfo == ZoneInfo("Australia/Sydney")


def test_the_feed_serves_confirmed_sessions_without_login_in_the_persons_zone(
    client, mentee, outsider, open_mentor
):
    taken = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(days=2))
    given = BookingFactory(mentor=mentee, mentee=outsider, start=slot(days=3))
    BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(days=4), status=Booking.Status.CANCELLED)
    BookingFactory(mentor=open_mentor, mentee=outsider, start=slot(days=5))

    response = client.get(f"/calendar/{mentee.calendar_token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    uids = {str(event["UID"]) for event in parsed.walk("VEVENT")}
    assert uids == {taken.ical_uid, given.ical_uid}
    assert {event["DTSTART"].params["TZID"] for event in parsed.walk("VEVENT")} == {"Europe/London"}


def test_rotating_the_feed_makes_the_old_url_404(client, mentee):
    old = f"/calendar/{mentee.calendar_token}.ics"
    assert client.get(old).status_code == 200

    rotate_calendar_token(user=mentee)

    assert client.get(old).status_code == 404
    assert client.get(f"/calendar/{mentee.calendar_token}.ics").status_code == 200


def test_a_made_up_token_is_404(client, db):
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_the_feed_needs_a_fixed_number_of_queries(
    client, mentee, open_mentor, django_assert_max_num_queries, django_assert_num_queries
):
    feed = f"/calendar/{mentee.calendar_token}.ics"
    for day in range(1, 3):
        BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(days=day))
    # The person, their bookings, and one query per feed events provider (groups: their group sessions).
    with django_assert_max_num_queries(3) as few:
        assert client.get(feed).content.count(b"BEGIN:VEVENT") == 2
    for day in range(3, 15):
        BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(days=day))

    with django_assert_num_queries(len(few)):
        response = client.get(feed)

    assert response.content.count(b"BEGIN:VEVENT") == 14


def test_feed_keeps_recently_held_sessions_but_not_old_ones(client, mentee, open_mentor):
    recent = BookingFactory(
        mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(days=3), status="completed"
    )
    BookingFactory(
        mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(days=90), status="completed"
    )

    parsed = Calendar.from_ical(client.get(f"/calendar/{mentee.calendar_token}.ics").content)

    assert [str(event["UID"]) for event in parsed.walk("VEVENT")] == [recent.ical_uid]
