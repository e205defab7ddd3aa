"""Input validation and output shapes of the bookings API (docs/api.md: "Bookings")."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from marketplace.api_fields import DayField, InstantField, StrictJSONInput
from marketplace.models import User
from marketplace.serializers import UtcDateTimeField
from sessions_app.models import (
    CANCEL_SCOPES,
    FEEDBACK_COMMENT_MAX_LENGTH,
    FEEDBACK_NEXT_STEP_MAX_LENGTH,
    FEEDBACK_RATINGS,
    FOLLOW_UP_NOTE_MAX_LENGTH,
    MOMENT_NOTE_MAX_LENGTH,
    MOMENT_WITH_NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SERIES_COUNTS,
    SERIES_EVERY_WEEKS,
    SESSION_LENGTHS,
    TOPIC_MAX_LENGTH,
    Booking,
    Feedback,
    FollowUp,
    Moment,
)
from sessions_app.selectors import MAX_ID


class RepeatSerializer(StrictJSONInput):
    """`"repeat"` of a booking: a short series with the same mentor (docs/api.md)."""

    count = serializers.IntegerField(
        **SERIES_COUNTS.limits(), help_text="How many sessions in all, the first included (2–4)."
    )
    every_weeks = serializers.ChoiceField(
        choices=SERIES_EVERY_WEEKS,
        help_text="1: every week; 2: every other week, at the mentor's same local time.",
        error_messages={"invalid_choice": _("Repeat every week (1) or every other week (2).")},
    )


class BookingCreateSerializer(StrictJSONInput):
    mentor = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = InstantField()
    duration = serializers.ChoiceField(
        choices=SESSION_LENGTHS, error_messages={"invalid_choice": _("Sessions last 20 or 30 minutes.")}
    )
    topic = serializers.CharField(max_length=TOPIC_MAX_LENGTH)
    request = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    repeat = RepeatSerializer(required=False, allow_null=True)

    def validate_mentor(self, mentor_id: int) -> User:
        mentor = User.objects.filter(pk=mentor_id, is_mentor=True, is_active=True).first()
        if mentor is None:
            raise serializers.ValidationError(gettext("No mentor with this id offers sessions."))
        return mentor


class BookingFilterSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["mentor", "mentee"], required=False)
    status = serializers.ChoiceField(choices=Booking.Status.values, required=False)
    upcoming = serializers.BooleanField(required=False)


class CancelSerializer(StrictJSONInput):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, allow_blank=True, required=False, default="")
    scope = serializers.ChoiceField(
        choices=CANCEL_SCOPES,
        required=False,
        default="this",
        help_text="later: also every later confirmed session of its series (outside a series, as this).",
    )


class RescheduleSerializer(StrictJSONInput):
    start = InstantField()


class FeedbackSerializer(StrictJSONInput):
    rating = serializers.IntegerField(**FEEDBACK_RATINGS.limits())
    helpful = serializers.BooleanField()
    comment = serializers.CharField(
        max_length=FEEDBACK_COMMENT_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    next_step = serializers.CharField(
        max_length=FEEDBACK_NEXT_STEP_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class FollowUpSerializer(StrictJSONInput):
    outcome = serializers.ChoiceField(
        choices=FollowUp.Outcome.values, error_messages={"invalid_choice": _("Answer yes, partly or no.")}
    )
    note = serializers.CharField(
        max_length=FOLLOW_UP_NOTE_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class MomentSerializer(StrictJSONInput):
    kind = serializers.ChoiceField(choices=Moment.Kind.values)
    with_person = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    with_name = serializers.CharField(
        max_length=MOMENT_WITH_NAME_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    note = serializers.CharField(max_length=MOMENT_NOTE_MAX_LENGTH)
    happened_on = DayField(required=False, allow_null=True)

    def validate_with_person(self, person_id: int | None) -> User | None:
        if person_id is None:
            return None
        found = User.objects.filter(pk=person_id, is_active=True).first()
        if found is None:
            raise serializers.ValidationError(gettext("No colleague with this id."))
        return found


class PersonSerializer(serializers.Serializer):
    """A person inside another object: `{"id", "display_name"}`."""

    id = serializers.IntegerField(source="pk")
    display_name = serializers.CharField(source="name")


def person(user: User) -> dict:
    return PersonSerializer(user).data


class BookingSerializer(serializers.Serializer):
    """docs/api.md's booking object; the booking comes with mentor and mentee loaded (no further queries), and
    the context holds the request (for the absolute `ics_url`)."""

    id = serializers.IntegerField()
    mentor = PersonSerializer()
    mentee = PersonSerializer()
    start = UtcDateTimeField()
    end = UtcDateTimeField()
    duration = serializers.ChoiceField(choices=SESSION_LENGTHS)
    topic = serializers.CharField()
    status = serializers.ChoiceField(choices=Booking.Status.values)
    meeting_url = serializers.URLField()
    ics_url = serializers.SerializerMethodField()
    cancel_reason = serializers.CharField()
    cancelled_at = UtcDateTimeField(allow_null=True)
    no_show_marked_at = UtcDateTimeField(allow_null=True)
    no_show_undo_until = UtcDateTimeField(allow_null=True)
    created_at = UtcDateTimeField()
    series = serializers.SerializerMethodField(
        help_text="The ids of all the sessions of this session's series, in order (null outside a series)."
    )
    series_position = serializers.IntegerField(
        allow_null=True, help_text="Which session of its series this is, from 1 (null outside a series)."
    )

    @extend_schema_field(serializers.URLField())
    def get_ics_url(self, booking: Booking) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-booking-ics", args=[booking.pk]))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_series(self, booking: Booking) -> list[int] | None:
        if booking.series is None:
            return None
        sessions = sorted(booking.series.bookings.all(), key=lambda session: session.series_position or 0)
        return [session.pk for session in sessions]


def booking_representation(booking: Booking, request: Request) -> dict:
    return BookingSerializer(booking, context={"request": request}).data


class FeedbackOutSerializer(serializers.Serializer):
    """The feedback a participant gave (201 of POST /api/v1/bookings/{id}/feedback/)."""

    id = serializers.IntegerField()
    booking = serializers.IntegerField(source="booking_id")
    role = serializers.ChoiceField(choices=Feedback.Role.values)
    rating = serializers.IntegerField(**FEEDBACK_RATINGS.limits())
    helpful = serializers.BooleanField()
    comment = serializers.CharField()
    next_step = serializers.CharField()
    created_at = UtcDateTimeField()

    class Meta:
        ref_name = "Feedback"


def feedback_representation(feedback: Feedback) -> dict:
    return FeedbackOutSerializer(feedback).data


class FollowUpOutSerializer(serializers.Serializer):
    """The mentee's one-week answer (201 of POST /api/v1/bookings/{id}/follow-up/)."""

    id = serializers.IntegerField()
    booking = serializers.IntegerField(source="booking_id")
    outcome = serializers.ChoiceField(choices=FollowUp.Outcome.values)
    note = serializers.CharField()
    created_at = UtcDateTimeField()

    class Meta:
        ref_name = "FollowUp"


def follow_up_representation(follow_up: FollowUp) -> dict:
    return FollowUpOutSerializer(follow_up).data


class MomentOutSerializer(serializers.Serializer):
    """An informal moment as logged."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Moment.Kind.values)
    with_person = PersonSerializer(allow_null=True)
    with_name = serializers.CharField()
    note = serializers.CharField()
    happened_on = serializers.DateField()
    created_at = UtcDateTimeField()

    class Meta:
        ref_name = "Moment"


def moment_representation(moment: Moment) -> dict:
    return MomentOutSerializer(moment).data


class CalendarFeedSerializer(serializers.Serializer):
    """The secret address of a person's calendar feed."""

    url = serializers.URLField()
