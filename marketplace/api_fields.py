"""DRF fields for input that every app's serializers share: an instant, and a date, in the supported range."""

from datetime import UTC, date, datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.instants import InstantError, check_day, parse_instant


def iso_utc(instant: datetime | None) -> str | None:
    """docs/api.md: times come back in UTC with Z, whatever zone the request was rendered in."""
    return None if instant is None else instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantField(serializers.Field):
    """Every time the API takes, in a body or a query: ISO 8601 with an offset or Z, years 2000-2199.

    A time without an offset, or a bare date, is a 400 naming the field rather than a guess of its zone
    (marketplace.instants). Answers in UTC with Z.
    """

    def to_internal_value(self, data) -> datetime:
        try:
            return parse_instant(data)
        except InstantError as error:
            raise serializers.ValidationError(error.message, code=error.code) from None

    def to_representation(self, value: datetime) -> str | None:
        return iso_utc(value)


class DayField(serializers.DateField):
    """A date ("YYYY-MM-DD") in the supported range (years 2000-2199)."""

    def to_internal_value(self, value) -> date:
        day = super().to_internal_value(value)
        try:
            return check_day(day)
        except InstantError as error:
            raise serializers.ValidationError(error.message, code=error.code) from None
