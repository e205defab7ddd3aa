"""Celery tasks of sessions: the outbox sweep (every minute from beat) and sending one message."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from sessions_app import outbox, sweep
from sessions_app.services import bookings


@shared_task(name="sessions_app.tasks.send_due_messages", ignore_result=True)
def send_due_messages() -> int:
    """The sweep (sessions_app.sweep), handing each claimed batch to `send_messages`. Started after each
    booking change and every minute by beat; returns how many it claimed.
    """
    return sweep.sweep(
        now=timezone.now(),
        send_batch=lambda message_ids, claimed_at: send_messages.delay(message_ids, claimed_at.isoformat()),
    )


@shared_task(name="sessions_app.tasks.send_messages", ignore_result=True)
def send_messages(message_ids: list[int], claimed_at: str | None = None) -> int:
    """Sends a claimed batch of outbox messages, each once: `claimed_at` (ISO 8601) is the sweep's claim,
    which a redelivered copy of this task finds taken over (None in tasks queued before it was passed)."""
    claim = datetime.fromisoformat(claimed_at) if claimed_at else None
    return outbox.send_messages(message_ids=message_ids, now=timezone.now(), claimed_at=claim)


@shared_task(name="sessions_app.tasks.send_message", ignore_result=True)
def send_message(message_id: int) -> bool:
    """One claimed message: what sweeps queued before batches (kept so that queued tasks still run)."""
    return outbox.send_message(message_id=message_id, now=timezone.now())


@shared_task(name="sessions_app.tasks.complete_finished_sessions", ignore_result=True)
def complete_finished_sessions() -> int:
    """Confirmed sessions whose end has passed become completed (the sweep does this too)."""
    return bookings.complete_finished_sessions(now=timezone.now())
