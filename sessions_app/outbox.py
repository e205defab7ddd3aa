"""The outbox: claiming due rows, sending a claimed batch (each row under its own lock, retried with
back-off), the chat notes (Slack, Teams) an email sent gets, and starting a delivery. The loop that drives it
is sessions_app.sweep.

Nothing here imports sessions_app.tasks (the tasks import this): a delivery is started through Celery by the
sweep task's name.
"""

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from config.publishing import publish_quietly
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
    "booking__series",
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


def send_messages(
    *, message_ids: Sequence[int], now: datetime | None = None, claimed_at: datetime | None = None
) -> int:
    """Sends claimed messages, each once, over one mail connection; returns how many went out now.

    `claimed_at` is the claim the sweep handed out with the batch (claim_due_messages' `now`); without it
    (a task queued before claims travelled with their batch) each row's claim as read here is taken. The
    messages and what their emails need are read in one query for the batch. Each is then sent in three
    steps, no lock held while the network is used: take the claim over in a short transaction (the row is
    still sending under that claim; its claimed_at moves to now, this send's token, which also restarts the
    re-claim clock), send with no transaction open and a timeout (EMAIL_TIMEOUT, WEBHOOK_TIMEOUT_SECONDS),
    then record the outcome with an UPDATE conditional on the token. A second task with the same batch (a
    redelivered task) finds the claim taken over and skips the row; a send that lost its row to a re-claim
    (it outlived OUTBOX_RECLAIM_AFTER_SECONDS) records nothing and is logged.

    A failure counts an attempt and schedules a retry with exponential back-off; after MAX_SEND_ATTEMPTS the
    message is failed, with the last error, for the admin to see. A message that cannot be built
    (Unbuildable: a header its data breaks, a row missing what it is about) fails at once, with its error: a
    retry would fail alike.
    """
    now = now or timezone.now()
    loaded = OutboundMessage.objects.select_related(*MESSAGE_RELATIONS).in_bulk(message_ids)
    sent = emails_sent = 0
    mail_connection = get_connection()
    try:
        for message_id in message_ids:
            message = loaded.get(message_id)
            if message is None:
                continue
            claim = claimed_at if claimed_at is not None else message.claimed_at
            if _send_claimed(message, claim=claim, now=now, mail_connection=mail_connection):
                sent += 1
                emails_sent += message.channel == OutboundMessage.Channel.EMAIL
    finally:
        mail_connection.close()
    if emails_sent and notifications.chat_channels_on():
        start_delivery()  # their chat notes are due now: a sweep need not wait for beat's next tick
    return sent


def _queue_chat_notes(message: OutboundMessage) -> None:
    """An email just sent gets a note on each chat channel whose webhook is set (SLACK_WEBHOOK_URL,
    TEAMS_WEBHOOK_URL): a row of its own each, so that Slack or Teams being down is retried with back-off
    (and given up visibly) without sending the email again, nor the other channel's note. Written in the
    transaction that marks the email sent, so a crash cannot keep one and lose the other."""
    if message.channel != OutboundMessage.Channel.EMAIL:
        return
    due_at = timezone.now()
    notes = [
        OutboundMessage(
            booking_id=message.booking_id,
            request_id=message.request_id,
            introduction_id=message.introduction_id,
            group_seat_id=message.group_seat_id,
            waitlist_offer_id=message.waitlist_offer_id,
            kind=message.kind,
            channel=channel,
            recipient_id=message.recipient_id,
            lead_minutes=message.lead_minutes,
            sequence=message.sequence,
            due_at=due_at,
        )
        for channel in notifications.chat_channels_on()
    ]
    if notes:
        OutboundMessage.objects.bulk_create(notes, ignore_conflicts=True)  # once, whoever sends the email


def _send_claimed(
    message: OutboundMessage, *, claim: datetime | None, now: datetime, mail_connection
) -> bool:
    token = _take_over_claim(message, claim=claim)
    if token is None:
        return False
    try:
        notifications.deliver(message, connection=mail_connection)
    except notifications.Withdrawn:
        _record(message, token, status=OutboundMessage.Status.CANCELLED)
        return False
    except notifications.Unbuildable as error:
        logger.error("%s", error)
        _record(message, token, status=OutboundMessage.Status.FAILED, last_error=repr(error.error)[:2000])
        return False
    except Exception as error:
        logger.warning("Sending outbox message %s failed: %r", message.pk, error)
        mail_connection.close()  # the next message opens a fresh one
        if message.attempts >= MAX_SEND_ATTEMPTS:
            _record(message, token, status=OutboundMessage.Status.FAILED, last_error=repr(error)[:2000])
        else:
            _record(
                message,
                token,
                status=OutboundMessage.Status.PENDING,
                last_error=repr(error)[:2000],
                due_at=now + timedelta(minutes=2**message.attempts),
            )
        return False
    return _record(message, token, status=OutboundMessage.Status.SENT, sent_at=timezone.now())


