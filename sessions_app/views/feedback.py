"""Pages of what people say after a session: feedback and the one-week follow-up, signed in or from the
e-mail's signed link (which only pre-selects an answer: a POST records it)."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from marketplace.errors import Conflict, InvalidInput
from marketplace.models import User
from sessions_app import links, selectors
from sessions_app.forms import (
    FeedbackForm,
    FollowUpForm,
)
from sessions_app.models import FEEDBACK_RATINGS, Booking, FollowUp
from sessions_app.services.feedback import (
    complete_feedback,
    follow_up_conflict,
    give_feedback,
    record_follow_up,
)


@require_http_methods(["GET", "POST"])
def session_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The feedback page: from the prompt email's signed link (no password) or signed in.

    `?rating=N` (the email's rating links) pre-selects the rating; only the form's POST records anything.
    """
    token = request.POST.get("t") or request.GET.get("t") or ""
    found = _booking_from_link_or_login(request, pk, token, purpose=links.FEEDBACK)
    if isinstance(found, HttpResponse):
        return found
    booking, person = found
    feedback = selectors.feedback_of(booking, person)
    problem, status, notice = None, 200, None
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                if feedback is None:
                    give_feedback(booking=booking, by=person, **form.cleaned_data)
                else:
                    complete_feedback(feedback=feedback, by=person, **form.cleaned_data)
            except (Conflict, InvalidInput) as error:
                problem, status = error.message, error.status_code
            else:
                return redirect(_with_token(request.path, token, "saved=1"))
        else:
            status = 400
    else:
        # Mail scanners open every link in a message, so the email's `?rating=N` only pre-selects the
        # choice; the person's own POST records it.
        initial: dict[str, object] = {"helpful": "yes"}
        rating = request.GET.get("rating", "")
        if feedback is not None:
            initial = {
                "rating": feedback.rating,
                "helpful": "yes" if feedback.helpful else "no",
                "next_step": feedback.next_step,
                "comment": feedback.comment,
            }
        elif rating in {str(value) for value in FEEDBACK_RATINGS.values()}:
            initial = {"rating": int(rating), "helpful": "yes" if int(rating) >= 3 else "no"}
            notice = gettext(
                "Confirm your rating (%(rating)s/5) with the button below; add a line if you like."
            ) % {"rating": rating}
        if request.GET.get("saved"):
            notice = gettext("Thank you: your feedback is saved.")
        form = FeedbackForm(initial=initial)
    context = {
        "booking": booking,
        "person": person,
        "other": booking.other_participant(person),
        "form": form,
        "feedback": feedback,
        "token": token,
        "problem": problem,
        "notice": notice,
        "ended": booking.end <= timezone.now(),
    }
    return render(request, "sessions_app/feedback.html", context, status=status)


@require_http_methods(["GET", "POST"])
def session_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-week follow-up page (mentee): from the email's signed link or signed in.

    `?outcome=yes|partly|no` (the email's answer links) pre-selects the answer; only the POST records it.
    """
    token = request.POST.get("t") or request.GET.get("t") or ""
    found = _booking_from_link_or_login(request, pk, token, purpose=links.FOLLOW_UP)
    if isinstance(found, HttpResponse):
        return found
    booking, person = found
    if person.pk != booking.mentee_id:
        raise PermissionDenied(gettext("Only the mentee answers the follow-up."))
    follow_up = selectors.follow_up_of(booking)
    refusal = None if follow_up else follow_up_conflict(booking, now=timezone.now())
    problem, status = (refusal.message if refusal else None), 200
    if request.method == "POST":
        form = FollowUpForm(request.POST)
    else:
        outcome = request.GET.get("outcome")
        form = FollowUpForm(initial={"outcome": outcome} if outcome in FollowUp.Outcome.values else {})
    if request.method == "POST" and follow_up is None:
        if refusal is not None:
            status = refusal.status_code
        elif form.is_valid():
            try:
                follow_up = record_follow_up(booking=booking, by=person, **form.cleaned_data)
            except (Conflict, InvalidInput) as error:
                problem, status = error.message, error.status_code
        else:
            status = 400
    context = {
        "booking": booking,
        "other": booking.mentor,
        "form": form,
        "follow_up": follow_up,
        "token": token,
        "problem": problem,
        "can_answer": follow_up is None and refusal is None,
    }
    return render(request, "sessions_app/follow_up.html", context, status=status)


def _booking_from_link_or_login(
    request: HttpRequest, pk: int, token: str, *, purpose: str
) -> tuple[Booking, User] | HttpResponse:
    """(booking, person) from a signed link, else from the signed-in user; else the answer to give instead:
    the "link not valid" page (403) for a bad link, the login page for a visitor with no link."""
    if token:
        try:
            return selectors.booking_for_link(pk, token, purpose=purpose)
        except links.BadLink as error:
            return render(request, "sessions_app/link_invalid.html", {"error": str(error)}, status=403)
    if request.user.is_authenticated:
        return selectors.booking_for_participant(pk, request.user), request.user
    return redirect_to_login(request.get_full_path())


def _with_token(path: str, token: str, query: str) -> str:
    return f"{path}?t={token}&{query}" if token else f"{path}?{query}"
