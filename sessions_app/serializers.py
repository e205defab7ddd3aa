"""Input validation and output shapes of the bookings API (docs/api.md: "Bookings")."""

from django.urls import reverse
from rest_framework import serializers
from rest_framework.request import Request

from marketplace.api_fields import DayField, InstantField, iso_utc
from marketplace.models import User
from sessions_app.models import (
    FEEDBACK_COMMENT_MAX_LENGTH,
    FEEDBACK_NEXT_STEP_MAX_LENGTH,
    FEEDBACK_RATINGS,
    FOLLOW_UP_NOTE_MAX_LENGTH,
    MOMENT_NOTE_MAX_LENGTH,
    MOMENT_WITH_NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SESSION_LENGTHS,
    TOPIC_MAX_LENGTH,
    Booking,
    Feedback,
    FollowUp,
    Moment,
)
from sessions_app.selectors import MAX_ID


class BookingCreateSerializer(serializers.Serializer):
    mentor = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = InstantField()
    duration = serializers.ChoiceField(
        choices=SESSION_LENGTHS, error_messages={"invalid_choice": "Sessions last 20 or 30 minutes."}
    )
    topic = serializers.CharField(max_length=TOPIC_MAX_LENGTH)
    request = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)

    def validate_mentor(self, mentor_id: int) -> User:
        mentor = User.objects.filter(pk=mentor_id, is_mentor=True, is_active=True).first()
        if mentor is None:
            raise serializers.ValidationError("No mentor with this id offers sessions.")
        return mentor


class BookingFilterSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["mentor", "mentee"], required=False)
    status = serializers.ChoiceField(choices=Booking.Status.values, required=False)
    upcoming = serializers.BooleanField(required=False)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, allow_blank=True, required=False, default="")


class RescheduleSerializer(serializers.Serializer):
    start = InstantField()


class FeedbackSerializer(serializers.Serializer):
    rating = serializers.IntegerField(**FEEDBACK_RATINGS.limits())
    helpful = serializers.BooleanField()
    comment = serializers.CharField(
        max_length=FEEDBACK_COMMENT_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    next_step = serializers.CharField(
        max_length=FEEDBACK_NEXT_STEP_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class FollowUpSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=FollowUp.Outcome.values, error_messages={"invalid_choice": "Answer yes, partly or no."}
    )
    note = serializers.CharField(
        max_length=FOLLOW_UP_NOTE_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class MomentSerializer(serializers.Serializer):
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
            raise serializers.ValidationError("No colleague with this id.")
        return found


def person(user: User) -> dict:
    return {"id": user.pk, "display_name": user.name}


def booking_representation(booking: Booking, request: Request) -> dict:
    """docs/api.md's booking object; `booking` comes with mentor and mentee loaded (no further queries)."""
    return {
        "id": booking.pk,
        "mentor": person(booking.mentor),
        "mentee": person(booking.mentee),
        "start": iso_utc(booking.start),
        "end": iso_utc(booking.end),
        "duration": booking.duration,
        "topic": booking.topic,
        "status": booking.status,
        "meeting_url": booking.meeting_url,
        "ics_url": request.build_absolute_uri(reverse("api-booking-ics", args=[booking.pk])),
        "cancel_reason": booking.cancel_reason,
        "cancelled_at": iso_utc(booking.cancelled_at),
        "created_at": iso_utc(booking.created_at),
    }


def feedback_representation(feedback: Feedback) -> dict:
    return {
        "id": feedback.pk,
        "booking": feedback.booking_id,
        "role": feedback.role,
        "rating": feedback.rating,
        "helpful": feedback.helpful,
        "comment": feedback.comment,
        "next_step": feedback.next_step,
        "created_at": iso_utc(feedback.created_at),
    }


def follow_up_representation(follow_up: FollowUp) -> dict:
    return {
        "id": follow_up.pk,
        "booking": follow_up.booking_id,
        "outcome": follow_up.outcome,
        "note": follow_up.note,
        "created_at": iso_utc(follow_up.created_at),
    }


def moment_representation(moment: Moment) -> dict:
    return {
        "id": moment.pk,
        "kind": moment.kind,
        "with_person": person(moment.with_person) if moment.with_person is not None else None,
        "with_name": moment.with_name,
        "note": moment.note,
        "happened_on": moment.happened_on.isoformat(),
        "created_at": iso_utc(moment.created_at),
    }
