"""Fixtures of the sessions tests: a mentor who can be booked around the clock."""

from datetime import time

import pytest

from marketplace.models import AvailabilityBlock


@pytest.fixture
def open_mentor(mentor):
    """The mentor persona (Europe/Berlin; no notice, no buffer, 600 min a week), available all day, daily."""
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0, 0), end=time(23, 50))
        for weekday in range(7)
    )
    return mentor
