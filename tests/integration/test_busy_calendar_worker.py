"""Busy calendars on real services: connecting a calendar queues its sync on a real Redis, a real Celery
worker fetches it from a real HTTP server on this machine and stores its busy times in PostgreSQL; a
calendar whose server never answers holds up only its own task."""

from django.utils import timezone

from calendars import services
from calendars.models import BusyCalendar, BusyInterval
from tests.calendar_server import calendar_server
from tests.calendars.ics_files import weekly_from_tomorrow
from tests.factories import UserFactory
from tests.hung_server import hung_server
from tests.waiting import wait_until


def states() -> dict[str, tuple[str, str]]:
    return {
        calendar.url.rsplit("/", 1)[-1]: (calendar.status, calendar.error_code)
        for calendar in BusyCalendar.objects.all()
    }


def test_a_worker_syncs_each_new_calendar_in_a_task_of_its_own(start_worker, settings):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True  # the address is checked here, then fetched by the worker
    owner = UserFactory(timezone="Europe/Berlin")
    worker = start_worker(concurrency=2, extra_env={"CALENDAR_FETCH_ALLOW_PRIVATE": "1"})
    data, busy = weekly_from_tomorrow(timezone.now())
    with calendar_server() as server, hung_server() as hung:
        server.serve("/basic.ics", data)
        now = timezone.now()
        services.add_calendar(owner=owner, url=f"http://127.0.0.1:{hung.port}/hung.ics", now=now)
        services.add_calendar(owner=owner, url=server.url("/basic.ics"), now=now)

        wait_until(
            lambda: states().get("basic.ics") == ("ok", ""),
            timeout=60,
            interval=0.1,
            message=lambda: f"the calendar synced: {states()}\n{worker.log_tail()}",
        )
        # The hung server keeps the other worker process waiting, and has not held this one up.
        assert states()["hung.ics"] == ("pending", "")
        wait_until(lambda: hung.accepted == 1, timeout=30, interval=0.1, message="the hung server reached")
        wait_until(
            lambda: states().get("hung.ics") == ("error", "timeout"),
            timeout=60,
            interval=0.2,
            message=lambda: f"the hung calendar given up: {states()}\n{worker.log_tail()}",
        )

    synced = BusyCalendar.objects.get(url=server.url("/basic.ics"))
    assert synced.busy_events == 3
    assert list(BusyInterval.objects.filter(calendar=synced).values_list("start", "end")) == busy
    assert len(server.seen("/basic.ics")) == 1
    assert "/basic.ics" not in worker.log_path.read_text()  # the secret address is never logged
