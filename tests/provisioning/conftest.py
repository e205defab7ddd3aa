"""Fixtures of the provisioning tests: a SCIM client with the token configured."""

from datetime import time

import pytest

from marketplace.models import AvailabilityBlock
from tests.provisioning.scim_client import TOKEN, ScimClient


@pytest.fixture
def scim(client, settings, db):
    settings.SCIM_TOKEN = TOKEN
    settings.SITE_URL = "https://sidebar.example.com"
    return ScimClient(client)


@pytest.fixture
def bookable(mentor):
    """The mentor persona (no notice, no buffer), available all day, every day."""
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0, 0), end=time(23, 50))
        for weekday in range(7)
    )
    return mentor
