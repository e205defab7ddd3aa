"""Django's handler500, with one case of its own: the database out of reach (restarting, failed over, its
connections used up) is a 503 with Retry-After, so that clients and load balancers retry rather than report
a bug.

Django calls the handler while the exception is being handled, for a failure in a view or in a middleware
alike, so sys.exc_info() names it. Pages get a page that needs no database; /api/ gets docs/api.md's
`{"detail"}`. With DEBUG on, Django shows its own technical page instead.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = _("Sidebar cannot reach its database for a moment. Try again in a few seconds.")


def database_unreachable() -> bool:
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    if not database_unreachable():
        return django_server_error(request)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": gettext(UNAVAILABLE)}, status=503)
    else:
        response = HttpResponse(
            render_to_string("service_unavailable.html", {"message": gettext(UNAVAILABLE)}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
