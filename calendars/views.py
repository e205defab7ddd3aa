"""Pages of a person's own calendars: the section of the profile page posts here (no JavaScript needed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from calendars import selectors, services
from calendars.errors import error_message
from calendars.forms import AddCalendarForm
from calendars.models import BusyCalendar
from marketplace.errors import InvalidInput, TooSoon
from marketplace.http import SignedInPageRequest
from marketplace.profile_sections import ProfileSection

SECTION = "calendars/_busy_calendars.html"


def _back() -> HttpResponse:
    return redirect(reverse("profile") + "#busy-calendars")


@login_required
@require_http_methods(["GET", "POST"])
def busy_calendars(request: SignedInPageRequest) -> HttpResponse:
    """GET: the calendars on a page of their own. POST: connect one, back to the profile; a refused address
    is shown on this page, on the field."""
    form = AddCalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.add_calendar(
                owner=request.user, url=form.cleaned_data["url"], now=timezone.now()
            )
        except InvalidInput as error:
            form.add_error("url", error.message)
        else:
            messages.success(
                request,
                gettext("Calendar connected: %(address)s. Its busy times are read every few minutes.")
                % {"address": calendar.masked_url},
            )
            return _back()
    section = ProfileSection(SECTION, {"calendars": selectors.calendar_states(request.user), "form": form})
    return render(
        request,
        "calendars/busy_calendars.html",
        {"section": section},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def sync_now(request: SignedInPageRequest, pk: int) -> HttpResponse:
    try:
        synced = services.sync_calendar_now(owner=request.user, calendar_id=pk, now=timezone.now())
    except BusyCalendar.DoesNotExist as error:
        raise Http404 from error
    except TooSoon as error:
        messages.info(request, error.message)
        return _back()
    if synced is None:
        raise Http404
    if synced.status == BusyCalendar.Status.OK:
        messages.success(
            request,
            ngettext(
                "Calendar read: %(count)s busy event found.",
                "Calendar read: %(count)s busy events found.",
                synced.busy_events,
            )
            % {"count": synced.busy_events},
        )
    else:
        messages.error(
            request,
            gettext("Your calendar could not be read: %(reason)s")
            % {"reason": error_message(synced.error_code, synced.error_detail)},
        )
    return _back()


@login_required
@require_POST
def remove(request: SignedInPageRequest, pk: int) -> HttpResponse:
    try:
        services.remove_calendar(owner=request.user, calendar_id=pk)
    except BusyCalendar.DoesNotExist as error:
        raise Http404 from error
    messages.success(request, gettext("Calendar removed: its busy times no longer block your slots."))
    return _back()
