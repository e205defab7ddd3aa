"""SCIM 2.0 over HTTP at /scim/v2/ (docs/api.md, "SCIM 2.0 provisioning"): thin views over
provisioning.services, every answer application/scim+json, every error in SCIM's Error shape.

Authentication is ``Authorization: Bearer <SCIM_TOKEN>``, compared in constant time; a wrong or missing token
is a 401. With SCIM_TOKEN unset SCIM is off, and every URL here is a 404 as if it did not exist.
"""

import hmac
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import ParseError

from marketplace.api_parsers import refuse_unstorable_input
from marketplace.errors import Conflict, InvalidInput
from marketplace.models import User
from provisioning import selectors, services
from provisioning.scim import CONTENT_TYPE, LIST_RESPONSE_SCHEMA, discovery
from provisioning.scim.errors import INVALID_SYNTAX, INVALID_VALUE, UNIQUENESS, ScimError, bad_request
from provisioning.scim.filters import parse_filter
from provisioning.scim.patch import apply_patch, key_in
from provisioning.scim.resources import person_data, user_location, user_resource


def answer(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)


def _error(error: ScimError) -> HttpResponse:
    return answer(error.body(), error.status)


def _authorised(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), settings.SCIM_TOKEN.encode())


def _whole_number(query: QueryDict, name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(INVALID_VALUE, gettext("%(name)s is a whole number.") % {"name": name}) from None


def _body(request: HttpRequest) -> Any:
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(INVALID_SYNTAX, gettext("The body is not UTF-8 text.")) from None
    try:
        body = json.loads(text)
    except RecursionError:
        raise bad_request(INVALID_SYNTAX, gettext("The body is nested too deeply.")) from None
    except ValueError:
        raise bad_request(INVALID_SYNTAX, gettext("The body is not JSON.")) from None
    try:
        refuse_unstorable_input(body)
    except ParseError:
        raise bad_request(
            INVALID_VALUE,
            gettext(
                "Text cannot hold NUL characters or unpaired surrogates, nor nest deeper than 64 levels."
            ),
        ) from None
    return body


@method_decorator(csrf_exempt, name="dispatch")  # a bearer token, never a cookie: no cross-site request
class ScimView(View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.SCIM_TOKEN:
            return _error(ScimError(404, gettext("SCIM provisioning is not enabled here.")))
        if not _authorised(request):
            response = _error(
                ScimError(401, gettext("Send Authorization: Bearer followed by the SCIM token."))
            )
            response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
            return response
        try:
            return super().dispatch(request, *args, **kwargs)
        except ScimError as error:
            return _error(error)
        except Conflict as error:
            return _error(ScimError(409, error.message, UNIQUENESS))
        except InvalidInput as error:
            return _error(ScimError(400, f"{error.field}: {error.message}", INVALID_VALUE))
        except RequestDataTooBig:
            return _error(ScimError(413, gettext("The body is too large.")))

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = _error(
            ScimError(405, gettext("%(method)s is not supported here.") % {"method": request.method})
        )
        response["Allow"] = ", ".join(method.upper() for method in self.http_method_names)
        return response


def _user_or_404(user_id: int | str) -> User:
    person = selectors.scim_person(int(user_id))
    if person is None:
        raise ScimError(404, gettext("No user has the id %(id)s.") % {"id": user_id})
    return person


def _resource_of(user_id: int | str) -> dict:
    return user_resource(_user_or_404(user_id))


class UsersView(ScimView):
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        written = request.GET.get("filter", "").strip()
        found = parse_filter(written) if written else None
        start_index = max(_whole_number(request.GET, "startIndex", 1), 1)  # below 1 is 1 (RFC 7644 3.4.2.4)
        count = min(max(_whole_number(request.GET, "count", discovery.MAX_RESULTS), 0), discovery.MAX_RESULTS)
        people = selectors.scim_people(found)
        total = people.count()
        page = list(people[start_index - 1 : start_index - 1 + count]) if count else []
        return answer(
            {
                "schemas": [LIST_RESPONSE_SCHEMA],
                "totalResults": total,
                "itemsPerPage": len(page),
                "startIndex": start_index,
                "Resources": [user_resource(person) for person in page],
            }
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        data = person_data(_body(request), creating=True)
        try:
            person = services.create_person(data=data, now=timezone.now())
        except Conflict as error:
            raise ScimError(409, f"userName: {error.message}", UNIQUENESS) from None
        response = answer(_resource_of(person.pk), status=201)
        response["Location"] = user_location(person.pk)
        return response


class UserView(ScimView):
    http_method_names = ["get", "put", "patch", "delete"]

    def get(self, request: HttpRequest, user_id: str) -> HttpResponse:
        return answer(_resource_of(user_id))

    def put(self, request: HttpRequest, user_id: str) -> HttpResponse:
        person = _user_or_404(user_id)
        data = person_data(_body(request), creating=False)
        return self._update(person, data)

    def patch(self, request: HttpRequest, user_id: str) -> HttpResponse:
        person = _user_or_404(user_id)
        body = _body(request)
        if not isinstance(body, dict):
            raise bad_request(INVALID_SYNTAX, gettext("The body is a PatchOp object."))
        patched = apply_patch(user_resource(person), body.get(key_in(body, "Operations")))
        return self._update(person, person_data(patched, creating=False))

    def delete(self, request: HttpRequest, user_id: str) -> HttpResponse:
        person = _user_or_404(user_id)
        services.delete_person_for_scim(person=person, now=timezone.now())
        return HttpResponse(status=204)

    def _update(self, person: User, data: services.PersonData) -> HttpResponse:
        try:
            services.update_person(person=person, data=data, now=timezone.now())
        except Conflict as error:
            attribute = "externalId" if error.code == services.EXTERNAL_ID_TAKEN else "userName"
            raise ScimError(409, f"{attribute}: {error.message}", UNIQUENESS) from None
        response = answer(_resource_of(person.pk))
        response["Location"] = user_location(person.pk)
        return response


class ServiceProviderConfigView(ScimView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return answer(discovery.service_provider_config())


class SchemasView(ScimView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, schema_id: str | None = None) -> HttpResponse:
        if schema_id is None:
            return answer(discovery.listed([discovery.schema_document(name) for name in discovery.SCHEMAS]))
        if schema_id not in discovery.SCHEMAS:
            raise ScimError(404, gettext("There is no schema %(id)s.") % {"id": schema_id[:200]})
        return answer(discovery.schema_document(schema_id))


class ResourceTypesView(ScimView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, type_id: str | None = None) -> HttpResponse:
        if type_id is None:
            return answer(discovery.listed([discovery.user_resource_type()]))
        if type_id != "User":
            raise ScimError(404, gettext("There is no resource type %(id)s.") % {"id": type_id[:200]})
        return answer(discovery.user_resource_type())


class NotFoundView(ScimView):
    """Any other URL under /scim/v2/ (an id that is none of Sidebar's, /Groups): SCIM's 404."""

    http_method_names = ["get", "post", "put", "patch", "delete"]

    def dispatch_found(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise ScimError(404, gettext("There is nothing at %(path)s.") % {"path": request.path[:200]})

    get = post = put = patch = delete = dispatch_found
