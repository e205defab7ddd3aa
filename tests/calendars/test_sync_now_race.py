"""Two "sync now" presses at the same moment fetch the calendar once: the claim is one UPDATE (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from calendars.models import BusyCalendar
from calendars.services import sync_calendar_now
from marketplace.errors import TooSoon
from tests.calendars.ics_files import ics
from tests.factories import MentorFactory


@pytest.mark.django_db(transaction=True)
def test_presses_at_the_same_moment_fetch_once(server, allow_private):
    if connection.vendor != "postgresql":
        pytest.fail("the race needs concurrent connections: run it on PostgreSQL (`make test`)")
    server.serve("/basic.ics", ics("google"))
    owner = MentorFactory()
    calendar = BusyCalendar.objects.create(owner=owner, url=server.url("/basic.ics"))
    now = timezone.now()
    start = threading.Barrier(6)
    outcomes: list[str] = []

    def press() -> None:
        start.wait()
        try:
            sync_calendar_now(owner=owner, calendar_id=calendar.pk, now=now)
            outcomes.append("synced")
        except TooSoon:
            outcomes.append("too soon")
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["synced"] + ["too soon"] * 5
    assert len(server.seen("/basic.ics")) == 1
