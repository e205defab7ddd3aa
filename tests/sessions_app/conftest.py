"""Fixtures of the sessions tests: a mentor who can be booked around the clock."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from marketplace.models import AvailabilityBlock, MentorProfile
from tests.factories import BookingFactory


@pytest.fixture
def open_mentor(mentor):
    """The mentor persona (Europe/Berlin; no notice, no buffer, 600 min a week), available all day, daily."""
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0, 0), end=time(23, 50))
        for weekday in range(7)
    )
    return mentor


@pytest.fixture
def utc_mentor(open_mentor):
    """The open mentor with availability in UTC: a week later is the same UTC time whatever the date the
    tests run on (the series tests; their DST tests use zones that change)."""
    MentorProfile.objects.filter(user=open_mentor).update(availability_timezone="UTC")
    return open_mentor


@pytest.fixture
def as_mentee(client, mentee):
    """The browser client, signed in as the mentee."""
    client.force_login(mentee)
    return client


@pytest.fixture
def someone_elses_booking(mentee, open_mentor):
    """A session of the mentee with the open mentor that started two hours ago (others get 404 for it)."""
    return BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(hours=2))
