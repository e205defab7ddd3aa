"""The error pages and Django's handlers for them (config/urls.py names them).

Pages get 403.html, 404.html and 500.html in the site layout; /api/ gets docs/api.md's `{"detail"}` (DRF's
own views answer their errors themselves; these cover what no API view handles, such as a URL that matches
nothing). One case has its own answer: the database out of reach (restarting, failed over, its connections
used up) is a 503 with Retry-After, so that clients and load balancers retry rather than report a bug.

Django calls handler500 while the exception is being handled, for a failure in a view or in a middleware
alike, so sys.exc_info() names it. The 500 and 503 pages render without the request (no context processors,
so nothing reads the database or the session). With DEBUG on, Django shows its own technical page instead.

A refusal (403) or a missing page (404) is expected, not a fault: `ExpectedRefusalFilter` keeps them to one
WARNING line in the log, without the traceback Django attaches.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext, gettext_noop
from django.views import defaults

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = gettext_noop("Sidebar cannot reach its database for a moment. Try again in a few seconds.")


def database_unreachable() -> bool:
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": gettext("You do not have permission to do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if not database_unreachable():
        if is_api(request):
            return JsonResponse({"detail": gettext("Something went wrong on our side.")}, status=500)
        return defaults.server_error(request)
    response: HttpResponse
    if is_api(request):
        response = JsonResponse({"detail": gettext(UNAVAILABLE)}, status=503)
    else:
        response = HttpResponse(
            render_to_string("service_unavailable.html", {"message": gettext(UNAVAILABLE)}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ExpectedRefusalFilter(logging.Filter):
    """On django.request: a 4xx stays a one-line WARNING; its exception (PermissionDenied, Http404) is not a
    fault to debug, so its traceback is dropped. 5xx records pass untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
