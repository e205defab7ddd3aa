"""Pages of sessions: the booking confirm step, my sessions, one session, cancel, reschedule, no-show, the
secret calendar feed."""

from collections import defaultdict
from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.errors import Conflict, InvalidInput
from marketplace.http import SignedInPageRequest
from marketplace.schedules import slot_is_bookable
from marketplace.slots import Interval
from marketplace.timezones import get_zone
from sessions_app import calendar, list_sections, selectors
from sessions_app.forms import (
    BookingForm,
    CancelForm,
    NoShowForm,
    RescheduleForm,
    SlotForm,
)
from sessions_app.models import NO_SHOW_UNDO_WINDOW, SERIES_COUNTS, SERIES_EVERY_WEEKS, Booking
from sessions_app.services import bookings, series
from sessions_app.services.feedback import follow_up_conflict

PAST_PAGE_SIZE = 20


@login_required
@require_http_methods(["GET", "POST"])
def book_session(request: SignedInPageRequest) -> HttpResponse:
    """The confirm step after a slot button: topic and length, then book (or say the slot just went). From a
    request's shortlist the topic is the request's, and its context is shown as the mentor will get it."""
    slot = SlotForm(request.POST if request.method == "POST" else request.GET)
    if not slot.is_valid() or not slot.cleaned_data.get("start"):
        return render(request, "sessions_app/book_invalid.html", {"errors": slot.errors}, status=400)
    mentor = slot.cleaned_data["mentor"]
    need = selectors.request_being_booked(request.user, slot.cleaned_data.get("request"))
    lengths = sorted(mentor.mentor_profile.session_lengths)
    status = 200
    if request.method == "POST":
        form = BookingForm(request.POST, lengths=lengths)
        if form.is_valid():
            data = form.cleaned_data
            repeat = (
                series.Repeat(count=data["times"], every_weeks=data["repeat"]) if data.get("repeat") else None
            )
            try:
                booked = series.book_once_or_series(
                    mentee=request.user,
                    mentor=mentor,
                    start=data["start"],
                    minutes=data["duration"],
                    topic=data["topic"],
                    request_id=data.get("request"),
                    repeat=repeat,
                )
            except Conflict as error:
                form.add_error(None, error.message)
                status = 409
            except InvalidInput as error:
                form.add_error(error.field if error.field in ("topic", "duration") else None, error.message)
                status = 400
            else:
                messages.success(request, _booked_message(booked, mentor))
                return redirect("session-detail", pk=booked[0].pk)
        else:
            status = 400
    else:
        wanted = slot.cleaned_data.get("duration")
        form = BookingForm(
            initial={
                "mentor": mentor.pk,
                "start": request.GET.get("start"),
                "request": slot.cleaned_data.get("request"),
                "duration": wanted if wanted in lengths else lengths[-1],
                "topic": request.GET.get("topic", "")[:200] or (need.topic if need else ""),
                "repeat": "",
                "times": SERIES_COUNTS.low,
            },
            lengths=lengths,
        )
    start = slot.cleaned_data["start"]
    duration = (form.cleaned_data.get("duration") if form.is_bound else None) or form.initial.get("duration")
    still_free = request.user.pk != mentor.pk and slot_is_bookable(
        mentor.pk,
        asker_id=request.user.pk,
        start=start,
        duration_minutes=duration or lengths[-1],
        now=timezone.now(),
    )
    context = {
        "form": form,
        "mentor": mentor,
        "start": start,
        "start_iso": start.isoformat().replace("+00:00", "Z"),
        "lengths": lengths,
        "is_self": request.user.pk == mentor.pk,
        "still_free": still_free,
        "need": need,
        "mentor_zone": mentor.mentor_profile.availability_timezone,
        "series_dates": _series_dates(request, mentor, start, minutes=duration or lengths[-1]),
    }
    return render(request, "sessions_app/book.html", context, status=status)


