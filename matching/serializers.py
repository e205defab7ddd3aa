"""Input validation and output shapes of the requests API (docs/api.md: "Requests and matching")."""

from datetime import UTC, datetime

from rest_framework import serializers

from marketplace.api_fields import InstantField
from marketplace.models import Skill
from marketplace.serializers import mentor_representation
from marketplace.text import refuse_control_characters
from matching.models import CONTEXT_MAX_LENGTH, MAX_SKILLS, REQUEST_DURATIONS, TOPIC_MAX_LENGTH, MentorRequest
from matching.selectors import OfferedMatch


class RequestCreateSerializer(serializers.Serializer):
    """POST /api/v1/requests/. `needed_by` defaults to three working days ahead, 17:00 in the asker's zone."""

    topic = serializers.CharField(
        max_length=TOPIC_MAX_LENGTH,
        validators=[refuse_control_characters],
        error_messages={"blank": "Say in a few words what you need help with."},
    )
    # The metaclass moves declared fields off the class, so this does not replace Field.context.
    context = serializers.CharField(  # type: ignore[assignment]
        max_length=CONTEXT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    skills = serializers.ListField(
        child=serializers.SlugField(),
        min_length=1,
        max_length=MAX_SKILLS,
        error_messages={
            "min_length": "Pick at least one skill.",
            "max_length": f"Pick at most {MAX_SKILLS} skills: fewer skills find more people.",
            "empty": "Pick at least one skill.",
        },
    )
    needed_by = InstantField(required=False, allow_null=True, default=None)
    duration = serializers.ChoiceField(
        choices=REQUEST_DURATIONS,
        required=False,
        default=30,
        error_messages={"invalid_choice": "Sessions last 20 or 30 minutes."},
    )
    prefer_other_department = serializers.BooleanField(required=False, default=False)
    prefer_same_timezone = serializers.BooleanField(required=False, default=False)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"detail": "Send a JSON object."})
        unknown = set(data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        return super().to_internal_value(data)

    def validate_skills(self, slugs: list[str]) -> list[Skill]:
        slugs = list(dict.fromkeys(slugs))
        found = {skill.slug: skill for skill in Skill.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise serializers.ValidationError(f"Unknown skill: {', '.join(unknown)}.")
        return [found[slug] for slug in slugs]


def _utc(instant: datetime | None) -> str | None:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if instant else None


def request_summary(request: MentorRequest, *, skills: list[Skill], now: datetime) -> dict:
    """A request without its matches (the list endpoint)."""
    return {
        "id": request.pk,
        "topic": request.topic,
        "context": request.context,
        "skills": [skill.slug for skill in skills],
        "needed_by": _utc(request.needed_by),
        "duration": request.duration,
        "prefer_other_department": request.prefer_other_department,
        "prefer_same_timezone": request.prefer_same_timezone,
        "status": request.status_at(now),
        "created_at": _utc(request.created_at),
        "last_matched_at": _utc(request.last_matched_at),
        "booked_at": _utc(request.booked_at),
        "booked_session_start": _utc(request.booked_session_start),
        "match_count": request.match_count,
    }


def request_representation(
    request: MentorRequest, *, skills: list[Skill], offered: list[OfferedMatch], now: datetime
) -> dict:
    """The request object of docs/api.md, with its matches best first."""
    body = request_summary(request, skills=skills, now=now)
    body["matches"] = [
        {
            "rank": match.rank,
            "mentor": {**mentor_representation(match.card), "next_slot": _utc(match.slot.start)},
            "score": match.score,
            "reasons": match.reasons,
            "next_slot": _utc(match.slot.start),
        }
        for match in offered
    ]
    return body
