"""The moments page: log an informal moment of mentoring in seconds, with a weekly streak toward three."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from marketplace.errors import InvalidInput
from marketplace.http import SignedInPageRequest
from sessions_app import selectors
from sessions_app.forms import (
    MomentForm,
)
from sessions_app.services.moments import local_today, log_moment

MOMENTS_PAGE_SIZE = 20


@login_required
@require_http_methods(["GET", "POST"])
def moments(request: SignedInPageRequest) -> HttpResponse:
    """Log an informal moment in seconds; my moments and this week's progress toward three."""
    today = local_today(request.user, timezone.now())
    status = 200
    if request.method == "POST":
        form = MomentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                log_moment(
                    author=request.user,
                    kind=data["kind"],
                    note=data["note"],
                    happened_on=data["happened_on"],
                    with_person=data["with_person"],
                    with_name=data["with_name"],
                )
            except InvalidInput as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 400
            else:
                messages.success(request, gettext("Moment logged."))
                return redirect("moments")
        else:
            status = 400
    else:
        form = MomentForm(initial={"happened_on": today})
    context = {
        "form": form,
        "progress": selectors.moment_progress(request.user, today=today),
        "page": Paginator(selectors.moments_of(request.user), MOMENTS_PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
    }
    return render(request, "sessions_app/moments.html", context, status=status)
