"""Every write to bookings: book, cancel, move, mark a no-show, complete ended sessions, cancel the sessions
of a person being deactivated, and the outbox rows a booking queues and schedules; plus rotating the
calendar feed's token.

Locking order, the same in every service so that two transactions never wait for each other in a circle:
the two people's user rows (lower id first, FOR NO KEY UPDATE, so foreign-key checks on them still pass),
then the mentor's profile, then the booking. Postgres's exclusion constraints stay the last guard.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from calendars.selectors import busy_in_own_calendar
from marketplace import time_changes
from marketplace.errors import Conflict, InvalidInput
from marketplace.i18n import language_of
from marketplace.instants import NAIVE, InstantError, check_instant
from marketplace.models import MentorProfile, User, new_calendar_token
from marketplace.schedules import slot_is_bookable
from matching.services import mark_request_booked
from sessions_app import booking_hooks
from sessions_app.models import (
    FOLLOW_UP_AFTER,
    NO_SHOW_UNDO_WINDOW,
    REASON_MAX_LENGTH,
    SESSION_LENGTHS,
    TOPIC_MAX_LENGTH,
    Booking,
    BookingSeries,
    Feedback,
    OutboundMessage,
)
from sessions_app.outbox import start_delivery

SLOT_UNAVAILABLE = "slot_unavailable"
SLOT_UNAVAILABLE_MESSAGE = gettext_noop(
    "That time was just taken or is no longer offered. Please pick another slot."
)
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
    series: BookingSeries | None = None,
    series_position: int | None = None,
) -> Booking:
    """Books `mentee` with `mentor` at `start` if the slot engine says the slot is bookable right now.

    `request_id` is the mentor request this booking answers: it becomes booked in the same transaction (and
    a request that is not the mentee's is a 400 on "request", with nothing booked). `series` and
    `series_position` place it in a series (services.series.book_series books one).
    """
    now = now or timezone.now()
    topic = _clean_topic(topic)
    if mentee.pk == mentor.pk:
        raise InvalidInput("mentor", gettext("You cannot book a session with yourself."))
    if minutes not in SESSION_LENGTHS:
        raise InvalidInput("duration", gettext("Sessions last 20 or 30 minutes."))
    start = _future_start(start, now)

    _lock_people(mentee.pk, mentor.pk)
    profile = MentorProfile.objects.select_for_update().filter(user_id=mentor.pk).first()
    # Read again under the lock, not from the objects passed in: a person deactivated a moment ago (their
    # sessions cancelled under this same lock) must not be booked by a request that loaded them before.
    active = set(
        User.objects.filter(pk__in=(mentee.pk, mentor.pk), is_active=True).values_list("pk", flat=True)
    )
    if profile is None or not mentor.is_mentor or mentor.pk not in active:
        raise InvalidInput("mentor", gettext("This person does not offer mentoring sessions."))
    if mentee.pk not in active:
        raise PermissionDenied(gettext("This account has been deactivated."))
    if minutes not in profile.session_lengths:
        lengths = gettext(" or ").join(str(length) for length in sorted(profile.session_lengths))
        raise InvalidInput(
            "duration",
            gettext("%(name)s offers %(lengths)s minute sessions.")
            % {"name": mentor.name, "lengths": lengths},
        )
    if not slot_is_bookable(mentor.pk, asker_id=mentee.pk, start=start, duration_minutes=minutes, now=now):
        raise _unavailable(mentor, mentee, start, start + timedelta(minutes=minutes))

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
        series=series,
        series_position=series_position,
    )
    _write_or_conflict(booking.save)
    if request_id is not None:
        mark_request_booked(
            request_id=request_id, asker_id=mentee.pk, booking_start=start, booked_at=now, mentor_id=mentor.pk
        )
    booking_hooks.booking_made(booking)  # a wait it answers is booked (waitlists)
    _queue_messages(booking, kind=OutboundMessage.Kind.CONFIRMATION, now=now)
    _schedule_messages(booking, now=now)
    return booking


def _unavailable(mentor: User, mentee: User, start: datetime, end: datetime) -> Conflict:
    """The refusal of a slot that is not bookable, saying so when someone's own calendar has them busy then
    (one query, only when refusing)."""
    busy = busy_in_own_calendar([mentor.pk, mentee.pk], start, end)
    if mentee.pk in busy:
        return Conflict(
            SLOT_UNAVAILABLE,
            gettext("Your own calendar shows you busy at that time. Please pick another slot."),
        )
    if mentor.pk in busy:
        return Conflict(
            SLOT_UNAVAILABLE,
            gettext("%(name)s is busy elsewhere at that time. Please pick another slot.")
            % {"name": mentor.name},
        )
    return Conflict(SLOT_UNAVAILABLE, gettext(SLOT_UNAVAILABLE_MESSAGE))


@transaction.atomic
def cancel_booking(*, booking: Booking, by: User, reason: str, now: datetime | None = None) -> Booking:
    """Cancels a confirmed session that has not started; both people get a cancellation with METHOD:CANCEL."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            "reason", gettext("Keep the reason under %(count)s characters.") % {"count": REASON_MAX_LENGTH}
        )
    booking = _lock_booking(booking.pk)
    require_participant(booking, by)
    _require_confirmed_and_not_started(booking, now, action="cancelled")
    _cancel(booking, by=by, reason=reason, now=now, notify=(booking.mentee_id, booking.mentor_id))
    return booking


