"""Fixtures of the calendar tests: a running calendar server, the setting that lets Sidebar fetch from it,
and the moment the files were written for (Monday 2 March 2026, 00:00 UTC)."""

import pytest
import time_machine

from tests.calendar_server import calendar_server
from tests.calendars.ics_files import WINDOW_START


@pytest.fixture
def server():
    with calendar_server() as running:
        yield running


@pytest.fixture
def allow_private(settings):
    """CALENDAR_FETCH_ALLOW_PRIVATE on: the local server (127.0.0.1, plain http) may be fetched."""
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True


@pytest.fixture
def march():
    """Monday 2 March 2026, 00:00 UTC, standing still: the 60 days the files were written for start now."""
    with time_machine.travel(WINDOW_START, tick=False):
        yield WINDOW_START
