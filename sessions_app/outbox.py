"""The outbox: claiming due rows, sending a claimed batch (each row under its own lock, retried with
back-off), the Slack note an email sent gets, and starting a delivery. The loop that drives it is
sessions_app.sweep.

Nothing here imports sessions_app.tasks (the tasks import this): a delivery is started through Celery by the
sweep task's name.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from sessions_app import notifications
from sessions_app.models import Booking, OutboundMessage

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 5


def claim_due_messages(*, now: datetime, batch_size: int) -> list[int]:
    """Marks up to `batch_size` due messages as being sent and returns their ids (oldest due first).

    SKIP LOCKED lets several sweeps run at once without claiming the same row. A message left "sending"
    longer than OUTBOX_RECLAIM_AFTER_SECONDS (its worker was killed, or its task was lost) is claimed again:
    send_messages' row lock and status check keep it from going out twice.
    """
    stale = now - timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS)
    with transaction.atomic():
        due = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundMessage.Status.PENDING, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:batch_size]
        )
        if len(due) < batch_size:
            due += list(
                OutboundMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboundMessage.Status.SENDING, claimed_at__lt=stale)
                .order_by("claimed_at", "id")
                .values_list("id", flat=True)[: batch_size - len(due)]
            )
        if due:
            OutboundMessage.objects.filter(pk__in=due).update(
                status=OutboundMessage.Status.SENDING, claimed_at=now
            )
    return due


# Kinds about a session that will still take place / took place: not sent once it is off.
_NEEDS_LIVE_SESSION: dict[str, tuple[str, ...]] = {
    OutboundMessage.Kind.REMINDER: (Booking.Status.CONFIRMED,),
    OutboundMessage.Kind.FEEDBACK_PROMPT: (Booking.Status.CONFIRMED, Booking.Status.COMPLETED),
    OutboundMessage.Kind.FOLLOW_UP: (Booking.Status.CONFIRMED, Booking.Status.COMPLETED),
}


# Everything an email needs, read with the message: the session and both people, or the request, or the
# introduction and its people.
MESSAGE_RELATIONS = (
    "booking__mentor",
    "booking__mentee",
    "booking__request",
    "request",
    "introduction__introducer",
    "introduction__colleague",
    "introduction__mentor",
    "introduction__request",
    "recipient",
)


def send_message(*, message_id: int, now: datetime | None = None) -> bool:
    """Sends one claimed message once: True if it went out now."""
    return send_messages(message_ids=[message_id], now=now) == 1


def send_messages(*, message_ids: Sequence[int], now: datetime | None = None) -> int:
    """Sends claimed messages, each once, over one mail connection; returns how many went out now.

    The messages and what their emails need are read in one query for the batch. Each is then locked, sent
    and marked in its own short transaction, so a second task for the same row (a re-claim after a crash)
    waits and then finds it sent, and a crash leaves at most the message in flight unmarked. A failure counts
    an attempt and schedules a retry with exponential back-off; after MAX_SEND_ATTEMPTS the message is
    failed, with the last error, for the admin to see. A message that cannot be built (Unbuildable: a header
    its data breaks, a row missing what it is about) fails at once, with its error: a retry would fail alike.
    """
    now = now or timezone.now()
    loaded = OutboundMessage.objects.select_related(*MESSAGE_RELATIONS).in_bulk(message_ids)
    sent = emails_sent = 0
    mail_connection = get_connection()
    try:
        for message_id in message_ids:
            message = loaded.get(message_id)
            if message is not None and _send_locked(message, now=now, mail_connection=mail_connection):
                sent += 1
                emails_sent += message.channel == OutboundMessage.Channel.EMAIL
    finally:
        mail_connection.close()
    if emails_sent and settings.SLACK_WEBHOOK_URL:
        start_delivery()  # their Slack notes are due now: a sweep need not wait for beat's next tick
    return sent


def _queue_slack_note(message: OutboundMessage) -> None:
    """With SLACK_WEBHOOK_URL set, an email just sent gets its Slack note: a row of its own, so that Slack
    being down is retried with back-off (and given up visibly) without sending the email again. Written in
    the transaction that marks the email sent, so a crash cannot keep one and lose the other."""
    if message.channel != OutboundMessage.Channel.EMAIL or not settings.SLACK_WEBHOOK_URL:
        return
    note = OutboundMessage(
        booking_id=message.booking_id,
        request_id=message.request_id,
        introduction_id=message.introduction_id,
        kind=message.kind,
        channel=OutboundMessage.Channel.SLACK,
        recipient_id=message.recipient_id,
        lead_minutes=message.lead_minutes,
        sequence=message.sequence,
        due_at=timezone.now(),
    )
    OutboundMessage.objects.bulk_create([note], ignore_conflicts=True)  # queued once, whoever sends the email


def _send_locked(message: OutboundMessage, *, now: datetime, mail_connection) -> bool:
    with transaction.atomic():
        current = list(
            OutboundMessage.objects.select_for_update(of=("self",))
            .filter(pk=message.pk)
            .order_by()
            .values_list("status", "attempts", "booking__updated_at")[:1]
        )
        if not current:
            return False
        status, attempts, booking_changed_at = current[0]
        if status != OutboundMessage.Status.SENDING:
            return False
        if message.booking is not None and booking_changed_at != message.booking.updated_at:
            # The session changed after the batch was read (moved, cancelled): write about it as it is now.
            message = OutboundMessage.objects.select_related(*MESSAGE_RELATIONS).get(pk=message.pk)
        allowed = _NEEDS_LIVE_SESSION.get(message.kind)
        stale_session = allowed and message.booking is not None and message.booking.status not in allowed
        slack_turned_off = message.channel == OutboundMessage.Channel.SLACK and not settings.SLACK_WEBHOOK_URL
        if stale_session or slack_turned_off:
            message.status = OutboundMessage.Status.CANCELLED
            message.save(update_fields=["status"])
            return False
        message.attempts = attempts + 1
        try:
            notifications.deliver(message, connection=mail_connection)
        except notifications.Unbuildable as error:
            logger.error("%s", error)
            message.last_error = repr(error.error)[:2000]
            message.status = OutboundMessage.Status.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
            return False
        except Exception as error:
            logger.warning("Sending outbox message %s failed: %r", message.pk, error)
            mail_connection.close()  # the next message opens a fresh one
            message.last_error = repr(error)[:2000]
            if message.attempts >= MAX_SEND_ATTEMPTS:
                message.status = OutboundMessage.Status.FAILED
            else:
                message.status = OutboundMessage.Status.PENDING
                message.due_at = now + timedelta(minutes=2**message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "due_at"])
            return False
        message.status = OutboundMessage.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at"])
        _queue_slack_note(message)
    return True


SWEEP_TASK = "sessions_app.tasks.send_due_messages"


def start_delivery() -> None:
    """Starts a sweep now, by the task's name: queued for a worker, or run right here when Celery runs tasks
    in-process (task_always_eager: the task is registered, apps.py imports sessions_app.tasks)."""
    current_app.signature(SWEEP_TASK).delay()
