"""Celery tasks of sessions: the outbox sweep (every minute from beat) and sending one message."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from sessions_app import services


@shared_task(name="sessions_app.tasks.send_due_messages", ignore_result=True)
def send_due_messages() -> int:
    """The sweep: completes ended sessions, then claims due outbox rows in small batches and hands each batch
    to `send_messages`. Started after each booking change and every minute by beat; returns how many it
    claimed.
    """
    now = timezone.now()
    services.complete_finished_sessions(now=now)
    claimed = 0
    while True:
        batch = services.claim_due_messages(now=now, batch_size=settings.OUTBOX_BATCH_SIZE)
        if batch:
            send_messages.delay(batch)
        claimed += len(batch)
        if len(batch) < settings.OUTBOX_BATCH_SIZE:
            return claimed


@shared_task(name="sessions_app.tasks.send_messages", ignore_result=True)
def send_messages(message_ids: list[int]) -> int:
    """Sends a claimed batch of outbox messages, each once (row locks and statuses see to that)."""
    return services.send_messages(message_ids=message_ids, now=timezone.now())


@shared_task(name="sessions_app.tasks.send_message", ignore_result=True)
def send_message(message_id: int) -> bool:
    """One claimed message: what sweeps queued before batches (kept so that queued tasks still run)."""
    return services.send_message(message_id=message_id, now=timezone.now())


@shared_task(name="sessions_app.tasks.complete_finished_sessions", ignore_result=True)
def complete_finished_sessions() -> int:
    """Confirmed sessions whose end has passed become completed (the sweep does this too)."""
    return services.complete_finished_sessions(now=timezone.now())
