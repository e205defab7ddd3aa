"""Celery tasks of sessions: the outbox sweep and completing finished sessions (both also run from beat)."""

from celery import shared_task
from django.utils import timezone

from sessions_app import services


@shared_task(name="sessions_app.tasks.send_due_messages", ignore_result=True)
def send_due_messages() -> int:
    """Sends every due outbox message; started after each booking change and every minute by beat."""
    return services.deliver_due_messages(now=timezone.now())


@shared_task(name="sessions_app.tasks.complete_finished_sessions", ignore_result=True)
def complete_finished_sessions() -> int:
    """Confirmed sessions whose end has passed become completed (every few minutes from beat)."""
    return services.complete_finished_sessions(now=timezone.now())
