"""Pages of group sessions: the list (filterable by skill), one session (seats left, who is coming, join,
leave, the waiting list, questions), publishing, changing and cancelling for hosts, the attendee list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import selectors
from groups.forms import CancelForm, FilterForm, GroupSessionEditForm, GroupSessionForm, QuestionForm
from groups.models import GroupSession, Seat
from groups.services import questions as question_services
from groups.services.feedback import feedback_conflict, give_group_feedback
from groups.services.seats import join_session, leave_session
from groups.services.sessions import THIS, cancel_group_session, create_group_session, update_group_session
from marketplace.errors import Conflict, InvalidInput
from marketplace.http import SignedInPageRequest
from marketplace.ratings import rating_for_page
from sessions_app.forms import FeedbackForm
from sessions_app.models import FEEDBACK_RATINGS

PAGE_SIZE = 20


@login_required
@require_GET
def group_session_list(request: SignedInPageRequest) -> HttpResponse:
    now = timezone.now()
    form = FilterForm(request.GET)
    skill = form.cleaned_data.get("skill") if form.is_valid() else None
    sessions = selectors.group_sessions(now=now, skill=skill.slug if skill else None, upcoming=True)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    mine = selectors.my_seats(request.user, [session.pk for session in page])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "cards": [(session, mine.get(session.pk)) for session in page],
        "query": query.urlencode(),
        "now": now,
    }
    return render(request, "groups/session_list.html", context, status=200 if form.is_valid() else 400)


def _detail_context(request: SignedInPageRequest, session: GroupSession) -> dict:
    now = timezone.now()
    is_host = request.user.pk == session.host_id
    seat = selectors.live_seat(session, request.user)
    seated = selectors.seated_people(session, limit=selectors.SEATED_NAMES_SHOWN + 1)
    can_ask = is_host or seat is not None
    return {
        "session": session,
        "state": session.state(now),
        "is_host": is_host,
        "seat": seat,
        "open": session.status == GroupSession.Status.SCHEDULED and session.start > now,
        "seated_names": [
            person.name for person in seated[: selectors.SEATED_NAMES_SHOWN] if person != request.user
        ],
        "more_seated": max(session.seats_taken - selectors.SEATED_NAMES_SHOWN, 0),
        "can_ask": can_ask,
        "questions": list(selectors.questions(session, request.user)) if can_ask else [],
        "question_form": QuestionForm(),
        "cancel_form": CancelForm(),
        "sees_link": is_host or (seat is not None and seat.status == Seat.Status.SEATED),
        "feedback_open": seat is not None
        and seat.status == Seat.Status.SEATED
        and feedback_conflict(session, request.user, now=now) is None,
        "feedback_given": seat is not None
        and seat.status == Seat.Status.SEATED
        and session.end <= now
        and selectors.feedback_of(session, request.user) is not None,
    }


@login_required
@require_GET
def group_session_detail(request: SignedInPageRequest, pk: int) -> HttpResponse:
    session = selectors.group_session(pk)
    return render(request, "groups/session_detail.html", _detail_context(request, session))


def _detail_with_error(request: SignedInPageRequest, session: GroupSession, error, **extra) -> HttpResponse:
    context = {**_detail_context(request, session), "error": error.message, **extra}
    return render(request, "groups/session_detail.html", context, status=error.status_code)


@login_required
@require_POST
def join(request: SignedInPageRequest, pk: int) -> HttpResponse:
    session = selectors.group_session(pk)
    try:
        seat = join_session(session=session, person=request.user)
    except (Conflict, InvalidInput) as error:
        return _detail_with_error(request, selectors.group_session(pk), error)
    if seat.status == Seat.Status.SEATED:
        messages.success(request, gettext("You have a seat. The invite is on its way to your inbox."))
    else:
        messages.success(
            request,
            gettext("The session is full: you are number %(position)s on the waiting list.")
            % {"position": seat.position},
        )
    return redirect("group-session-detail", pk=pk)


@login_required
@require_POST
def leave(request: SignedInPageRequest, pk: int) -> HttpResponse:
    session = selectors.group_session(pk)
    try:
        leave_session(session=session, person=request.user)
    except Conflict as error:
        return _detail_with_error(request, selectors.group_session(pk), error)
    messages.success(request, gettext("You left this group session."))
    return redirect("group-session-detail", pk=pk)


def _put_error(form, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
@require_http_methods(["GET", "POST"])
def group_session_new(request: SignedInPageRequest) -> HttpResponse:
    if not request.user.is_mentor:
        raise PermissionDenied(gettext("Only mentors host group sessions."))
    status = 200
    if request.method == "POST":
        form = GroupSessionForm(request.POST)
        if form.is_valid():
            try:
                session = create_group_session(host=request.user, **form.cleaned_data)
            except InvalidInput as error:
                _put_error(form, error)
                status = 400
            except Conflict as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 409
            else:
                repeats = form.cleaned_data["repeat_weeks"]
                messages.success(
                    request,
                    ngettext(
                        "Published: %(count)s session.", "Published: %(count)s sessions, weekly.", repeats + 1
                    )
                    % {"count": repeats + 1},
                )
                return redirect("group-session-detail", pk=session.pk)
        else:
            status = 400
    else:
        form = GroupSessionForm()
    return render(request, "groups/session_form.html", {"form": form, "session": None}, status=status)


def _hosted(request: SignedInPageRequest, pk: int) -> GroupSession:
    session = selectors.group_session(pk)
    if request.user.pk != session.host_id:
        raise PermissionDenied(gettext("Only the host can change this group session."))
    return session


@login_required
@require_http_methods(["GET", "POST"])
def group_session_edit(request: SignedInPageRequest, pk: int) -> HttpResponse:
    session = _hosted(request, pk)
    in_series = session.series_id is not None
    status = 200
    if request.method == "POST":
        form = GroupSessionEditForm(request.POST, in_series=in_series)
        if form.is_valid():
            try:
                update_group_session(
                    session=session, by=request.user, changes=form.changes(), scope=form.chosen_scope()
                )
            except InvalidInput as error:
                _put_error(form, error)
                status = 400
            except Conflict as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 409
            else:
                messages.success(
                    request, gettext("Saved. Everyone seated gets the change in their calendar.")
                )
                return redirect("group-session-detail", pk=pk)
        else:
            status = 400
    else:
        form = GroupSessionEditForm(
            in_series=in_series,
            initial={
                "title": session.title,
                "description": session.description,
                "skills": list(session.skills.all()),
                "start": timezone.localtime(session.start),
                "duration": session.duration,
                "capacity": session.capacity,
                "meeting_url": session.meeting_url,
                "scope": THIS,
            },
        )
    context = {"form": form, "session": session, "cancel_form": CancelForm()}
    return render(request, "groups/session_form.html", context, status=status)


@login_required
@require_POST
def group_session_cancel(request: SignedInPageRequest, pk: int) -> HttpResponse:
    session = _hosted(request, pk)
    form = CancelForm(request.POST)
    scope = (form.cleaned_data.get("scope") if form.is_valid() else None) or THIS
    try:
        cancelled = cancel_group_session(session=session, by=request.user, scope=scope)
    except (Conflict, InvalidInput) as error:
        return _detail_with_error(request, session, error)
    messages.success(
        request,
        ngettext(
            "Cancelled. Everyone who had joined is told by email.",
            "%(count)s sessions cancelled. Everyone who had joined is told by email.",
            len(cancelled),
        )
        % {"count": len(cancelled)},
    )
    return redirect("group-session-detail", pk=pk)


@login_required
@require_GET
def attendees(request: SignedInPageRequest, pk: int) -> HttpResponse:
    session = _hosted(request, pk)
    seated, waiting = selectors.attendees(session)
    summary = selectors.ratings_summary(session)
    context = {
        "session": session,
        "seated": seated,
        "waiting": waiting,
        "questions": selectors.questions(session, request.user),
        "summary": summary,
        "average": None if summary.average is None else rating_for_page(summary.average),
        "helpful_percent": None if summary.helpful_share is None else round(summary.helpful_share * 100),
        "now": timezone.now(),
    }
    return render(request, "groups/attendees.html", context)


def _asker_session(request: SignedInPageRequest, pk: int) -> GroupSession:
    session = selectors.group_session(pk)
    if not selectors.can_ask(session, request.user):
        raise PermissionDenied(gettext("Join this group session to ask and vote on questions."))
    return session


@login_required
@require_POST
def ask(request: SignedInPageRequest, pk: int) -> HttpResponse:
    session = _asker_session(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question_services.ask_question(session=session, author=request.user, **form.cleaned_data)
        except InvalidInput as error:
            _put_error(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
    if form.errors:
        context = {**_detail_context(request, session), "question_form": form}
        return render(request, "groups/session_detail.html", context, status=400)
    messages.success(request, gettext("Question added."))
    return redirect(_detail_url(pk, "questions"))


@login_required
@require_POST
def vote(request: SignedInPageRequest, pk: int, qid: int) -> HttpResponse:
    session = _asker_session(request, pk)
    question = selectors.question_of(session, qid)
    try:
        question_services.toggle_vote(question=question, voter=request.user)
    except Conflict as error:
        messages.error(request, error.message)
    return redirect(_detail_url(pk, f"question-{qid}"))


@login_required
@require_POST
def answered(request: SignedInPageRequest, pk: int, qid: int) -> HttpResponse:
    session = _hosted(request, pk)
    question = selectors.question_of(session, qid)
    question_services.mark_answered(
        question=question, by=request.user, answered=request.POST.get("answered") != "0"
    )
    if request.POST.get("next") == "attendees":
        return redirect("group-session-attendees", pk=pk)
    return redirect(_detail_url(pk, f"question-{qid}"))


def _detail_url(pk: int, anchor: str) -> str:
    return f"{reverse('group-session-detail', args=[pk])}#{anchor}"


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: SignedInPageRequest, pk: int) -> HttpResponse:
    """A seated attendee's feedback after the session, once. The prompt's `?rating=N` links only pre-select
    the rating (mail scanners open every link); the form's POST records it."""
    session = selectors.group_session(pk)
    if not selectors.is_seated(session, request.user):
        raise PermissionDenied(gettext("Only the people seated in this session give feedback on it."))
    now = timezone.now()
    status, notice, problem = 200, None, None
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                give_group_feedback(session=session, by=request.user, **form.cleaned_data)
            except (Conflict, InvalidInput) as error:
                problem, status = error.message, error.status_code
            else:
                return redirect(f"{reverse('group-session-feedback', args=[pk])}?saved=1")
        else:
            status = 400
    else:
        initial: dict[str, object] = {"helpful": "yes"}
        rating = request.GET.get("rating", "")
        if rating in {str(value) for value in FEEDBACK_RATINGS.values()}:
            initial = {"rating": int(rating), "helpful": "yes" if int(rating) >= 3 else "no"}
            notice = gettext(
                "Confirm your rating (%(rating)s/5) with the button below; add a line if you like."
            ) % {"rating": rating}
        form = FeedbackForm(initial=initial)
    given = selectors.feedback_of(session, request.user)
    if given is not None and request.GET.get("saved"):
        notice = gettext("Thank you: your feedback is saved.")
    refusal = feedback_conflict(session, request.user, now=now)
    context = {
        "session": session,
        "form": form,
        "given": given,
        "refusal": None if refusal is None or given is not None else refusal.message,
        "notice": notice,
        "problem": problem,
    }
    return render(request, "groups/feedback.html", context, status=status)
