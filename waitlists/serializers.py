"""Input validation and output shapes of the waiting-list API (docs/api.md: "Waiting for a full mentor")."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.api_fields import InstantField, StrictJSONInput
from marketplace.models import SESSION_LENGTHS
from marketplace.serializers import UtcDateTimeField
from sessions_app.serializers import PersonSerializer
from waitlists.models import WaitlistEntry, WaitlistOffer
from waitlists.selectors import held_offer

# The schema's enum, named once (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
WAITLIST_STATUSES = WaitlistEntry.Status.values


class WaitlistJoinSerializer(StrictJSONInput):
    before = InstantField()
    duration = serializers.ChoiceField(
        choices=SESSION_LENGTHS, error_messages={"invalid_choice": _("Sessions last 20 or 30 minutes.")}
    )


class OfferSerializer(serializers.Serializer):
    """The slot held for the person: book it before `expires_at`."""

    start = UtcDateTimeField()
    end = UtcDateTimeField()
    expires_at = UtcDateTimeField()


class WaitlistEntrySerializer(serializers.Serializer):
    """docs/api.md's waiting-list entry; read with `waitlists.selectors` (mentor and held offer loaded)."""

    id = serializers.IntegerField()
    mentor = PersonSerializer()
    before = UtcDateTimeField()
    duration = serializers.ChoiceField(choices=SESSION_LENGTHS)
    status = serializers.ChoiceField(choices=WAITLIST_STATUSES)
    offer = serializers.SerializerMethodField()
    joined_at = UtcDateTimeField()
    closed_at = UtcDateTimeField(allow_null=True)
    booking = serializers.IntegerField(source="booking_id", allow_null=True)

    @extend_schema_field(OfferSerializer(allow_null=True))
    def get_offer(self, entry: WaitlistEntry) -> dict | None:
        offer: WaitlistOffer | None = held_offer(entry)
        return None if offer is None else OfferSerializer(offer).data


def entry_representation(entry: WaitlistEntry) -> dict:
    return WaitlistEntrySerializer(entry).data
