"""Every write to bookings, the outbox, feedback and calendar tokens.

Locking order, the same in every service so that two transactions never wait for each other in a circle:
the two people's user rows (lower id first, FOR NO KEY UPDATE, so foreign-key checks on them still pass),
then the mentor's profile, then the booking. Postgres's exclusion constraints stay the last guard.
"""

import logging
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from marketplace.errors import Conflict, InvalidInput
from marketplace.models import MentorProfile, User, new_calendar_token
from marketplace.schedules import slot_is_bookable
from marketplace.timezones import get_zone
from matching.models import MentorRequest
from matching.notifications import MatchFound
from matching.services import mark_request_booked
from sessions_app import notifications
from sessions_app.models import (
    FEEDBACK_RATINGS,
    FOLLOW_UP_NOTE_MAX_LENGTH,
    INTRODUCTION_NOTE_MAX_LENGTH,
    MOMENT_MAX_AGE,
    MOMENT_NOTE_MAX_LENGTH,
    MOMENT_WITH_NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SESSION_LENGTHS,
    TOPIC_MAX_LENGTH,
    Booking,
    Feedback,
    FollowUp,
    Introduction,
    Moment,
    OutboundMessage,
)

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 5
SLOT_UNAVAILABLE = "slot_unavailable"
SLOT_UNAVAILABLE_MESSAGE = "That time was just taken or is no longer offered. Please pick another slot."
EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's SQLSTATE for a violated exclusion constraint
DEADLOCK_DETECTED = "40P01"


