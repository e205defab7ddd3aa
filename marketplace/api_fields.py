"""DRF fields for input that every app's serializers share: an instant, and a date, in the supported range;
and StrictJSONInput, the base of every serializer of a JSON body, which holds input to its JSON types."""

import enum
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.instants import InstantError, check_day, parse_instant
from marketplace.validators import instant_message


def iso_utc(instant: datetime | None) -> str | None:
    """docs/api.md: times come back in UTC with Z, whatever zone the request was rendered in."""
    return None if instant is None else instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class JsonType(enum.Enum):
    """A JSON value's type, as docs/api.md and the OpenAPI schema name it."""

    STRING = "a string"
    INTEGER = "an integer"
    NUMBER = "a number"
    BOOLEAN = "true or false"
    ARRAY = "a list"
    OBJECT = "an object"
    NULL = "null"
    ANY = "any value"  # a field that checks the type of what it is given itself (json_type = JsonType.ANY)


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantField(serializers.Field):
    """Every time the API takes, in a body or a query: ISO 8601 with an offset or Z, years 2000-2199.

    A time without an offset, or a bare date, is a 400 naming the field rather than a guess of its zone
    (marketplace.instants). Answers in UTC with Z.
    """

    json_type = JsonType.STRING

    def to_internal_value(self, data) -> datetime:
        try:
            return parse_instant(data)
        except InstantError as error:
            raise serializers.ValidationError(instant_message(error), code=error.code) from None

    def to_representation(self, value: datetime) -> str | None:
        return iso_utc(value)


class DayField(serializers.DateField):
    """A date ("YYYY-MM-DD") in the supported range (years 2000-2199)."""

    def to_internal_value(self, value) -> date:
        day = super().to_internal_value(value)
        try:
            return check_day(day)
        except InstantError as error:
            raise serializers.ValidationError(instant_message(error), code=error.code) from None


def json_type_of(value: object) -> JsonType:
    # bool before int: in Python, True is an int.
    if value is None:
        return JsonType.NULL
    if isinstance(value, bool):
        return JsonType.BOOLEAN
    if isinstance(value, int):
        return JsonType.INTEGER
    if isinstance(value, float):
        return JsonType.NUMBER
    if isinstance(value, str):
        return JsonType.STRING
    if isinstance(value, list | tuple):
        return JsonType.ARRAY
    return JsonType.OBJECT


def expected_json_type(field: serializers.Field) -> JsonType | None:
    """The JSON type a DRF field's input must have (None: no rule known for this class of field).

    A field class of our own says it with a `json_type` attribute; DRF's classes are mapped here.
    """
    declared = getattr(field, "json_type", None)
    if isinstance(declared, JsonType):
        return declared
    if isinstance(field, serializers.BooleanField):
        return JsonType.BOOLEAN
    if isinstance(field, serializers.ChoiceField):  # before CharField: its choices say the type
        kinds = {json_type_of(choice) for choice in field.choices}
        return kinds.pop() if len(kinds) == 1 and kinds <= {JsonType.STRING, JsonType.INTEGER} else None
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return JsonType.INTEGER
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return JsonType.NUMBER
    if isinstance(
        field,
        serializers.CharField | serializers.DateField | serializers.TimeField | serializers.DateTimeField,
    ):
        return JsonType.STRING
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return JsonType.ARRAY
    if isinstance(field, serializers.Serializer):
        return JsonType.OBJECT
    return None


def json_type_errors(field: serializers.Field, value: object) -> list | dict | None:
    """The error for `value` sent to `field` in a JSON body when its type is wrong (None when it is right).

    null is left to the field (allow_null); a list's items are checked against the list's child, their
    errors keyed by index as ListField keys them. A nested serializer checks its own fields
    (StrictJSONInput).
    """
    expected, given = expected_json_type(field), json_type_of(value)
    if expected in (None, JsonType.ANY) or given is JsonType.NULL:
        return None
    if given is not expected and not (expected is JsonType.NUMBER and given is JsonType.INTEGER):
        return [f"Expected {expected.value}, got {given.value}."]
    if isinstance(field, serializers.ListField) and isinstance(value, list | tuple):
        items = {index: json_type_errors(field.child, item) for index, item in enumerate(value)}
        return {index: error for index, error in items.items() if error} or None
    return None


def too_long_errors(field: serializers.Field, value: object) -> list | None:
    """The error for text longer than a field's max_length as sent: DRF measures it after trimming the
    whitespace around it, the schema (maxLength) before, so "\x1f" and 500 letters must not pass as 500."""
    max_length = getattr(field, "max_length", None)
    too_long = isinstance(value, str) and max_length is not None and len(value) > max_length
    if isinstance(field, serializers.CharField) and too_long:
        return [field.error_messages["max_length"].format(max_length=max_length)]
    return None


class StrictJSONInput(serializers.Serializer):
    """The base of every serializer of a JSON request body: a value of the wrong JSON type is a 400 naming
    the field (`"note": 0` is "Expected a string, got an integer.", `"rating": "5"` "Expected an integer, got
    a string."), where DRF's fields would convert it (a number's digits as text, "12" or 12.0 as 12, "yes" or
    1 as true). Form-encoded input (a QueryDict: every value is text) is left to the fields as DRF reads it.

    The type errors are reported with whatever else the other fields find wrong; a field of the wrong type is
    not validated further (nor its validate_<field>). Text longer than its field's max_length, as sent, is
    refused the same way (too_long_errors).
    """

    def to_internal_value(self, data):
        if isinstance(data, QueryDict) or not isinstance(data, Mapping):
            return super().to_internal_value(data)
        type_errors: dict[str, Any] = {
            str(field.field_name): errors
            for field in self._writable_fields
            if field.field_name in data
            and (
                errors := json_type_errors(field, data[field.field_name])
                or too_long_errors(field, data[field.field_name])
            )
        }
        if not type_errors:
            return super().to_internal_value(data)
        rest = {name: value for name, value in data.items() if name not in type_errors}
        try:
            super().to_internal_value(rest)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict):
                type_errors = {**error.detail, **type_errors}
        raise serializers.ValidationError(type_errors)
