"""Feedback after a session and the mentee's one-week follow-up (the emails' links only pre-select an answer;
the page's POST records it through these)."""

from datetime import datetime
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext

from marketplace.errors import Conflict, InvalidInput
from marketplace.models import User
from sessions_app.models import FEEDBACK_RATINGS, FOLLOW_UP_NOTE_MAX_LENGTH, Booking, Feedback, FollowUp
from sessions_app.services.bookings import require_participant

AnyFeedback = TypeVar("AnyFeedback", bound=models.Model)


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
    booking = Booking.objects.select_related("mentor").get(pk=booking.pk)
    require_participant(booking, by)
    if rating not in FEEDBACK_RATINGS:
        raise InvalidInput("rating", gettext("Rate the session from 1 to 5."))
    if booking.status == Booking.Status.CANCELLED:
        raise Conflict(
            "cancelled", gettext("This session was cancelled: there is nothing to give feedback on.")
        )
    if booking.status == Booking.Status.NO_SHOW and by.pk == booking.mentee_id:
        raise Conflict(
            "not_held",
            gettext("%(name)s marked this session a no-show: there is nothing to rate.")
            % {"name": booking.mentor.name},
        )
    if now < booking.end:
        raise Conflict("too_early", gettext("You can give feedback once the session has ended."))
    if Feedback.objects.filter(booking=booking, author=by).exists():
        raise Conflict("already_given", gettext("You have already given feedback on this session."))
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
    return save_once(feedback)


@transaction.atomic
def complete_feedback(
    *, feedback: Feedback, by: User, rating: int, helpful: bool, comment: str = "", next_step: str = ""
) -> Feedback:
    """The author finishes (or corrects) their own feedback on the feedback page."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.author_id != by.pk:
        raise PermissionDenied(gettext("Only the author can change their feedback."))
    if rating not in FEEDBACK_RATINGS:
        raise InvalidInput("rating", gettext("Rate the session from 1 to 5."))
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
    """The mentee's one-week answer (yes / partly / no, and a line on what changed), once per session, from
    FOLLOW_UP_AFTER (a week) after the end: the question is whether the session helped in the week after."""
    now = now or timezone.now()
    booking = Booking.objects.get(pk=booking.pk)
    if by.pk != booking.mentee_id:
        raise PermissionDenied(gettext("Only the mentee answers the follow-up."))
    if outcome not in FollowUp.Outcome.values:
        raise InvalidInput("outcome", gettext("Answer yes, partly or no."))
    note = (note or "").strip()
    if len(note) > FOLLOW_UP_NOTE_MAX_LENGTH:
        raise InvalidInput(
            "note",
            gettext("Keep the note under %(count)s characters.") % {"count": FOLLOW_UP_NOTE_MAX_LENGTH},
        )
    refusal = follow_up_conflict(booking, now=now)
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            return FollowUp.objects.create(booking=booking, outcome=outcome, note=note, created_at=now)
    except IntegrityError as error:
        raise Conflict("already_given", gettext("You have already answered the follow-up.")) from error


def follow_up_conflict(booking: Booking, *, now: datetime) -> Conflict | None:
    """Why the mentee cannot answer the follow-up now (None when they can): the one rule the service and the
    pages (which offer the form and the link only when it is None) share. Whether it was already answered
    is the caller's to check."""
    if booking.status in (Booking.Status.CANCELLED, Booking.Status.NO_SHOW):
        return Conflict(
            "not_held",
            gettext("This session is %(status)s.") % {"status": booking.get_status_display().lower()},
        )
    later = booking.later_session_of_its_series()
    if later is not None:
        return Conflict("too_early", follow_up_not_open_message(later, series=True))
    if now < booking.follow_up_opens_at:
        return Conflict("too_early", follow_up_not_open_message(booking))
    return None


def follow_up_not_open_message(booking: Booking, *, series: bool = False) -> str:
    """Says when the follow-up opens, in the active time zone (the person's, on pages); with `series`,
    that `booking` is the last session of a series, whose follow-up it takes."""
    opens = formats.date_format(timezone.localtime(booking.follow_up_opens_at), gettext("l j F Y, H:i"))
    if series:
        return gettext(
            "This session is part of a series: the one-week follow-up comes a week after its last session, "
            "on %(date)s."
        ) % {"date": opens}
    return gettext("The one-week follow-up opens a week after the session, on %(date)s.") % {"date": opens}


def save_once(feedback: AnyFeedback) -> AnyFeedback:
    """Stores one person's feedback (on a session or a group session): the same person twice at the same
    moment is a 409 already_given, from the database's once-per-person constraint."""
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError as error:
        raise Conflict(
            "already_given", gettext("You have already given feedback on this session.")
        ) from error
    return feedback