@transaction.atomic
def book_session(
    *,
    mentee: User,
    mentor: User,
    start: datetime,
    minutes: int,
    topic: str,
    request_id: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Books `mentee` with `mentor` at `start` if the slot engine says the slot is bookable right now.

    `request_id` is the mentor request this booking answers: it becomes booked in the same transaction (and
    a request that is not the mentee's is a 400 on "request", with nothing booked).
    """
    now = now or timezone.now()
    topic = _clean_topic(topic)
    if mentee.pk == mentor.pk:
        raise InvalidInput("mentor", "You cannot book a session with yourself.")
    if minutes not in SESSION_LENGTHS:
        raise InvalidInput("duration", "Sessions last 20 or 30 minutes.")
    start = _future_start(start, now)

    _lock_people(mentee.pk, mentor.pk)
    profile = MentorProfile.objects.select_for_update().filter(user_id=mentor.pk).first()
    if profile is None or not mentor.is_mentor or not mentor.is_active:
        raise InvalidInput("mentor", "This person does not offer mentoring sessions.")
    if minutes not in profile.session_lengths:
        lengths = " or ".join(str(length) for length in sorted(profile.session_lengths))
        raise InvalidInput("duration", f"{mentor.name} offers {lengths} minute sessions.")
    if not slot_is_bookable(mentor.pk, asker_id=mentee.pk, start=start, duration_minutes=minutes, now=now):
        raise Conflict(SLOT_UNAVAILABLE, SLOT_UNAVAILABLE_MESSAGE)

    booking = Booking(
        mentor=mentor,
        mentee=mentee,
        start=start,
        end=start + timedelta(minutes=minutes),
        duration=minutes,
        topic=topic,
        meeting_url=profile.meeting_url or meeting_url_from_template(),
        request_id=request_id,
        created_at=now,
    )
    _write_or_conflict(booking.save)
    if request_id is not None:
        mark_request_booked(
            request_id=request_id, asker_id=mentee.pk, booking_start=start, booked_at=now, mentor_id=mentor.pk
        )
    _queue_messages(booking, kind=OutboundMessage.Kind.CONFIRMATION, now=now)
    _schedule_messages(booking, now=now)
    return booking


@transaction.atomic
def cancel_booking(*, booking: Booking, by: User, reason: str, now: datetime | None = None) -> Booking:
    """Cancels a confirmed session that has not started; both people get a cancellation with METHOD:CANCEL."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput("reason", f"Keep the reason under {REASON_MAX_LENGTH} characters.")
    booking = _lock_booking(booking.pk)
    _require_participant(booking, by)
    _require_confirmed_and_not_started(booking, now, action="cancelled")

    booking.status = Booking.Status.CANCELLED
    booking.cancelled_by = by
    booking.cancelled_at = now
    booking.cancel_reason = reason
    booking.sequence += 1
    booking.save()
    # Nothing more about this session should go out (a confirmation not yet sent, reminders of later issues).
    OutboundMessage.objects.filter(booking=booking, status=OutboundMessage.Status.PENDING).update(
        status=OutboundMessage.Status.CANCELLED
    )
    _queue_messages(booking, kind=OutboundMessage.Kind.CANCELLATION, now=now)
    return booking


@transaction.atomic
def reschedule_booking(
    *, booking: Booking, by: User, start: datetime, now: datetime | None = None
) -> Booking:
    """Moves a session to `start`: either the whole move happens or the session stays where it was."""
    now = now or timezone.now()
    booking = _lock_booking(booking.pk)
    _require_participant(booking, by)
    _require_confirmed_and_not_started(booking, now, action="moved")
    start = _future_start(start, now)
    if start == booking.start:
        return booking  # a retried request: nothing changes, nobody is notified twice

    MentorProfile.objects.select_for_update().filter(user_id=booking.mentor_id).first()
    if not slot_is_bookable(
        booking.mentor_id,
        asker_id=booking.mentee_id,
        start=start,
        duration_minutes=booking.duration,
        now=now,
        ignore_keys={booking.pk},
    ):
        raise Conflict(SLOT_UNAVAILABLE, SLOT_UNAVAILABLE_MESSAGE)

    booking.start = start
    booking.end = start + timedelta(minutes=booking.duration)
    booking.sequence += 1
    _write_or_conflict(booking.save)
    _queue_messages(booking, kind=OutboundMessage.Kind.RESCHEDULE, now=now)
    _schedule_messages(booking, now=now)
    return booking


@transaction.atomic
def mark_no_show(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    """The mentor records that the mentee did not come; possible once the start has passed."""
    now = now or timezone.now()
    booking = _lock_booking(booking.pk)
    if by.pk != booking.mentor_id:
        raise PermissionDenied("Only the mentor can mark a no-show.")
    if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        raise Conflict("not_held", f"This session is {booking.get_status_display().lower()}.")
    if now < booking.start:
        raise Conflict("too_early", "You can mark a no-show once the session has started.")
    booking.status = Booking.Status.NO_SHOW
    booking.save()
    OutboundMessage.objects.filter(booking=booking, status=OutboundMessage.Status.PENDING).update(
        status=OutboundMessage.Status.CANCELLED
    )
    return booking


@transaction.atomic
def complete_finished_sessions(*, now: datetime) -> int:
    """Confirmed sessions whose end has passed become completed; returns how many."""
    return Booking.objects.filter(status=Booking.Status.CONFIRMED, end__lte=now).update(
        status=Booking.Status.COMPLETED, updated_at=now
    )


@transaction.atomic
def give_feedback(
    *,
    booking: Booking,
    by: User,
    rating: int,
    helpful: bool,
    comment: str = "",
    next_step: str = "",
    now: datetime | None = None,
) -> Feedback:
    """One participant's feedback, once, after the session has ended."""
    now = now or timezone.now()
    booking = Booking.objects.get(pk=booking.pk)
    _require_participant(booking, by)
    if rating not in FEEDBACK_RATINGS:
        raise InvalidInput("rating", "Rate the session from 1 to 5.")
    if booking.status == Booking.Status.CANCELLED:
        raise Conflict("cancelled", "This session was cancelled: there is nothing to give feedback on.")
    if now < booking.end:
        raise Conflict("too_early", "You can give feedback once the session has ended.")
    if Feedback.objects.filter(booking=booking, author=by).exists():
        raise Conflict("already_given", "You have already given feedback on this session.")
    feedback = Feedback(
        booking=booking,
        author=by,
        role=Feedback.Role.MENTOR if by.pk == booking.mentor_id else Feedback.Role.MENTEE,
        rating=rating,
        helpful=helpful,
        comment=comment.strip(),
        next_step=next_step.strip(),
        created_at=now,
    )
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError as error:  # the same person, twice at the same moment
        raise Conflict("already_given", "You have already given feedback on this session.") from error
    return feedback


@transaction.atomic
def rate_session(*, booking: Booking, by: User, rating: int, now: datetime | None = None) -> Feedback:
    """The one-click rating from the prompt email: records the rating (helpful if 3 or more) unless this
    person already gave feedback, in which case their feedback is returned unchanged. The feedback page
    then lets them say the rest (complete_feedback)."""
    existing = Feedback.objects.filter(booking_id=booking.pk, author_id=by.pk).first()
    if existing is not None:
        return existing
    return give_feedback(booking=booking, by=by, rating=rating, helpful=rating >= 3, now=now)


@transaction.atomic
def complete_feedback(
    *, feedback: Feedback, by: User, rating: int, helpful: bool, comment: str = "", next_step: str = ""
) -> Feedback:
    """The author finishes (or corrects) their own feedback on the feedback page."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.author_id != by.pk:
        raise PermissionDenied("Only the author can change their feedback.")
    if rating not in FEEDBACK_RATINGS:
        raise InvalidInput("rating", "Rate the session from 1 to 5.")
    feedback.rating = rating
    feedback.helpful = helpful
    feedback.comment = comment.strip()
    feedback.next_step = next_step.strip()
    feedback.save(update_fields=["rating", "helpful", "comment", "next_step"])
    return feedback


@transaction.atomic
def record_follow_up(
    *, booking: Booking, by: User, outcome: str, note: str = "", now: datetime | None = None
) -> FollowUp:
    """The mentee's one-week answer (yes / partly / no, and a line on what changed), once per session."""
    now = now or timezone.now()
    booking = Booking.objects.get(pk=booking.pk)
    if by.pk != booking.mentee_id:
        raise PermissionDenied("Only the mentee answers the follow-up.")
    if outcome not in FollowUp.Outcome.values:
        raise InvalidInput("outcome", "Answer yes, partly or no.")
    note = (note or "").strip()
    if len(note) > FOLLOW_UP_NOTE_MAX_LENGTH:
        raise InvalidInput("note", f"Keep the note under {FOLLOW_UP_NOTE_MAX_LENGTH} characters.")
    if booking.status in (Booking.Status.CANCELLED, Booking.Status.NO_SHOW):
        raise Conflict("not_held", f"This session is {booking.get_status_display().lower()}.")
    if now < booking.end:
        raise Conflict("too_early", "You can answer once the session has ended.")
    try:
        with transaction.atomic():
            return FollowUp.objects.create(booking=booking, outcome=outcome, note=note, created_at=now)
    except IntegrityError as error:
        raise Conflict("already_given", "You have already answered the follow-up.") from error


def log_moment(
    *,
    author: User,
    kind: str,
    note: str,
    happened_on: date | None = None,
    with_person: User | None = None,
    with_name: str = "",
    now: datetime | None = None,
) -> Moment:
    """Records an informal mentoring moment (DESIGN.md flow 5): what kind, with whom, one line."""
    now = now or timezone.now()
    today = local_today(author, now)
    happened_on = happened_on or today
    note = " ".join((note or "").split())
    with_name = " ".join((with_name or "").split())
    if kind not in Moment.Kind.values:
        raise InvalidInput("kind", "Pick a kind: tip, encouragement, introduction, advice or other.")
    if not note:
        raise InvalidInput("note", "Say in one line what happened.")
    if len(note) > MOMENT_NOTE_MAX_LENGTH:
        raise InvalidInput("note", f"Keep it to one line (under {MOMENT_NOTE_MAX_LENGTH} characters).")
    if len(with_name) > MOMENT_WITH_NAME_MAX_LENGTH:
        raise InvalidInput("with_name", f"Keep the name under {MOMENT_WITH_NAME_MAX_LENGTH} characters.")
    if with_person is not None and with_person.pk == author.pk:
        raise InvalidInput("with_person", "Log a moment with someone else.")
    if happened_on > today:
        raise InvalidInput("happened_on", "That day has not come yet.")
    if happened_on < today - MOMENT_MAX_AGE:
        raise InvalidInput("happened_on", "Log moments from the last year.")
    return Moment.objects.create(
        author=author,
        kind=kind,
        note=note,
        happened_on=happened_on,
        with_person=with_person,
        with_name="" if with_person is not None else with_name,
        created_at=now,
    )


def local_today(user: User, now: datetime) -> date:
    try:
        return now.astimezone(get_zone(user.timezone)).date()
    except ValueError:
        return now.astimezone(UTC).date()


@transaction.atomic
def introduce(
    *,
    introducer: User,
    colleague: User,
    mentor: User,
    note: str,
    request_id: int | None = None,
    now: datetime | None = None,
) -> Introduction:
    """Introduces `colleague` to `mentor` with a short note; both get a message (outbox, in this transaction).

    `request_id` (optional) is the colleague's or the introducer's mentor request: its topic and context go
    into the messages and pre-fill the booking the colleague is offered.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise InvalidInput("note", "Say in a line why they should talk.")
    if len(note) > INTRODUCTION_NOTE_MAX_LENGTH:
        raise InvalidInput("note", f"Keep the note under {INTRODUCTION_NOTE_MAX_LENGTH} characters.")
    if not (mentor.is_mentor and mentor.is_active):
        raise InvalidInput("mentor", "This person does not offer mentoring sessions.")
    if not colleague.is_active:
        raise InvalidInput("colleague", "No active colleague with this address.")
    if colleague.pk == mentor.pk:
        raise InvalidInput("colleague", "Introduce the mentor to someone else.")
    if (
        request_id is not None
        and not MentorRequest.objects.filter(
            pk=request_id, asker_id__in=[colleague.pk, introducer.pk]
        ).exists()
    ):
        raise InvalidInput("request", "No such request of yours or your colleague's.")
    introduction = Introduction.objects.create(
        introducer=introducer,
        colleague=colleague,
        mentor=mentor,
        request_id=request_id,
        note=note,
        created_at=now,
    )
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            introduction=introduction,
            kind=OutboundMessage.Kind.INTRODUCTION,
            recipient_id=recipient_id,
            due_at=now,
            created_at=now,
        )
        for recipient_id in (colleague.pk, mentor.pk)
    )
    transaction.on_commit(_start_delivery, robust=True)
    return introduction


def queue_match_found(event: MatchFound) -> None:
    """matching's notifier (registered in apps.py): runs inside matching's transaction, which holds the
    request's row, so counting earlier notices gives each new one its own sequence."""
    now = timezone.now()
    earlier = OutboundMessage.objects.filter(
        request_id=event.request_id, kind=OutboundMessage.Kind.MATCH_FOUND
    ).count()
    OutboundMessage.objects.create(
        request_id=event.request_id,
        kind=OutboundMessage.Kind.MATCH_FOUND,
        recipient_id=event.asker_id,
        sequence=earlier,
        due_at=now,
        created_at=now,
    )
    transaction.on_commit(_start_delivery, robust=True)


def rotate_calendar_token(*, user: User) -> str:
    """A new secret for the personal calendar feed: the old feed URL stops working at once."""
    token = new_calendar_token()
    User.objects.filter(pk=user.pk).update(calendar_token=token)
    user.calendar_token = token
    return token


def deliver_due_messages(*, now: datetime | None = None, limit: int = 1000) -> int:
    """The sweep in one process: claims due messages in batches and sends them; returns how many went out.

    Celery's sweep task does the same, but hands each claimed batch to a send task.
    """
    now = now or timezone.now()
    sent = 0
    while limit > 0:
        claimed = claim_due_messages(now=now, batch_size=min(limit, settings.OUTBOX_BATCH_SIZE))
        if not claimed:
            break
        limit -= len(claimed)
        sent += send_messages(message_ids=claimed, now=now)
    return sent


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
_NEEDS_LIVE_SESSION = {
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
    failed, with the last error, for the admin to see.
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
        _start_delivery()  # their Slack notes are due now: a sweep need not wait for beat's next tick
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
        if message.booking_id is not None and booking_changed_at != message.booking.updated_at:
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


def meeting_url_from_template() -> str:
    return settings.MEETING_URL_TEMPLATE.format(token=secrets.token_urlsafe(9))


def _clean_topic(topic: str) -> str:
    topic = (topic or "").strip()
    if not topic:
        raise InvalidInput("topic", "Say in a few words what you would like help with.")
    if len(topic) > TOPIC_MAX_LENGTH:
        raise InvalidInput("topic", f"Keep the topic under {TOPIC_MAX_LENGTH} characters.")
    return topic


def _future_start(start: datetime, now: datetime) -> datetime:
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput("start", "Give the time with its UTC offset, e.g. 2026-03-10T09:00:00Z.")
    if start <= now:
        raise InvalidInput("start", "That time has already passed: pick a time in the future.")
    return start.astimezone(UTC)


def _lock_people(*user_ids: int) -> None:
    """Locks the people's rows, lower id first. Plain SQL: the lock is all we need, not the rows.

    FOR NO KEY UPDATE lets rows that point at these people (the booking, outbox rows) still be inserted.
    SQLite has no row locks; there a write transaction holds the whole database anyway.
    """
    if not connection.features.has_select_for_update:
        return
    ids = sorted(set(user_ids))
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {User._meta.db_table} WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE", ids
        )


def _lock_booking(booking_id: int) -> Booking:
    mentor_id, mentee_id = Booking.objects.values_list("mentor_id", "mentee_id").get(pk=booking_id)
    _lock_people(mentor_id, mentee_id)
    return (
        Booking.objects.select_for_update(of=("self",)).select_related("mentor", "mentee").get(pk=booking_id)
    )


def _require_participant(booking: Booking, user: User) -> None:
    if not booking.is_participant(user):
        raise PermissionDenied("Only the two people in a session can change it.")


def _require_confirmed_and_not_started(booking: Booking, now: datetime, *, action: str) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        raise Conflict("not_confirmed", f"This session is {booking.get_status_display().lower()}.")
    if booking.start <= now:
        raise Conflict("already_started", f"This session has already started: it can no longer be {action}.")


def _write_or_conflict(write) -> None:
    """Runs an insert or update of a confirmed booking; an overlap the database refuses becomes a 409.

    No savepoint of its own: the service's atomic block rolls back to its start when the Conflict leaves it.
    """
    try:
        write()
    except (IntegrityError, OperationalError) as error:
        # Concurrent exclusion-constraint checks can also end in a deadlock: the loser's write is undone.
        if getattr(error.__cause__, "pgcode", None) in (EXCLUSION_VIOLATION, DEADLOCK_DETECTED):
            raise Conflict(SLOT_UNAVAILABLE, SLOT_UNAVAILABLE_MESSAGE) from error
        raise


def _queue_messages(booking: Booking, *, kind: str, now: datetime) -> None:
    """Outbox rows for both people, in the caller's transaction; delivery starts once it commits."""
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            booking=booking,
            kind=kind,
            recipient_id=recipient_id,
            sequence=booking.sequence,
            due_at=now,
            created_at=now,
        )
        for recipient_id in (booking.mentee_id, booking.mentor_id)
    )
    transaction.on_commit(_start_delivery, robust=True)


FOLLOW_UP_AFTER = timedelta(days=7)
_SCHEDULED_KINDS = (
    OutboundMessage.Kind.REMINDER,
    OutboundMessage.Kind.FEEDBACK_PROMPT,
    OutboundMessage.Kind.FOLLOW_UP,
)


def scheduled_messages(booking: Booking, *, now: datetime) -> list[OutboundMessage]:
    """The messages a confirmed session sets up for later (DESIGN.md flow 4), not yet saved.

    Reminders REMINDER_LEADS_MINUTES before the start to both people (a lead already passed is skipped),
    the feedback prompt FEEDBACK_PROMPT_DELAY_MINUTES after the end to both, the follow-up a week after
    the end to the mentee.
    """
    people = (booking.mentee_id, booking.mentor_id)
    planned: list[tuple[str, int, int, datetime]] = []
    for lead in sorted(set(settings.REMINDER_LEADS_MINUTES), reverse=True):
        due = booking.start - timedelta(minutes=lead)
        if due > now:
            planned += [(OutboundMessage.Kind.REMINDER, person, lead, due) for person in people]
    prompt_due = booking.end + timedelta(minutes=settings.FEEDBACK_PROMPT_DELAY_MINUTES)
    planned += [(OutboundMessage.Kind.FEEDBACK_PROMPT, person, 0, prompt_due) for person in people]
    planned.append((OutboundMessage.Kind.FOLLOW_UP, booking.mentee_id, 0, booking.end + FOLLOW_UP_AFTER))
    return [
        OutboundMessage(
            booking=booking,
            kind=kind,
            recipient_id=recipient_id,
            lead_minutes=lead,
            sequence=booking.sequence,
            due_at=due_at,
            created_at=now,
        )
        for kind, recipient_id, lead, due_at in planned
    ]


def _schedule_messages(booking: Booking, *, now: datetime) -> None:
    """Cancels what the session's old time had pending and writes the rows of its current time."""
    OutboundMessage.objects.filter(
        booking=booking, kind__in=_SCHEDULED_KINDS, status=OutboundMessage.Status.PENDING
    ).update(status=OutboundMessage.Status.CANCELLED)
    OutboundMessage.objects.bulk_create(scheduled_messages(booking, now=now))


def _start_delivery() -> None:
    from sessions_app.tasks import send_due_messages  # tasks call services: import here, not at the top

    send_due_messages.delay()