def _take_over_claim(message: OutboundMessage, *, claim: datetime | None) -> datetime | None:
    """In a short transaction: if the row is still sending under `claim` (what this task was handed), counts
    an attempt and moves claimed_at to now (the returned token). None when another task has it, it is done,
    or it is not to be sent any more (its session is off, its chat channel was turned off: then it is
    cancelled).

    The row lock is held only for this transaction, never while sending. The session is read again when it
    changed after the batch was read (moved, cancelled): the email is about the session as it is now."""
    with transaction.atomic():
        current = list(
            OutboundMessage.objects.select_for_update(of=("self",))
            .filter(pk=message.pk)
            .order_by()
            .values_list("status", "attempts", "claimed_at", "booking__updated_at")[:1]
        )
        if not current:
            return None
        status, attempts, claimed_at, booking_changed_at = current[0]
        if status != OutboundMessage.Status.SENDING or claimed_at is None or claimed_at != claim:
            return None
        if message.booking is not None and booking_changed_at != message.booking.updated_at:
            message.booking = Booking.objects.select_related("mentor", "mentee", "request", "series").get(
                pk=message.booking.pk
            )
        allowed = _NEEDS_LIVE_SESSION.get(message.kind)
        stale_session = allowed and message.booking is not None and message.booking.status not in allowed
        # A series is followed up once, a week after its last session held or to come (each session still
        # schedules its own: whichever is last when it falls due is the one sent). While a later session's
        # moment is ahead, this one waits for it rather than being dropped: if that session is cancelled
        # meanwhile, this one is the series' follow-up.
        later = (
            message.booking.later_session_of_its_series()
            if message.kind == OutboundMessage.Kind.FOLLOW_UP and message.booking is not None
            else None
        )
        if later is not None and later.follow_up_opens_at > timezone.now():
            OutboundMessage.objects.filter(pk=message.pk).update(
                status=OutboundMessage.Status.PENDING, claimed_at=None, due_at=later.follow_up_opens_at
            )
            return None
        stale_session = stale_session or later is not None
        channel_turned_off = (
            message.channel != OutboundMessage.Channel.EMAIL
            and not notifications.webhook_url(message.channel)
        )
        if stale_session or channel_turned_off:
            OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundMessage.Status.CANCELLED)
            return None
        # Strictly later than the claim it replaces, so that no other task can hold the same token.
        token = max(timezone.now(), claimed_at + timedelta(microseconds=1))
        OutboundMessage.objects.filter(pk=message.pk).update(claimed_at=token, attempts=attempts + 1)
    message.claimed_at = token
    message.attempts = attempts + 1
    return token


RECORD_RETRY_SECONDS = 0.5


def _record(message: OutboundMessage, token: datetime, *, status: str, **fields) -> bool:
    """Records a send's outcome, through a lost database connection (a restart, a failover): the email has
    gone out, so giving up here would leave the row "sending", to be claimed again and sent twice. Tried
    again on a fresh connection until the row would be claimed again anyway (OUTBOX_RECLAIM_AFTER_SECONDS
    after the token); the UPDATE is conditional on the token, so a retry can never record over another send.
    Inside a caller's transaction nothing can be retried: the error is raised."""
    give_up_at = token + timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS)
    while True:
        try:
            return _record_once(message, token, status=status, **fields)
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or timezone.now() >= give_up_at:
                raise
            logger.warning("Recording outbox message %s: the database is away, trying again", message.pk)
            connection.close()  # the next query connects afresh
            time.sleep(RECORD_RETRY_SECONDS)


def _record_once(message: OutboundMessage, token: datetime, *, status: str, **fields) -> bool:
    """Records a send's outcome if the row is still this send's (sending, claimed_at the token); True when
    the row was marked sent. A sent email's chat notes are queued in the same transaction."""
    with transaction.atomic():
        changed = OutboundMessage.objects.filter(
            pk=message.pk, status=OutboundMessage.Status.SENDING, claimed_at=token
        ).update(status=status, **fields)
        if not changed:
            logger.warning(
                "Outbox message %s was claimed again while this send ran (it outlived "
                "OUTBOX_RECLAIM_AFTER_SECONDS): outcome %s not recorded",
                message.pk,
                status,
            )
            return False
        if status == OutboundMessage.Status.SENT:
            _queue_chat_notes(message)
    return status == OutboundMessage.Status.SENT


SWEEP_TASK = "sessions_app.tasks.send_due_messages"


def start_delivery() -> None:
    """Starts a sweep now, by the task's name: queued for a worker, or run right here when Celery runs tasks
    in-process (task_always_eager: the task is registered, apps.py imports sessions_app.tasks).

    Called once a change has committed, often in a web request: never raises for, nor waits long on, a
    broker that is away (config/publishing.py); the rows are written, and beat's next sweep sends them."""
    publish_quietly(SWEEP_TASK)