def _series_dates(
    request: SignedInPageRequest, mentor, start: datetime, *, minutes: int
) -> list[tuple[int, list[tuple[datetime, bool]]]]:
    """The dates a weekly and an every-other-week series from `start` would have, each with whether it is
    free on its own, so that the choice is made seeing them (no script needed)."""
    zone = mentor.mentor_profile.availability_timezone
    dates = {
        every_weeks: series.series_starts(start, zone, series.Repeat(SERIES_COUNTS.high, every_weeks))
        for every_weeks in SERIES_EVERY_WEEKS
    }
    free: set[datetime] = set()
    if request.user.pk != mentor.pk:
        free = selectors.bookable_starts(
            mentor.pk,
            asker_id=request.user.pk,
            starts={when for starts in dates.values() for when in starts},
            minutes=minutes,
            now=timezone.now(),
        )
    return [(every_weeks, [(when, when in free) for when in starts]) for every_weeks, starts in dates.items()]


def _booked_message(booked: list[Booking], mentor) -> str:
    """What the person is told once booked: for a series, every date, on their own clock."""
    first = booked[0]
    if len(booked) == 1:
        return gettext("Booked: %(duration)s minutes with %(name)s.") % {
            "duration": first.duration,
            "name": mentor.name,
        }
    dates = ", ".join(
        formats.date_format(timezone.localtime(booking.start), gettext("D j M Y, H:i")) for booking in booked
    )
    return gettext("Booked: %(count)s sessions of %(duration)s minutes with %(name)s, on %(dates)s.") % {
        "count": len(booked),
        "duration": first.duration,
        "name": mentor.name,
        "dates": dates,
    }


@login_required
@require_GET
def session_list(request: SignedInPageRequest) -> HttpResponse:
    now = timezone.now()
    past = Paginator(selectors.past_sessions(request.user, now=now), PAST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "upcoming": list(selectors.upcoming_sessions(request.user, now=now)),
        "past": past,
        "now": now,
        "feed_url": calendar.feed_url(request.user),
        "list_sections": list_sections.list_sections(request.user, now),
    }
    return render(request, "sessions_app/session_list.html", context)


