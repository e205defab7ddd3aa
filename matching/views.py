"""Pages of matching: ask for help, the explained shortlist, my requests."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from marketplace.errors import InvalidInput
from marketplace.http import SignedInPageRequest, other_times_query, shows_all_times
from marketplace.timezones import get_zone
from matching import selectors, services
from matching.forms import DATETIME_LOCAL, RequestForm
from matching.models import MentorRequest

REQUESTS_PER_PAGE = 20


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _initial(request: SignedInPageRequest) -> dict:
    """A fresh form: default deadline and length, or a copy of one of my requests (?from=<id>)."""
    now = timezone.now()
    zone = get_zone(request.user.timezone)
    deadline = services.default_needed_by(now=now, zone_name=request.user.timezone)
    initial = {"duration": 30, "needed_by": deadline.astimezone(zone).strftime(DATETIME_LOCAL)}
    wanted = request.GET.getlist("skill")  # /requests/new/?skill=<slug>, e.g. from a skill's page
    if wanted:
        initial["skills"] = wanted
    source = request.GET.get("from", "")
    if source.isdigit():
        try:
            earlier = selectors.request_for_owner(int(source), request.user)
        except Http404:
            return initial
        initial.update(
            topic=earlier.topic,
            context=earlier.context,
            skills=[skill.slug for skill in earlier.skills.all()],
            duration=earlier.duration,
            prefer_other_department=earlier.prefer_other_department,
            prefer_same_timezone=earlier.prefer_same_timezone,
        )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: SignedInPageRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, initial=_initial(request) if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.create_request(asker=request.user, **data)
            except InvalidInput as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect("request-detail", pk=created.pk)
        status = 400
    return render(
        request, "matching/request_new.html", {"form": form, "zone": request.user.timezone}, status=status
    )


@login_required
@require_GET
def request_detail(request: SignedInPageRequest, pk: int) -> HttpResponse:
    item = selectors.request_for_owner(pk, request.user)
    now = timezone.now()
    services.refresh_request(request=item, now=now)
    skills = list(item.skills.all())
    status = item.status_at(now)
    offered = selectors.offered_matches(item) if status != MentorRequest.Status.EXPIRED else []
    return render(
        request,
        "matching/request_detail.html",
        {
            "item": item,
            "skills": skills,
            "status": status,
            "offered": offered,
            "group_sessions": selectors.group_sessions_for(item, offered, now=now),
            "book_url": _url_or_none("book-session"),
            "sessions_url": _url_or_none("session-list"),
            "suggestions": _suggestions(item, skills),
            "all_times": shows_all_times(request),
            "other_times_query": other_times_query(request),
        },
    )


def _suggestions(item: MentorRequest, skills: list) -> list[str]:
    """What to change when nobody can help before the deadline."""
    found = [
        gettext(
            "a later deadline: most mentors give a few hours a week, so a few more days opens many more slots"
        )
    ]
    if len(skills) > 1:
        found.append(gettext("fewer skills: ask for the one that matters most"))
    if item.duration == 30:
        found.append(gettext("20 minutes instead of 30: shorter sessions fit into more gaps"))
    return found


@login_required
@require_GET
def request_list(request: SignedInPageRequest) -> HttpResponse:
    page = Paginator(selectors.requests_of(request.user), REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(item, item.status_at(now), list(item.skills.all())) for item in page.object_list]
    return render(request, "matching/request_list.html", {"page": page, "rows": rows})