def _cancel(booking: Booking, *, by: User, reason: str, now: datetime, notify: tuple[int, ...]) -> None:
    """Cancels a locked, confirmed booking and queues the cancellation (METHOD:CANCEL) to `notify`."""
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
    _queue_messages(booking, kind=OutboundMessage.Kind.CANCELLATION, now=now, recipients=notify)
    time_changes.mentor_time_may_have_changed(booking.mentor_id)  # the time is free again


DEACTIVATED_REASON = gettext_noop("%(name)s's account has been deactivated.")


@transaction.atomic
def cancel_sessions_of_deactivated_person(*, person: User, now: datetime) -> list[Booking]:
    """Cancels every confirmed session of `person` that has not started yet, each with a cancellation (and its
    ICS) to the other person only, the reason in that person's language. Sessions held stay as they were.

    Locks `person` and everyone they have such a session with, lower id first as every booking does, and
    keeps them locked until the caller's transaction ends: the caller deactivates `person` in it, so that no
    booking with them can be made in between (book_session reads `is_active` under the same locks).
    """
    locked: set[int] = set()
    while True:
        upcoming = Booking.objects.filter(
            Q(mentor_id=person.pk) | Q(mentee_id=person.pk), status=Booking.Status.CONFIRMED, start__gt=now
        )
        wanted = {person.pk} | {
            other for pair in upcoming.values_list("mentor_id", "mentee_id") for other in pair
        }
        if wanted <= locked:
            break
        locked |= wanted  # a session with someone new booked meanwhile: lock them too, and look again
        _lock_people(*locked)
    bookings = list(
        upcoming.select_for_update(of=("self",)).select_related("mentor", "mentee").order_by("start", "pk")
    )
    for booking in bookings:
        other = booking.mentee if booking.mentor_id == person.pk else booking.mentor
        with translation.override(language_of(other)):
            reason = gettext(DEACTIVATED_REASON) % {"name": person.name}
        _cancel(booking, by=person, reason=reason[:REASON_MAX_LENGTH], now=now, notify=(other.pk,))
    return bookings