@login_required
@require_GET
def session_detail(request: SignedInPageRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for_participant(pk, request.user)
    return _render_detail(request, booking, CancelForm())


@login_required
@require_POST
def cancel_session(request: SignedInPageRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for_participant(pk, request.user)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, booking, form, status=400)
    reason = form.cleaned_data["reason"]
    try:
        cancelled = series.cancel_sessions(
            booking=booking, by=request.user, reason=reason, scope=form.cleaned_data["scope"] or series.THIS
        )
    except (Conflict, InvalidInput) as error:
        form.add_error(None, error.message)
        return _render_detail(request, booking, form, status=error.status_code)
    if len(cancelled) == 1:
        done = gettext("Session cancelled. You both get an email with the calendar update.")
    else:
        done = ngettext(
            "%(count)s session cancelled. You both get an email with the calendar update for each.",
            "%(count)s sessions cancelled. You both get an email with the calendar update for each.",
            len(cancelled),
        ) % {"count": len(cancelled)}
    messages.success(request, done)
    return redirect("session-list")


@login_required
@require_http_methods(["GET", "POST"])
def mark_no_show(request: SignedInPageRequest, pk: int) -> HttpResponse:
    """The no-show's confirm step: a page with a box to tick (no script needed), whose POST records it."""
    booking = selectors.booking_for_participant(pk, request.user)
    if booking.mentor_id != request.user.pk:
        raise PermissionDenied(gettext("Only the mentor can mark a no-show."))
    form = NoShowForm(request.POST if request.method == "POST" else None)
    problem, status = bookings.no_show_refusal(booking, now=timezone.now()), 200
    if problem is not None:
        status = 409
    elif request.method == "POST":
        if form.is_valid():
            try:
                booking = bookings.mark_no_show(booking=booking, by=request.user)
            except Conflict as error:
                problem, status = error.message, error.status_code
            else:
                undo_until = formats.date_format(
                    timezone.localtime(booking.no_show_undo_until), gettext("l j F, H:i")
                )
                messages.success(
                    request,
                    gettext("Marked as a no-show. You can undo it until %(until)s.") % {"until": undo_until},
                )
                return redirect("session-detail", pk=booking.pk)
        else:
            status = 400
    context = {
        "booking": booking,
        "other": booking.mentee,
        "form": form,
        "problem": problem,
        "undo_hours": int(NO_SHOW_UNDO_WINDOW.total_seconds() // 3600),
    }
    return render(request, "sessions_app/no_show.html", context, status=status)


@login_required
@require_POST
def undo_no_show(request: SignedInPageRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for_participant(pk, request.user)
    try:
        bookings.undo_no_show(booking=booking, by=request.user)
    except Conflict as error:
        return _render_detail(request, booking, CancelForm(), status=error.status_code, problem=error.message)
    messages.success(request, gettext("The no-show is undone: the session counts as held."))
    return redirect("session-detail", pk=booking.pk)


@login_required
@require_http_methods(["GET", "POST"])
def reschedule_session(request: SignedInPageRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for_participant(pk, request.user)
    error = None
    status = 200
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid() and form.cleaned_data["start"]:
            try:
                bookings.reschedule_booking(
                    booking=booking, by=request.user, start=form.cleaned_data["start"]
                )
            except (Conflict, InvalidInput) as problem:
                error, status = problem.message, problem.status_code
            else:
                messages.success(
                    request, gettext("Session moved. You both get an email with the calendar update.")
                )
                return redirect("session-detail", pk=booking.pk)
        else:
            error, status = gettext("Pick one of the times below."), 400
        booking = selectors.booking_for_participant(pk, request.user)
    can_move = booking.status == Booking.Status.CONFIRMED and booking.start > timezone.now()
    slots = selectors.reschedule_slots(booking, now=timezone.now()) if can_move else []
    context = {
        "booking": booking,
        "other": booking.other_participant(request.user),
        "days": _slots_by_day(slots, request.user.timezone),
        "error": error,
        "can_move": can_move,
    }
    return render(request, "sessions_app/reschedule.html", context, status=status)


@login_required
@require_POST
def rotate_calendar_feed(request: SignedInPageRequest) -> HttpResponse:
    bookings.rotate_calendar_token(user=request.user)
    messages.success(request, gettext("Your calendar feed has a new address; the old one no longer works."))
    return redirect("session-list")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret personal feed: no login, the token in the URL is the key (rotate it to revoke)."""
    user = selectors.user_by_calendar_token(token)
    now = timezone.now()
    sessions = selectors.calendar_feed_sessions(user, now=now)
    events = calendar.feed_events(user, now=now)
    response = HttpResponse(
        calendar.feed_ics(user, sessions, events), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


def _render_detail(
    request: SignedInPageRequest,
    booking: Booking,
    cancel_form: CancelForm,
    status: int = 200,
    problem: str | None = None,
) -> HttpResponse:
    now = timezone.now()
    is_mentor = booking.mentor_id == request.user.pk
    feedback = selectors.session_feedback(booking)
    undo_until = booking.no_show_undo_until
    undo_open = undo_until is not None and now <= undo_until
    context = {
        "series_sessions": selectors.series_sessions(booking),
        "later_in_series": booking.later_sessions_to_cancel(),
        "feedback": [item for item in feedback if is_mentor or item.author_id == request.user.pk],
        "can_give_feedback": booking.end <= now
        and booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)
        and not any(item.author_id == request.user.pk for item in feedback),
        "follow_up": selectors.follow_up_of(booking),
        "booking": booking,
        "other": booking.other_participant(request.user),
        "is_mentor": is_mentor,
        "can_change": booking.status == Booking.Status.CONFIRMED and booking.start > now,
        "can_mark_no_show": is_mentor and bookings.no_show_refusal(booking, now=now) is None,
        "can_undo_no_show": is_mentor and undo_open,
        "no_show_undo_open": undo_open,
        "follow_up_refusal": follow_up_conflict(booking, now=now),
        "cancel_form": cancel_form,
        "problem": problem,
    }
    return render(request, "sessions_app/session_detail.html", context, status=status)


def _slots_by_day(slots: list[Interval], zone_name: str) -> list[tuple[datetime, list[tuple[datetime, str]]]]:
    """Slots grouped by the viewer's local day, for rows of buttons."""
    try:
        zone = get_zone(zone_name)
    except ValueError:
        zone = get_zone("UTC")
    days: dict[date, list[tuple[datetime, str]]] = defaultdict(list)
    for slot in slots:
        local = slot.start.astimezone(zone)
        days[local.date()].append((local, slot.start.isoformat().replace("+00:00", "Z")))
    return [(items[0][0], items) for _, items in sorted(days.items())]
