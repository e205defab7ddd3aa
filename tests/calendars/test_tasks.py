"""The Celery tasks (in-process here; tests/integration has a real worker): beat's run syncs each calendar
due with a task of its own, and leaves the others alone."""

from datetime import timedelta

from django.conf import settings

from calendars import tasks
from calendars.models import BusyCalendar
from config.celery import app as celery_app
from tests.calendars.ics_files import ics


def test_beat_runs_the_sync_of_due_calendars_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["sync-busy-calendars"]

    assert entry == {"task": "calendars.tasks.sync_due_calendars", "schedule": 60.0}
    assert {"calendars.tasks.sync_due_calendars", "calendars.tasks.sync_calendar"} <= set(celery_app.tasks)
    assert celery_app.tasks["calendars.tasks.sync_calendar"].soft_time_limit == tasks.SOFT_TIME_LIMIT


def test_each_calendar_due_is_synced_and_the_others_are_left_alone(
    mentor, mentee, server, allow_private, march
):
    server.serve("/google.ics", ics("google"))
    server.answer("/gone.ics", 404)
    server.serve("/apple.ics", ics("apple"))
    due = BusyCalendar.objects.create(owner=mentor, url=server.url("/google.ics"), next_sync_at=march)
    broken = BusyCalendar.objects.create(owner=mentee, url=server.url("/gone.ics"), next_sync_at=march)
    later = BusyCalendar.objects.create(
        owner=mentee, url=server.url("/apple.ics"), next_sync_at=march + timedelta(minutes=3)
    )

    assert tasks.sync_due_calendars.delay().get() == 2

    states = {calendar.pk: calendar.status for calendar in BusyCalendar.objects.all()}
    assert states == {due.pk: "ok", broken.pk: "error", later.pk: "pending"}
    assert server.seen("/apple.ics") == []
    assert BusyCalendar.objects.get(pk=due.pk).next_sync_at == march + timedelta(minutes=15)


def test_the_sync_of_a_removed_calendar_does_nothing(db):
    assert tasks.sync_calendar.delay(10**9).get() is None
