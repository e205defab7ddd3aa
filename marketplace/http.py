"""The request types pages and API views receive, so that the type checker knows who is asking.

`login_required` (pages) and `IsAuthenticated` (API) guarantee a signed-in person, but Django's and DRF's
request types still say "a user or AnonymousUser"; these say what those guards make true.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

from marketplace.models import User


class PageRequest(HttpRequest):
    """Any page request: django-htmx's middleware adds `htmx` to every request."""

    htmx: HtmxDetails


class SignedInPageRequest(PageRequest):
    """A page behind `login_required`."""

    user: User


class SignedInApiRequest(Request):
    """An API view whose permission classes require a signed-in person."""

    user: User


ALL_TIMES = "all_times"  # ?all_times=1: a page lists times outside working hours too


def shows_all_times(request: HttpRequest) -> bool:
    """Whether the page should list every bookable time, not only those inside both people's working hours."""
    return request.GET.get(ALL_TIMES) == "1"


def other_times_query(request: HttpRequest) -> str:
    """The page's query string with "show all times" switched the other way (the rest, bar the page, kept)."""
    query = request.GET.copy()
    query.pop("page", None)
    if shows_all_times(request):
        query.pop(ALL_TIMES, None)
    else:
        query[ALL_TIMES] = "1"
    return query.urlencode()
