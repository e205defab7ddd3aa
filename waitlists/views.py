"""Pages of waiting lists: "tell me when they have time" on a mentor's page (a section marketplace renders),
joining from it, "My waiting lists" (status, the held offer with its expiry and a Book button) and
withdrawing. Work without JavaScript: every form posts and redirects."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from marketplace.errors import Conflict, InvalidInput
from marketplace.http import SignedInPageRequest
from marketplace.profile_sections import MentorPageView, ProfileSection
from marketplace.selectors import mentor_or_404, mentoring_settings
from marketplace.timezones import get_zone
from matching.forms import DATETIME_LOCAL
from matching.models import MentorRequest
from matching.services import default_needed_by
from waitlists import messages as offer_messages
from waitlists import selectors
from waitlists.forms import WaitlistJoinForm
from waitlists.models import WaitlistEntry
from waitlists.services.entries import join_waitlist, withdraw_entry

PAGE_SIZE = 20
SECTION_TEMPLATE = "waitlists/_mentor_section.html"


def _viewer_request(view: MentorPageView) -> MentorRequest | None:
    """The viewer's own open request the page was opened from, if any."""
    try:
        request_id = int(view.request_id)
    except ValueError:
        return None
    return MentorRequest.objects.filter(
        pk=request_id, asker=view.viewer, status=MentorRequest.Status.OPEN, needed_by__gt=view.now
    ).first()


def _local_input(instant: datetime, zone_name: str) -> str:
    return instant.astimezone(get_zone(zone_name)).strftime(DATETIME_LOCAL)


def mentor_page_section(view: MentorPageView) -> ProfileSection | None:
    """The waiting-list section under a mentor's times: the viewer's place if they wait already, else the
    form, shown open when the page lists no time before the viewer's deadline (their request's, or with no
    request the deadline a request would default to: three working days ahead at 17:00)."""
    if view.viewer.pk == view.mentor.pk or not view.accepting:
        return None
    entry = selectors.live_entry(view.viewer, view.mentor.pk)
    need = _viewer_request(view)
    deadline = need.needed_by if need else None
    duration = need.duration if need and need.duration in view.session_lengths else view.duration
    before = deadline or default_needed_by(now=view.now, zone_name=view.viewer.timezone)
    form = WaitlistJoinForm(
        initial={"before": _local_input(before, view.viewer.timezone), "duration": duration},
        lengths=view.session_lengths,
    )
    offer = selectors.held_offer(entry) if entry else None
    return ProfileSection(
        SECTION_TEMPLATE,
        {
            "entry": entry,
            "offer": offer,
            "book_url": offer_messages.book_url(offer) if offer else "",
            "form": form,
            "open": not any(slot.end <= before for slot in view.slots),
            "deadline": deadline,
        },
    )


@login_required
@require_GET
def waitlist_list(request: SignedInPageRequest) -> HttpResponse:
    page = Paginator(selectors.entries_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (entry, offer, offer_messages.book_url(offer) if offer else "")
        for entry in page
        for offer in [selectors.held_offer(entry)]
    ]
    return render(
        request, "waitlists/waitlist_list.html", {"page": page, "rows": rows, "now": timezone.now()}
    )


@login_required
@require_POST
def waitlist_join(request: SignedInPageRequest, pk: int) -> HttpResponse:
    mentor = mentor_or_404(pk)
    lengths = mentoring_settings(mentor).session_lengths
    form = WaitlistJoinForm(request.POST, lengths=lengths)
    status = 400
    if form.is_valid():
        try:
            entry = join_waitlist(person=request.user, mentor=mentor, **form.cleaned_data)
        except Conflict as error:
            form.add_error(None, error.message)
            status = 409
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _joined_message(entry, mentor.name))
            return redirect("waitlist-list")
    return render(request, "waitlists/join.html", {"form": form, "mentor": mentor}, status=status)


def _joined_message(entry: WaitlistEntry, name: str) -> str:
    offer = selectors.held_offer(entry)
    if offer is None:
        return gettext("You are on %(name)s's waiting list: we will e-mail you when a time comes free.") % {
            "name": name
        }
    until = formats.time_format(timezone.localtime(offer.expires_at), "H:i")
    return gettext("%(name)s has a free time: it is held for you until %(time)s. Book it below.") % {
        "name": name,
        "time": until,
    }


@login_required
@require_POST
def waitlist_withdraw(request: SignedInPageRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_of(request.user, pk)
    try:
        withdraw_entry(entry=entry, by=request.user)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("You left %(name)s's waiting list.") % {"name": entry.mentor.name})
    return redirect("waitlist-list")
