"""The introduce page: introduce a colleague to a mentor (and, optionally, one of your own requests)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from marketplace.errors import InvalidInput
from marketplace.http import SignedInPageRequest
from marketplace.models import User
from sessions_app.forms import (
    IntroductionForm,
)
from sessions_app.services import introductions


@login_required
@require_http_methods(["GET", "POST"])
def introduce(request: SignedInPageRequest, pk: int) -> HttpResponse:
    """Introduce a colleague to mentor `pk` with a short note (from the mentor's page or a request)."""
    mentor = get_object_or_404(User, pk=pk, is_mentor=True, is_active=True)
    status = 200
    if request.method == "POST":
        form = IntroductionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                introductions.introduce(
                    introducer=request.user,
                    colleague=data["colleague"],
                    mentor=mentor,
                    note=data["note"],
                    request_id=data.get("request"),
                )
            except InvalidInput as error:
                # The request is a hidden field: its error is shown above the form.
                visible = error.field in form.fields and not form[error.field].is_hidden
                form.add_error(error.field if visible else None, error.message)
                status = 400
            else:
                messages.success(
                    request,
                    gettext("Introduced %(colleague)s to %(mentor)s.")
                    % {"colleague": data["colleague"].name, "mentor": mentor.name},
                )
                return redirect("mentor-detail", pk=mentor.pk)
        else:
            status = 400
    else:
        form = IntroductionForm(initial={"request": request.GET.get("request")})
    return render(request, "sessions_app/introduce.html", {"form": form, "mentor": mentor}, status=status)
