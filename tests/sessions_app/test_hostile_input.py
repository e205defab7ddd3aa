"""Bookings, moments and the booking page given times at the calendar's ends or text that cannot be stored:
a 400 naming the field, nothing stored or moved (the class test: tests/marketplace/test_hostile_input.py)."""

from datetime import UTC, datetime

import pytest

from marketplace.errors import InvalidInput
from marketplace.instants import OUT_OF_RANGE
from marketplace.text import UNSTORABLE_MESSAGE
from sessions_app.models import Booking, Moment
from sessions_app.services.bookings import book_session
from tests.factories import BookingFactory
from tests.sessions_app.helpers import BOOKINGS, payload, slot

CALENDAR_ENDS = ["9999-12-31T23:50:00Z", "9999-12-31T23:59:00+00:00", "0001-01-01T00:00:00+14:00"]


@pytest.mark.parametrize("start", CALENDAR_ENDS)
def test_booking_at_the_calendars_ends_is_a_400_on_start(api_as, mentee, open_mentor, start):
    response = api_as(mentee).post(BOOKINGS, payload(open_mentor, start=start), format="json")

    assert response.status_code == 400
    assert response.json() == {"start": [OUT_OF_RANGE]}
    assert not Booking.objects.exists()


@pytest.mark.parametrize("start", CALENDAR_ENDS)
def test_rescheduling_to_the_calendars_ends_is_a_400_and_moves_nothing(api_as, mentee, open_mentor, start):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot())

    response = api_as(mentee).post(f"{BOOKINGS}{booking.pk}/reschedule/", {"start": start}, format="json")

    assert response.status_code == 400
    assert response.json() == {"start": [OUT_OF_RANGE]}
    booking.refresh_from_db()
    assert (booking.start, booking.sequence) == (slot(), 0)


def test_the_booking_service_refuses_a_start_outside_the_supported_range(mentee, open_mentor):
    with pytest.raises(InvalidInput) as refused:
        book_session(
            mentee=mentee,
            mentor=open_mentor,
            start=datetime(9999, 12, 31, 23, 50, tzinfo=UTC),
            minutes=30,
            topic="x",
        )

    assert refused.value.field == "start"
    assert not Booking.objects.exists()


def test_a_lone_surrogate_as_a_moments_kind_is_a_400_that_does_not_echo_it(api_as, mentee):
    response = api_as(mentee).post(
        "/api/v1/moments/", data='{"kind": "\\ud800", "note": "A tip"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"kind": [UNSTORABLE_MESSAGE]}
    assert not Moment.objects.exists()


@pytest.mark.parametrize("start", CALENDAR_ENDS)
def test_the_booking_page_at_the_calendars_ends_says_so(client, mentee, open_mentor, start):
    client.force_login(mentee)

    shown = client.get("/sessions/book/", {"mentor": open_mentor.pk, "start": start})
    posted = client.post(
        "/sessions/book/", {"mentor": open_mentor.pk, "start": start, "duration": "30", "topic": "Board deck"}
    )

    assert shown.status_code == posted.status_code == 400
    assert OUT_OF_RANGE.encode() in shown.content
    assert not Booking.objects.exists()
