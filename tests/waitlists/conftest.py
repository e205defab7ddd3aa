"""A full mentor on a frozen Monday: one weekly block on Tuesday 10:00-11:00 UTC, booked by two colleagues
(10:00 and 10:30), so nothing is free before Wednesday evening."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from marketplace.models import AvailabilityBlock
from sessions_app.models import Booking
from tests.factories import BookingFactory, MentorFactory, UserFactory

MONDAY = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # a Monday
TUESDAY_10 = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)
TUESDAY_1030 = TUESDAY_10 + timedelta(minutes=30)
WEDNESDAY_EVENING = datetime(2027, 3, 3, 17, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def full_mentor(db, frozen):
    mentor = MentorFactory(timezone="UTC", display_name="Fiona Full")
    AvailabilityBlock.objects.create(mentor=mentor, weekday=1, start=time(10), end=time(11))
    return mentor


@pytest.fixture
def bookings(full_mentor) -> list[Booking]:
    return [
        BookingFactory(mentor=full_mentor, mentee=UserFactory(), start=start, duration=30)
        for start in (TUESDAY_10, TUESDAY_1030)
    ]
