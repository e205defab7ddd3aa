"""The outbox sweep: one loop, whoever runs it. Celery's sweep task (beat, every minute, and after each
change) hands each claimed batch to a send task; deliver_due_messages sends each batch right away in this
process (the tests, and `run_sweep` in the embedded default without Redis)."""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from sessions_app.outbox import claim_due_messages, send_messages
from sessions_app.services.bookings import complete_finished_sessions

# What else ends with a session's end, from apps above sessions_app (groups: a group session that has ended
# becomes completed), registered in their AppConfig.ready() and run before each sweep claims its rows.
CompletionStep = Callable[[datetime], object]
_completion_steps: list[CompletionStep] = []


def register_completion_step(step: CompletionStep) -> None:
    if step not in _completion_steps:
        _completion_steps.append(step)


def sweep(*, now: datetime, send_batch: Callable[[list[int], datetime], object]) -> int:
    """Completes ended sessions, then claims due outbox rows in batches of OUTBOX_BATCH_SIZE until a short
    batch, handing each batch to `send_batch` as it is claimed, with its claim (`now`: the rows' claimed_at,
    which outbox.send_messages checks); returns how many rows it claimed."""
    complete_finished_sessions(now=now)
    for step in _completion_steps:
        step(now)
    claimed = 0
    while True:
        batch = claim_due_messages(now=now, batch_size=settings.OUTBOX_BATCH_SIZE)
        if batch:
            send_batch(batch, now)
        claimed += len(batch)
        if len(batch) < settings.OUTBOX_BATCH_SIZE:
            return claimed


def deliver_due_messages(*, now: datetime | None = None) -> int:
    """The sweep in this process, each claimed batch sent before the next is claimed; returns how many went
    out."""
    now = now or timezone.now()
    sent = 0

    def send_now(message_ids: list[int], claimed_at: datetime) -> None:
        nonlocal sent
        sent += send_messages(message_ids=message_ids, now=now, claimed_at=claimed_at)

    sweep(now=now, send_batch=send_now)
    return sent
