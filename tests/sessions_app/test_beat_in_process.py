"""Without Redis, `run_sweep` runs beat's schedule in its own process (sessions_app.beat_in_process): interval
entries at the first round and then every interval, crontab entries at their moments, each by task name."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from celery.schedules import crontab
from django.core.management import call_command

from calendars.models import BusyCalendar
from sessions_app.beat_in_process import BeatInProcess
from tests.factories import UserFactory

STARTED = datetime(2026, 12, 3, 10, 2, 30, tzinfo=UTC)


def test_interval_entries_run_at_once_then_every_interval_and_crontab_ones_at_their_moment():
    schedule = {
        "each-minute": {"task": "x", "schedule": 60.0},
        "every-five-minutes": {"task": "y", "schedule": crontab(minute="*/5")},
    }
    with time_machine.travel(STARTED, tick=False):
        beat = BeatInProcess(schedule, started=STARTED)
        assert beat.due(STARTED) == ["each-minute"]
    beat.last_run["each-minute"] = STARTED

    moments = {
        STARTED + timedelta(seconds=30): [],
        STARTED + timedelta(seconds=60): ["each-minute"],
        datetime(2026, 12, 3, 10, 5, 1, tzinfo=UTC): ["each-minute", "every-five-minutes"],
    }
    for moment, expected in moments.items():
        with time_machine.travel(moment, tick=False):
            assert beat.due(moment) == expected, moment


@pytest.mark.django_db
def test_run_sweep_once_also_runs_beats_minute_jobs_such_as_the_calendar_sync():
    calendar = BusyCalendar.objects.create(
        owner=UserFactory(), url="https://10.1.2.3/private.ics", next_sync_at=datetime(2026, 1, 1, tzinfo=UTC)
    )

    call_command("run_sweep", "--once", stdout=StringIO())

    calendar.refresh_from_db()
    assert calendar.status == BusyCalendar.Status.ERROR  # read, and refused: a private address
    assert calendar.last_attempt_at is not None


@pytest.mark.django_db
def test_a_failing_job_is_reported_and_the_others_still_run(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "broken": {"task": "no.such.task", "schedule": 60.0},
        **{
            name: entry
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
            if "calendars" in entry["task"]
        },
    }
    calendar = BusyCalendar.objects.create(
        owner=UserFactory(), url="https://10.1.2.3/private.ics", next_sync_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    errors = StringIO()

    call_command("run_sweep", "--once", stdout=StringIO(), stderr=errors)

    assert "broken failed" in errors.getvalue()
    calendar.refresh_from_db()
    assert calendar.status == BusyCalendar.Status.ERROR
