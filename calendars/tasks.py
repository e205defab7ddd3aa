"""Celery tasks of a person's own calendars: each minute (beat) the due ones are claimed and each synced by
a task of its own, so that a slow calendar server holds up only its own calendar."""

from celery import shared_task
from django.utils import timezone

from calendars import services

# A sync fetches within 20 s (calendars.fetch.Limits) and reads a file in well under a second; the soft
# limit ends whatever hangs past that (stored as "did not answer in time"), the hard one a stuck process.
SOFT_TIME_LIMIT = 60
TIME_LIMIT = 90


@shared_task(name="calendars.tasks.sync_due_calendars", ignore_result=True)
def sync_due_calendars() -> int:
    """Queues a sync for each calendar due; returns how many."""
    ids = services.claim_due_calendars(now=timezone.now())
    for calendar_id in ids:
        sync_calendar.delay(calendar_id)
    return len(ids)


@shared_task(
    name="calendars.tasks.sync_calendar",
    ignore_result=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def sync_calendar(calendar_id: int) -> str | None:
    """Syncs one calendar; returns its status afterwards (None if it was removed)."""
    calendar = services.sync_calendar(calendar_id=calendar_id, now=timezone.now())
    return calendar.status if calendar else None
