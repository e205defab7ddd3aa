"""Pages of the marketplace: home, profile, weekly availability, browsing mentors."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from marketplace import home as home_data
from marketplace import profile_sections, schedules, selectors, services
from marketplace.errors import InvalidInput
from marketplace.forms import (
    MAX_ROWS_PER_DAY,
    MentorFilterForm,
    ProfileForm,
    TimeOffForm,
    WeekEditor,
    small_count,
    working_hours_initial,
)
from marketplace.http import SignedInPageRequest, other_times_query, shows_all_times
from marketplace.models import TIMEZONE_CHOICES, Skill, TimeOff, User
from marketplace.slots import Interval
from marketplace.timezones import whole_local_days

MENTORS_PER_PAGE = 20
PREVIEW_DAYS = 14


def home(request: HttpRequest) -> HttpResponse:
    context: dict = {}
    if request.user.is_authenticated:
        context["home"] = home_data.home_page(request.user, now=timezone.now())
    else:
        context["mentor_count"] = User.objects.filter(is_mentor=True, is_active=True).count()
        context["skill_count"] = Skill.objects.count()
    return render(request, "home.html", context)


def _book_url() -> str | None:
    try:
        return reverse("book-session")
    except NoReverseMatch:
        return None


# --- Browsing ---


@login_required
def mentor_list(request: SignedInPageRequest) -> HttpResponse:
    form = MentorFilterForm(request.GET or None)
    filters = selectors.MentorFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.MentorFilters(
            skill=data["skill"].slug if data["skill"] else None,
            q=data["q"] or "",
            department=data["department"].pk if data["department"] else None,
            available_before=data["available_before"],
        )
    all_times = shows_all_times(request)
    now = timezone.now()
    ids = selectors.browsable_mentor_ids(
        filters, viewer_id=request.user.pk, now=now, within_working_hours=not all_times
    )
    page = Paginator(ids, MENTORS_PER_PAGE).get_page(request.GET.get("page"))
    cards = selectors.mentor_cards(
        list(page.object_list),
        viewer_id=request.user.pk,
        now=now,
        slot_count=3,
        within_working_hours=not all_times,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "marketplace/mentor_list.html",
        {
            "form": form,
            "page": page,
            "cards": cards,
            "query": query.urlencode(),
            "book_url": _book_url(),
            "all_times": all_times,
            "other_times_query": other_times_query(request),
        },
    )


def _slots_by_day(slots: list[Interval], zone: ZoneInfo) -> list[tuple[datetime, list[datetime]]]:
    local = [slot.start.astimezone(zone) for slot in slots]
    return [
        (day_slots[0], day_slots)
        for _, group in groupby(local, key=lambda moment: moment.date())
        for day_slots in [list(group)]
    ]


@login_required
def mentor_detail(request: SignedInPageRequest, pk: int) -> HttpResponse:
    mentor = selectors.mentor_or_404(pk)
    cards = selectors.mentor_cards([mentor.pk], viewer_id=request.user.pk, now=timezone.now())
    if not cards:
        raise Http404
    settings = selectors.mentoring_settings(mentor)
    try:
        duration = int(request.GET.get("duration", min(settings.session_lengths)))
    except ValueError:
        duration = min(settings.session_lengths)
    if duration not in settings.session_lengths:
        duration = min(settings.session_lengths)
    now = timezone.now()
    viewer_zone = ZoneInfo(request.user.timezone)
    start_of_today = datetime.combine(now.astimezone(viewer_zone).date(), time(), tzinfo=viewer_zone)
    all_times = shows_all_times(request)
    slots: list[Interval] = []
    outside_hours_only = False
    if settings.accepting and mentor.pk != request.user.pk:

        def listed(within_working_hours: bool) -> list[Interval]:
            return schedules.slots_for_mentor(
                mentor.pk,
                asker_id=request.user.pk,
                start=now,
                end=start_of_today + timedelta(days=PREVIEW_DAYS),
                duration_minutes=duration,
                now=now,
                within_working_hours=within_working_hours,
            )

        slots = listed(not all_times)
        # Nothing inside both working days: say whether "show all times" would find something.
        outside_hours_only = not slots and not all_times and bool(listed(False))
    sections = profile_sections.mentor_page_sections(
        profile_sections.MentorPageView(
            viewer=request.user,
            mentor=mentor,
            accepting=settings.accepting,
            session_lengths=tuple(settings.session_lengths),
            duration=duration,
            slots=tuple(slots),
            request_id=request.GET.get("request", ""),
            now=now,
        )
    )
    return render(
        request,
        "marketplace/mentor_detail.html",
        {
            "card": cards[0],
            "mentor": mentor,
            "settings": settings,
            "duration": duration,
            "days": _slots_by_day(slots, viewer_zone),
            "all_times": all_times,
            "outside_hours_only": outside_hours_only,
            "other_times_query": other_times_query(request),
            "mentor_now": now,  # rendered on the mentor's clock by the template's {% timezone %}
            "book_url": _book_url(),
            "request_id": request.GET.get("request", ""),
            "topic": request.GET.get("topic", "")[:200],
            "is_self": mentor.pk == request.user.pk,
            "sections": sections,
        },
    )


# --- Profile ---


def _profile_initial(user: User) -> dict:
    settings = selectors.mentoring_settings(user)
    initial = {
        "display_name": user.display_name,
        "department": user.department_id,
        "job_title": user.job_title,
        "job_level": user.job_level,
        "timezone": user.timezone,
        "language": user.language,
        "headline": user.headline,
        "bio": user.bio,
        "is_mentor": user.is_mentor,
        "accepting": settings.accepting,
        "session_lengths": settings.session_lengths,
        "min_notice_minutes": settings.min_notice_minutes,
        "buffer_minutes": settings.buffer_minutes,
        "weekly_minutes_cap": settings.weekly_minutes_cap,
        "meeting_url": settings.meeting_url,
    }
    for item in user.skills_offered.all():
        initial[f"offer_{item.skill.slug}"] = str(item.level)
    for skill in user.skills_wanted.all():
        initial[f"want_{skill.slug}"] = True
    initial.update(
        working_hours_initial((row.weekday, row.start, row.end) for row in user.working_hours.all())
    )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: SignedInPageRequest) -> HttpResponse:
    user = selectors.person_with_details(request.user.pk)
    skills = list(selectors.skills())
    form = ProfileForm(request.POST or None, skills=skills, initial=_profile_initial(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mentoring = {
            "accepting": data["accepting"],
            "min_notice_minutes": data["min_notice_minutes"],
            "buffer_minutes": data["buffer_minutes"],
            "weekly_minutes_cap": data["weekly_minutes_cap"],
            "meeting_url": data["meeting_url"],
        }
        if data["session_lengths"]:
            mentoring["session_lengths"] = data["session_lengths"]
        try:
            services.update_profile(
                user=user,
                fields={
                    name: data[name]
                    for name in (
                        "display_name",
                        "job_title",
                        "job_level",
                        "timezone",
                        "language",
                        "headline",
                        "bio",
                        "is_mentor",
                    )
                },
                department=data["department"],
                skills=form.offered_skills(),
                skills_wanted=form.wanted_skills(),
                mentoring=mentoring if data["is_mentor"] or user.is_mentor else None,
                working_hours=form.working_hours(),
            )
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            # The confirmation already in the language just chosen.
            translation.activate(data["language"] or translation.get_language_from_request(request))
            messages.success(request, gettext("Profile saved."))
            return redirect("profile")
    return render(
        request,
        "marketplace/profile.html",
        {
            "form": form,
            "person": user,
            "api_token": selectors.api_token_state(user, now=timezone.now()),
            "api_token_lifetime_days": django_settings.API_TOKEN_LIFETIME_DAYS,
            # Sections other apps add (calendars: the person's own calendars).
            "profile_sections": profile_sections.profile_sections(user, timezone.now()),
        },
    )


@login_required
@require_POST
def api_token_revoke(request: SignedInPageRequest) -> HttpResponse:
    services.revoke_api_token(user=request.user)
    messages.success(request, gettext("API token revoked: it no longer works."))
    return redirect(reverse("profile") + "#api-token")


# --- Weekly availability and time off ---


def _preview(user: User, zone_name: str) -> dict:
    """The next two weeks' bookable starts, grouped by day in the mentor's zone, as ranges of start times."""
    settings = selectors.mentoring_settings(user)
    now = timezone.now()
    duration = min(settings.session_lengths)
    slots = schedules.slots_for_mentor(
        user.pk,
        asker_id=None,
        start=now,
        end=now + timedelta(days=PREVIEW_DAYS),
        duration_minutes=duration,
        now=now,
    )
    zone = ZoneInfo(zone_name)
    days = []
    for day, starts in _slots_by_day(slots, zone):
        ranges: list[list[datetime]] = []
        for start in starts:
            if ranges and start - ranges[-1][1] <= timedelta(minutes=10):
                ranges[-1][1] = start
            else:
                ranges.append([start, start])
        days.append({"day": day, "ranges": ranges, "count": len(starts)})
    return {
        "days": days,
        "duration": duration,
        "settings": settings,
        "slot_count": len(slots),
        "accepting": settings.accepting and user.is_mentor,
    }


@dataclass(frozen=True)
class TimeOffRow:
    """A period of time off as the page lists it, in the zone of the mentor's blocks: whole days by their
    first and last day (both inclusive), anything else by its local start and end."""

    pk: int
    note: str
    start: datetime  # naive local wall-clock times: the template must not move them to another zone
    end: datetime
    first_day: date | None
    last_day: date | None


def _time_off_rows(periods: list[TimeOff], zone_name: str) -> list[TimeOffRow]:
    zone = ZoneInfo(zone_name)
    rows = []
    for period in periods:
        days = whole_local_days(period.start, period.end, zone)
        rows.append(
            TimeOffRow(
                pk=period.pk,
                note=period.note,
                start=period.start.astimezone(zone).replace(tzinfo=None),
                end=period.end.astimezone(zone).replace(tzinfo=None),
                first_day=days[0] if days else None,
                last_day=days[1] if days else None,
            )
        )
    return rows


def _availability_context(
    request: SignedInPageRequest, editor: WeekEditor, *, saved: bool = False, time_off_notice: str = ""
) -> dict:
    zone, _ = selectors.availability(request.user)
    periods = list(selectors.upcoming_time_off(request.user, now=timezone.now()))
    return {
        "editor": editor,
        "timezones": [name for name, _ in TIMEZONE_CHOICES],
        "preview": _preview(request.user, zone),
        "saved": saved,
        "time_off": _time_off_rows(periods, zone),
        "time_off_form": TimeOffForm(),
        "time_off_notice": time_off_notice,
        # htmx swaps the time-off section; the preview, which time off changes, comes along out of band.
        "preview_out_of_band": bool(request.htmx and time_off_notice),
    }


@login_required
@require_http_methods(["GET", "POST"])
def availability(request: SignedInPageRequest) -> HttpResponse:
    """The weekly editor. htmx posts the whole form: add/remove rows re-render it, "save" stores it."""
    if request.method == "GET":
        zone, blocks = selectors.availability(request.user)
        context = _availability_context(request, WeekEditor.from_blocks(zone, blocks))
        return render(request, "marketplace/availability.html", context)

    editor = WeekEditor.from_post(request.POST)
    action = request.POST.get("action", "save")
    saved = False
    if action.startswith("add-"):
        day = small_count(action.removeprefix("add-"), most=6)
        if day is not None:
            editor.add_row(day)
    elif action.startswith("remove-"):
        day_text, _, index_text = action.removeprefix("remove-").partition("-")
        day, index = small_count(day_text, most=6), small_count(index_text, most=MAX_ROWS_PER_DAY)
        if day is not None and index is not None:
            editor.remove_row(day, index)
    else:
        new_blocks = editor.validated_blocks()
        if new_blocks is not None:
            try:
                services.replace_availability(
                    mentor=request.user, timezone=editor.timezone, blocks=new_blocks
                )
            except InvalidInput as error:
                editor.timezone_error = error.message if error.field == "timezone" else ""
                editor.day_errors[-1] = error.message
            else:
                saved = True
                zone, stored = selectors.availability(request.user)
                editor = WeekEditor.from_blocks(zone, stored)
    context = _availability_context(request, editor, saved=saved)
    template = "marketplace/_week_editor.html" if request.htmx else "marketplace/availability.html"
    status = 200 if saved or action != "save" or request.htmx else 400
    if not request.htmx and saved:
        messages.success(request, gettext("Availability saved."))
        return redirect("availability")
    return render(request, template, context, status=status)


@login_required
@require_POST
def time_off_add(request: SignedInPageRequest) -> HttpResponse:
    """Adds whole days off (the last day included). With htmx the time-off section and the preview are
    swapped in place; without, a success goes back to the page (post/redirect/get)."""
    form = TimeOffForm(request.POST)
    if form.is_valid():
        mentor_zone = ZoneInfo(selectors.availability(request.user)[0])
        start = datetime.combine(form.cleaned_data["start_date"], time(), tzinfo=mentor_zone)
        end = datetime.combine(form.cleaned_data["end_date"] + timedelta(days=1), time(), tzinfo=mentor_zone)
        try:
            services.add_time_off(
                mentor=request.user, start=start, end=end, note=form.cleaned_data["note"], now=timezone.now()
            )
        except InvalidInput as error:
            form.add_error("end_date", error.message)
    notice = "" if form.errors else gettext("Time off added. The preview is up to date.")
    if notice and not request.htmx:
        messages.success(request, notice)
        return redirect("availability")
    zone, blocks = selectors.availability(request.user)
    context = _availability_context(request, WeekEditor.from_blocks(zone, blocks), time_off_notice=notice)
    if form.errors:
        context["time_off_form"] = form
    template = "marketplace/_time_off.html" if request.htmx else "marketplace/availability.html"
    return render(request, template, context, status=400 if form.errors and not request.htmx else 200)


@login_required
@require_POST
def time_off_remove(request: SignedInPageRequest, pk: int) -> HttpResponse:
    try:
        services.remove_time_off(mentor=request.user, time_off_id=pk)
    except TimeOff.DoesNotExist as error:
        raise Http404 from error
    notice = gettext("Time off removed. The preview is up to date.")
    if not request.htmx:
        messages.success(request, notice)
        return redirect("availability")
    zone, blocks = selectors.availability(request.user)
    return render(
        request,
        "marketplace/_time_off.html",
        _availability_context(request, WeekEditor.from_blocks(zone, blocks), time_off_notice=notice),
    )
