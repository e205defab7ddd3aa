import zoneinfo

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext

from marketplace.text import UNSTORABLE_MESSAGE, is_storable


class UserTimezoneMiddleware:
    """Renders every page in the viewer's own time zone (their profile's zone; UTC for visitors)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone_name = user.timezone if user is not None and user.is_authenticated else "UTC"
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo("UTC"))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class UserLanguageMiddleware:
    """A signed-in person's profile language wins over the browser's (LocaleMiddleware chose that one).

    With no language on the profile, LocaleMiddleware's choice stands: Accept-Language, then LANGUAGE_CODE.
    The language stays active until the response leaves, so LocaleMiddleware's Content-Language tells it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = user.language if user is not None and user.is_authenticated else ""
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class RefuseUnstorableInputMiddleware:
    """A query string or form post with text that cannot be stored (marketplace.text) is a 400 naming the
    parameter, before any view runs: the pages' forms and the API's query parameters need not cope with it.

    API request bodies are checked by the API's parsers (marketplace.api_parsers), which also see PUT and
    PATCH bodies; a form-encoded POST is parsed here, as CsrfViewMiddleware does for pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for data in (request.GET, request.POST if request.method == "POST" else None):
            name = _first_unstorable(data) if data else None
            if name is not None:
                return _refusal(request, name)
        return self.get_response(request)


def _first_unstorable(data: QueryDict) -> str | None:
    """The name of the first parameter whose name or a value cannot be stored ("detail" for a bad name)."""
    for name, values in data.lists():
        if not is_storable(name):
            return "detail"
        if not all(is_storable(value) for value in values if isinstance(value, str)):
            return name
    return None


def _refusal(request: HttpRequest, name: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({name: [gettext(UNSTORABLE_MESSAGE)]}, status=400)
    return render(
        request, "bad_input.html", {"field": name, "message": gettext(UNSTORABLE_MESSAGE)}, status=400
    )