@transaction.atomic
def reschedule_booking(
    *, booking: Booking, by: User, start: datetime, now: datetime | None = None
) -> Booking:
    """Moves a session to `start`: either the whole move happens or the session stays where it was."""
    now = now or timezone.now()
    booking = _lock_booking(booking.pk)
    require_participant(booking, by)
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
        raise _unavailable(booking.mentor, booking.mentee, start, start + timedelta(minutes=booking.duration))

    booking.start = start
    booking.end = start + timedelta(minutes=booking.duration)
    booking.sequence += 1
    _write_or_conflict(booking.save)
    booking_hooks.booking_made(booking)  # moved into a wait's deadline (or its held slot), it answers it
    _queue_messages(booking, kind=OutboundMessage.Kind.RESCHEDULE, now=now)
    _schedule_messages(booking, now=now)
    time_changes.mentor_time_may_have_changed(booking.mentor_id)  # the old time is free again
    return booking


# Messages a no-show withdraws and its undo brings back: what is due after the session. Reminders were due
# before the start (a no-show is marked after it), so none of them comes back late.
_AFTER_SESSION_KINDS = (OutboundMessage.Kind.FEEDBACK_PROMPT, OutboundMessage.Kind.FOLLOW_UP)


@transaction.atomic
def mark_no_show(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    """The mentor records that the mentee did not come; possible once the session has started, and never for
    a session the mentee has rated (a rating says they were there). The mentor can undo it for
    NO_SHOW_UNDO_WINDOW (`undo_no_show`)."""
    now = now or timezone.now()
    booking = _lock_booking(booking.pk)
    if by.pk != booking.mentor_id:
        raise PermissionDenied(gettext("Only the mentor can mark a no-show."))
    refusal = no_show_conflict(booking, now=now)
    if refusal is not None:
        raise refusal
    booking.status = Booking.Status.NO_SHOW
    booking.no_show_marked_at = now
    booking.save()
    OutboundMessage.objects.filter(booking=booking, status=OutboundMessage.Status.PENDING).update(
        status=OutboundMessage.Status.CANCELLED
    )
    return booking


def no_show_conflict(booking: Booking, *, now: datetime) -> Conflict | None:
    """Why the session cannot be marked a no-show now (None when it can): the one rule the service and the
    pages (which offer the button only when it is None) share."""
    if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        return Conflict(
            "not_held",
            gettext("This session is %(status)s.") % {"status": booking.get_status_display().lower()},
        )
    if now < booking.start:
        return Conflict("too_early", gettext("You can mark a no-show once the session has started."))
    if Feedback.objects.filter(booking=booking, role=Feedback.Role.MENTEE).exists():
        return Conflict(
            "already_rated",
            gettext("%(name)s has rated this session, so it cannot be marked a no-show.")
            % {"name": booking.mentee.name},
        )
    return None


def no_show_refusal(booking: Booking, *, now: datetime) -> str | None:
    refusal = no_show_conflict(booking, now=now)
    return None if refusal is None else refusal.message


@transaction.atomic
def undo_no_show(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    """The mentor takes back a no-show within NO_SHOW_UNDO_WINDOW of marking it: the session is held again
    (completed, or confirmed while it has not ended), and the feedback prompts and the follow-up the no-show
    withdrew are due again."""
    now = now or timezone.now()
    booking = _lock_booking(booking.pk)
    if by.pk != booking.mentor_id:
        raise PermissionDenied(gettext("Only the mentor can undo a no-show."))
    if booking.status != Booking.Status.NO_SHOW:
        raise Conflict("not_no_show", gettext("This session is not marked as a no-show."))
    undo_until = booking.no_show_undo_until
    if undo_until is None or now > undo_until:
        hours = int(NO_SHOW_UNDO_WINDOW.total_seconds() // 3600)
        raise Conflict(
            "undo_expired",
            gettext("A no-show can be undone for %(hours)s hours after it was marked; that time has passed.")
            % {"hours": hours},
        )
    booking.status = Booking.Status.COMPLETED if booking.end <= now else Booking.Status.CONFIRMED
    booking.no_show_marked_at = None
    _write_or_conflict(booking.save)
    # At the booking's current sequence only the no-show cancels rows (a cancel or a move raises it first).
    OutboundMessage.objects.filter(
        booking=booking,
        sequence=booking.sequence,
        kind__in=_AFTER_SESSION_KINDS,
        status=OutboundMessage.Status.CANCELLED,
    ).update(status=OutboundMessage.Status.PENDING)
    transaction.on_commit(start_delivery, robust=True)
    return booking


@transaction.atomic
def complete_finished_sessions(*, now: datetime) -> int:
    """Confirmed sessions whose end has passed become completed; returns how many."""
    return Booking.objects.filter(status=Booking.Status.CONFIRMED, end__lte=now).update(
        status=Booking.Status.COMPLETED, updated_at=now
    )


def rotate_calendar_token(*, user: User) -> str:
    """A new secret for the personal calendar feed: the old feed URL stops working at once."""
    token = new_calendar_token()
    User.objects.filter(pk=user.pk).update(calendar_token=token)
    user.calendar_token = token
    return token


def meeting_url_from_template() -> str:
    return settings.MEETING_URL_TEMPLATE.format(token=secrets.token_urlsafe(9))


def _clean_topic(topic: str) -> str:
    topic = (topic or "").strip()
    if not topic:
        raise InvalidInput("topic", gettext("Say in a few words what you would like help with."))
    if len(topic) > TOPIC_MAX_LENGTH:
        raise InvalidInput(
            "topic", gettext("Keep the topic under %(count)s characters.") % {"count": TOPIC_MAX_LENGTH}
        )
    return topic


def _future_start(start: datetime, now: datetime) -> datetime:
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput("start", NAIVE)
    try:
        start = check_instant(start)
    except InstantError as error:
        raise InvalidInput("start", error.message) from None
    if start <= now:
        raise InvalidInput("start", gettext("That time has already passed: pick a time in the future."))
    return start


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


def require_participant(booking: Booking, user: User) -> None:
    if not booking.is_participant(user):
        raise PermissionDenied(gettext("Only the two people in a session can change it."))


def _require_confirmed_and_not_started(booking: Booking, now: datetime, *, action: str) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        raise Conflict(
            "not_confirmed",
            gettext("This session is %(status)s.") % {"status": booking.get_status_display().lower()},
        )
    if booking.start <= now:
        too_late = {
            "cancelled": gettext("This session has already started: it can no longer be cancelled."),
            "moved": gettext("This session has already started: it can no longer be moved."),
        }
        raise Conflict("already_started", too_late[action])


def _write_or_conflict(write) -> None:
    """Runs an insert or update of a confirmed booking; an overlap the database refuses becomes a 409.

    No savepoint of its own: the service's atomic block rolls back to its start when the Conflict leaves it.
    """
    try:
        write()
    except (IntegrityError, OperationalError) as error:
        # Concurrent exclusion-constraint checks can also end in a deadlock: the loser's write is undone.
        if getattr(error.__cause__, "pgcode", None) in (EXCLUSION_VIOLATION, DEADLOCK_DETECTED):
            raise Conflict(SLOT_UNAVAILABLE, gettext(SLOT_UNAVAILABLE_MESSAGE)) from error
        raise


def _queue_messages(
    booking: Booking, *, kind: str, now: datetime, recipients: tuple[int, ...] | None = None
) -> None:
    """Outbox rows for `recipients` (both people unless told), in the caller's transaction; delivery starts
    once it commits."""
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            booking=booking,
            kind=kind,
            recipient_id=recipient_id,
            sequence=booking.sequence,
            due_at=now,
            created_at=now,
        )
        for recipient_id in (recipients or (booking.mentee_id, booking.mentor_id))
    )
    transaction.on_commit(start_delivery, robust=True)


_SCHEDULED_KINDS = (
    OutboundMessage.Kind.REMINDER,
    OutboundMessage.Kind.FEEDBACK_PROMPT,
    OutboundMessage.Kind.FOLLOW_UP,
)


def scheduled_messages(booking: Booking, *, now: datetime) -> list[OutboundMessage]:
    """The messages a confirmed session sets up for later (docs/design.md flow 4), not yet saved.

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
