"""The API's shapes of a person's own calendars (docs/api.md, "Busy times from a person's own calendar")."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calendars.errors import error_message
from calendars.models import URL_MAX_LENGTH, BusyCalendar
from marketplace.api_fields import StrictJSONInput
from marketplace.serializers import UtcDateTimeField


class BusyCalendarCreateSerializer(StrictJSONInput):
    url = serializers.CharField(max_length=URL_MAX_LENGTH, trim_whitespace=True)


class BusyCalendarSerializer(serializers.Serializer):
    """A connected calendar: its address (the owner's own secret), its state, and the events last found."""

    id = serializers.IntegerField()
    url = serializers.CharField()
    status = serializers.ChoiceField(choices=BusyCalendar.Status.values)
    error = serializers.SerializerMethodField()
    last_synced_at = UtcDateTimeField(allow_null=True)
    busy_events = serializers.IntegerField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_error(self, calendar: BusyCalendar) -> str | None:
        """Why the last sync failed, in words (null when it did not)."""
        return error_message(calendar.error_code, calendar.error_detail) or None
