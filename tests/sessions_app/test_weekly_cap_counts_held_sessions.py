"""The weekly minute budget counts the sessions a mentor already held or was stood up for this week, not only
the ones still to come: once the sweep marks Monday's session completed, its minutes are still spent."""

from datetime import UTC, datetime

import pytest
import time_machine

from marketplace.models import MentorProfile
from sessions_app.models import Booking
from tests.factories import BookingFactory, UserFactory
from tests.sessions_app.helpers import BOOKINGS, z

WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Berlin: 13:00, the week of Mon 23 Nov
THURSDAY_TEN = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def capped_mentor(open_mentor):
    MentorProfile.objects.filter(user=open_mentor).update(weekly_minutes_cap=60)
    return open_mentor


def slots_this_week(client, mentor) -> list[str]:
    # To Monday 30 Nov 00:00 in Berlin, the mentor's zone: where their next week (and budget) begins.
    query = {"start": z(WEDNESDAY_NOON), "end": "2026-11-29T23:00:00Z", "duration": 30}
    response = client.get(f"/api/v1/mentors/{mentor.pk}/slots/", query)
    assert response.status_code == 200
    return [slot["start"] for slot in response.json()["slots"]]


@pytest.mark.parametrize("past_status", [Booking.Status.COMPLETED, Booking.Status.NO_SHOW])
def test_sessions_held_this_week_use_up_the_budget(api_as, mentee, capped_mentor, past_status):
    others = UserFactory(), UserFactory()
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        for day, other in zip((23, 24), others, strict=True):
            start = datetime(2026, 11, day, 9, 0, tzinfo=UTC)
            BookingFactory(mentor=capped_mentor, mentee=other, start=start, status=past_status)
        client = api_as(mentee)

        assert slots_this_week(client, capped_mentor) == []
        booking = {"mentor": capped_mentor.pk, "start": z(THURSDAY_TEN), "duration": 30, "topic": "Deck"}
        refused = client.post(BOOKINGS, booking, format="json")
        assert refused.status_code == 409
        assert refused.json()["code"] == "slot_unavailable"

        Booking.objects.filter(mentor=capped_mentor).update(status=Booking.Status.CANCELLED)
        assert z(THURSDAY_TEN) in slots_this_week(client, capped_mentor)
        assert client.post(BOOKINGS, booking, format="json").status_code == 201
