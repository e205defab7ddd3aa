"""The OpenAPI schema's shared parts: docs/api.md's error shapes, declared once, and `responses()`, which
gives an operation its success response plus the error statuses it can answer.

    @extend_schema(request=CancelSerializer, responses=responses({200: BookingSerializer}, 400, 404, 409))

Every operation that needs a login also answers 401, and every write 403 (a browser session without its CSRF
token), so `responses()` adds those itself; `public=True` leaves 401 out (the token endpoint).
tests/test_openapi_schema.py holds every operation to a typed success response and its error statuses.
"""

from collections.abc import Mapping
from functools import cache
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from marketplace.models import SESSION_LENGTHS

# docs/api.md's 409 codes, all in one place (each raised as a marketplace.errors.Conflict by a service).
CONFLICT_CODES = (
    "slot_unavailable",
    "not_confirmed",
    "already_started",
    "not_held",
    "too_early",
    "already_given",
    "cancelled",
    "already_rated",
    "not_no_show",
    "undo_expired",
    "already_joined",
    "time_conflict",
    "not_joined",
    "ended",
    "already_waiting",
    "not_waiting",
)

# One enum for every session length in the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
SESSION_LENGTH_CHOICES = [(minutes, minutes) for minutes in SESSION_LENGTHS]


class ErrorSerializer(serializers.Serializer):
    """401, 403, 404 and 429: `{"detail": "…"}`."""

    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    """409: well-formed, but it conflicts with the current state (docs/api.md lists the codes)."""

    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=CONFLICT_CODES)
    field = serializers.CharField(required=False, help_text="The input to blame, when there is one.")
    start = serializers.DateTimeField(
        required=False, help_text="slot_unavailable for a series: the first start that is not bookable (UTC)."
    )


class ValidationErrorsSerializer(serializers.Serializer):
    """400: `{"<field>": ["message"]}`, or `{"detail": …}` when no single field is to blame; nested input
    names the nested field (an object for an object, a list with one entry per item for a list)."""


class _ValidationErrorsSchema(OpenApiSerializerExtension):
    """The 400 body's keys are the request's field names, so no fixed set of properties describes it."""

    target_class = ValidationErrorsSerializer

    def map_serializer(self, auto_schema, direction) -> dict[str, Any]:
        return {
            "type": "object",
            "description": ValidationErrorsSerializer.__doc__,
            "minProperties": 1,
            "additionalProperties": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {}},
                    {"type": "object"},
                ]
            },
        }


ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(ValidationErrorsSerializer, description="Malformed or invalid input."),
    401: OpenApiResponse(ErrorSerializer, description="Not logged in (no credentials, or an unknown token)."),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Not allowed; also a write with the browser session but without its CSRF token.",
    ),
    404: OpenApiResponse(ErrorSerializer, description="Does not exist, or is not yours."),
    409: OpenApiResponse(ConflictSerializer, description="Conflicts with the current state."),
    429: OpenApiResponse(ErrorSerializer, description="Throttled, or locked out after failed logins."),
}


def responses(
    success: Mapping[Any, Any], *errors: int, write: bool = False, public: bool = False
) -> dict[Any, Any]:
    """`success` (status, or (status, media type), to what it answers) plus `errors`' shared responses; 401
    unless `public`, 403 for a `write` (CSRF), and 400 always: any query string or body holding text that
    cannot be stored is refused before a view runs (marketplace.middleware, marketplace.api_parsers)."""
    codes = set(errors) | {400} | ({403} if write else set()) | (set() if public else {401})
    return {**success, **{code: ERRORS[code] for code in sorted(codes)}}


PAGE_PARAMETER = OpenApiParameter("page", int, description="A page number, from 1 (past the end: 404).")


@cache
def page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """docs/api.md's page: `{"count", "next", "previous", "results": [item]}` (past the end: a 404)."""
    name = item.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}ListSerializer",
        (serializers.Serializer,),
        {
            "__doc__": f"One page (20 items) of {name} objects.",
            "count": serializers.IntegerField(min_value=0),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


# An operation whose optional query parameters, sent empty (`?skill=`), are read as not sent: its filters
# come through a serializer or a form bound to the query string. `extend_schema(extensions=...)`.
EMPTY_QUERY_IS_ABSENT = {"x-empty-query-is-absent": True}
ROUTER_NOT_FOUND = " An id that is not a positive integer matches no URL: the router's plain 404 (HTML)."


def describe_routing(result: dict, generator, request, public) -> dict:
    """A postprocessing hook (SPECTACULAR_SETTINGS): what URL routing decides before any view runs.

    - An id in a path is a positive integer (`<int:pk>`); anything else is the router's HTML 404.
    - Operations marked EMPTY_QUERY_IS_ABSENT accept their optional filters empty.
    """
    for operation in (op for path in result["paths"].values() for op in path.values()):
        empty_is_absent = operation.pop("x-empty-query-is-absent", False)
        has_id = False
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                parameter["schema"]["minimum"] = 1
                has_id = True
            elif (
                empty_is_absent
                and parameter["in"] == "query"
                and not parameter.get("required")
                and parameter["name"] != "page"
            ):
                parameter["allowEmptyValue"] = True
        if has_id and "404" in operation["responses"]:
            operation["responses"]["404"]["content"]["text/html"] = {"schema": {"type": "string"}}
            operation["responses"]["404"]["description"] += ROUTER_NOT_FOUND
    return result
