"""Feedback after a group session: each seated attendee answers the questions a 1:1 session's feedback asks
(a rating from 1 to 5, did it help, a comment, the next step), once, after the end."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from groups import selectors
from groups.models import GroupFeedback, GroupSession
from marketplace.errors import Conflict, InvalidInput
from marketplace.models import User
from sessions_app.models import FEEDBACK_RATINGS
from sessions_app.services.feedback import save_once


def feedback_conflict(session: GroupSession, person: User, *, now: datetime) -> Conflict | None:
    """Why `person`, seated, cannot give feedback now (None when they can): the one rule the service and the
    pages (which offer the form only when it is None) share."""
    if session.status == GroupSession.Status.CANCELLED:
        return Conflict(
            "cancelled", gettext("This session was cancelled: there is nothing to give feedback on.")
        )
    if now < session.end:
        return Conflict("too_early", gettext("You can give feedback once the session has ended."))
    if GroupFeedback.objects.filter(session=session, author=person).exists():
        return Conflict("already_given", gettext("You have already given feedback on this session."))
    return None


@transaction.atomic
def give_group_feedback(
    *,
    session: GroupSession,
    by: User,
    rating: int,
    helpful: bool,
    comment: str = "",
    next_step: str = "",
    now: datetime | None = None,
) -> GroupFeedback:
    """A seated attendee's feedback, once, after the session has ended (the host and everyone else: 403)."""
    now = now or timezone.now()
    if not selectors.is_seated(session, by):
        raise PermissionDenied(gettext("Only the people seated in this session give feedback on it."))
    if rating not in FEEDBACK_RATINGS:
        raise InvalidInput("rating", gettext("Rate the session from 1 to 5."))
    refusal = feedback_conflict(session, by, now=now)
    if refusal is not None:
        raise refusal
    feedback = GroupFeedback(
        session=session,
        author=by,
        rating=rating,
        helpful=helpful,
        comment=comment.strip(),
        next_step=next_step.strip(),
        created_at=now,
    )
    return save_once(feedback)
