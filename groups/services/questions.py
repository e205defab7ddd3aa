"""AMA questions: asked by the host, seated and waiting people before or during the session (optionally
without their name shown to others), voted on, and marked answered by the host."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from groups import selectors
from groups.models import QUESTION_MAX_LENGTH, GroupSession, Question, Vote
from marketplace.errors import Conflict, InvalidInput
from marketplace.models import User


def _require_asker(session: GroupSession, person: User) -> None:
    if not selectors.can_ask(session, person):
        raise PermissionDenied(gettext("Join this group session to ask and vote on questions."))


def _require_not_over(session: GroupSession, now: datetime) -> None:
    if session.status == GroupSession.Status.CANCELLED:
        raise Conflict("cancelled", gettext("This group session has been cancelled."))
    if session.end <= now:
        raise Conflict("ended", gettext("This group session is over."))


@transaction.atomic
def ask_question(
    *, session: GroupSession, author: User, text: str, anonymous: bool = False, now: datetime | None = None
) -> Question:
    now = now or timezone.now()
    _require_asker(session, author)
    _require_not_over(session, now)
    text = (text or "").strip()
    if not text:
        raise InvalidInput("text", gettext("Write your question."))
    if len(text) > QUESTION_MAX_LENGTH:
        raise InvalidInput(
            "text", gettext("Keep the question under %(count)s characters.") % {"count": QUESTION_MAX_LENGTH}
        )
    return Question.objects.create(
        session=session, author=author, text=text, anonymous=anonymous, created_at=now
    )


def toggle_vote(*, question: Question, voter: User, now: datetime | None = None) -> bool:
    """My vote on a question, on or off; True when it is now on. Twice at once still counts one vote."""
    now = now or timezone.now()
    session = question.session
    _require_asker(session, voter)
    _require_not_over(session, now)
    with transaction.atomic():
        removed, _ = Vote.objects.filter(question=question, voter=voter).delete()
        if removed:
            return False
        try:
            with transaction.atomic():
                Vote.objects.create(question=question, voter=voter, created_at=now)
        except IntegrityError:  # the same vote, sent twice at once: it is on
            pass
    return True


def mark_answered(
    *, question: Question, by: User, answered: bool = True, now: datetime | None = None
) -> Question:
    if by.pk != question.session.host_id:
        raise PermissionDenied(gettext("Only the host marks questions answered."))
    question.answered_at = (now or timezone.now()) if answered else None
    question.save(update_fields=["answered_at"])
    return question
