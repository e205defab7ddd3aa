"""Fixtures of the matching tests: a frozen Monday, skills, and mentors who can be booked."""

from datetime import UTC, datetime, time

import pytest
import time_machine

from marketplace import session_data
from marketplace.models import AvailabilityBlock, UserSkill
from tests.factories import MentorFactory, SkillFactory

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 08:00 UTC


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Factories hash a password per person; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen_monday():
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY


@pytest.fixture
def speaking(db):
    return SkillFactory(name="Public speaking", slug="public-speaking")


@pytest.fixture
def storytelling(db):
    return SkillFactory(name="Storytelling", slug="storytelling")


@pytest.fixture
def make_mentor(db):
    """A mentor (London, no notice or buffer, 600 min a week) with skills and 09:00–17:00 on weekdays."""

    def make(*, skills=(), hours=(time(9), time(17)), weekdays=range(5), **fields):
        fields.setdefault("timezone", "Europe/London")
        mentor = MentorFactory(**fields)
        UserSkill.objects.bulk_create(
            UserSkill(user=mentor, skill=skill, level=level) for skill, level in skills
        )
        AvailabilityBlock.objects.bulk_create(
            AvailabilityBlock(mentor=mentor, weekday=weekday, start=hours[0], end=hours[1])
            for weekday in weekdays
        )
        return mentor

    return make


@pytest.fixture
def track_records():
    """Registers a track-record provider serving what the test puts in the returned dict."""
    records: dict[int, session_data.TrackRecord] = {}

    def provider(mentor_ids, since):
        return {mentor_id: records[mentor_id] for mentor_id in mentor_ids if mentor_id in records}

    session_data._track_record_providers.append(provider)
    yield records
    session_data._track_record_providers.remove(provider)
