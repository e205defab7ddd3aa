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
