"""Input validation and output shapes of the requests API (docs/api.md: "Requests and matching")."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.api_fields import InstantField, StrictJSONInput, iso_utc
from marketplace.models import Skill
from marketplace.serializers import MentorSerializer, UtcDateTimeField
from marketplace.text import refuse_control_characters
from matching.group_sessions import GroupSessionSuggestion
from matching.models import CONTEXT_MAX_LENGTH, MAX_SKILLS, REQUEST_DURATIONS, TOPIC_MAX_LENGTH, MentorRequest
from matching.selectors import OfferedMatch


class RequestCreateSerializer(StrictJSONInput):
    """POST /api/v1/requests/. `needed_by` defaults to three working days ahead, 17:00 in the asker's zone."""

    topic = serializers.CharField(
        max_length=TOPIC_MAX_LENGTH,
        validators=[refuse_control_characters],
        error_messages={"blank": _("Say in a few words what you need help with.")},
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
            "min_length": _("Pick at least one skill."),
            "max_length": format_lazy(
                _("Pick at most {count} skills: fewer skills find more people."), count=MAX_SKILLS
            ),
            "empty": _("Pick at least one skill."),
        },
    )
    needed_by = InstantField(required=False, allow_null=True, default=None)
    duration = serializers.ChoiceField(
        choices=REQUEST_DURATIONS,
        required=False,
        default=30,
        error_messages={"invalid_choice": _("Sessions last 20 or 30 minutes.")},
    )
    prefer_other_department = serializers.BooleanField(required=False, default=False)
    prefer_same_timezone = serializers.BooleanField(required=False, default=False)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"detail": gettext("Send a JSON object.")})
        unknown = set(data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: [gettext("Unknown field.")] for name in sorted(unknown)})
        return super().to_internal_value(data)

    def validate_skills(self, slugs: list[str]) -> list[Skill]:
        slugs = list(dict.fromkeys(slugs))
        found = {skill.slug: skill for skill in Skill.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise serializers.ValidationError(
                gettext("Unknown skill: %(slugs)s.") % {"slugs": ", ".join(unknown)}
            )
        return [found[slug] for slug in slugs]


REQUEST_STATUSES = MentorRequest.Status.values


def given(serializer: serializers.Serializer) -> Mapping[str, Any]:
    """The serializer's context: what mypy calls `context` on these serializers is their `context` field."""
    return serializer.context


class RequestSummarySerializer(serializers.Serializer):
    """A request without its matches (the list endpoint). The context gives its `skills` (a list of Skill)
    and `now` (its status at that instant)."""

    id = serializers.IntegerField()
    topic = serializers.CharField()
    context = serializers.CharField()  # type: ignore[assignment]  # as in RequestCreateSerializer
    skills = serializers.SerializerMethodField()
    needed_by = UtcDateTimeField()
    duration = serializers.ChoiceField(choices=REQUEST_DURATIONS)
    prefer_other_department = serializers.BooleanField()
    prefer_same_timezone = serializers.BooleanField()
    status = serializers.SerializerMethodField()
    created_at = UtcDateTimeField()
    last_matched_at = UtcDateTimeField(allow_null=True)
    booked_at = UtcDateTimeField(allow_null=True)
    booked_session_start = UtcDateTimeField(allow_null=True)
    match_count = serializers.IntegerField(min_value=0)

    class Meta:
        ref_name = "RequestSummary"

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_skills(self, request: MentorRequest) -> list[str]:
        return [skill.slug for skill in given(self)["skills"]]

    @extend_schema_field(serializers.ChoiceField(choices=REQUEST_STATUSES))
    def get_status(self, request: MentorRequest) -> str:
        return request.status_at(given(self)["now"])


class MatchSerializer(serializers.Serializer):
    """One place on the shortlist (a selectors.OfferedMatch); the mentor's `next_slot` is the match's."""

    rank = serializers.IntegerField(min_value=1)
    mentor = serializers.SerializerMethodField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    next_slot = UtcDateTimeField(source="slot.start")

    @extend_schema_field(MentorSerializer)
    def get_mentor(self, match: OfferedMatch) -> dict:
        return {**MentorSerializer(match.card).data, "next_slot": iso_utc(match.slot.start)}


class GroupSessionHostSerializer(serializers.Serializer):
    """`{"id", "display_name"}` of a suggestion's host."""

    id = serializers.IntegerField(source="host_id")
    display_name = serializers.CharField(source="host_name")


class GroupSessionSuggestionSerializer(serializers.Serializer):
    """An upcoming group session a request with nobody on its shortlist is pointed to."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    host = GroupSessionHostSerializer(source="*")
    start = UtcDateTimeField()
    end = UtcDateTimeField()
    seats_left = serializers.IntegerField(min_value=0)
    waitlist_length = serializers.IntegerField(min_value=0)
    my_status = serializers.ChoiceField(choices=["seated", "waitlisted"], allow_null=True)


class RequestSerializer(RequestSummarySerializer):
    """docs/api.md's request object, with its matches best first (the context also gives `offered` and
    `group_sessions`)."""

    matches = serializers.SerializerMethodField()
    group_sessions = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Request"

    @extend_schema_field(MatchSerializer(many=True))
    def get_matches(self, request: MentorRequest) -> list:
        return MatchSerializer(given(self)["offered"], many=True).data  # type: ignore[return-value]

    @extend_schema_field(GroupSessionSuggestionSerializer(many=True))
    def get_group_sessions(self, request: MentorRequest) -> list:
        suggestions = given(self)["group_sessions"]
        return GroupSessionSuggestionSerializer(suggestions, many=True).data  # type: ignore[return-value]


def request_summary(request: MentorRequest, *, skills: list[Skill], now: datetime) -> dict:
    """A request without its matches (the list endpoint)."""
    return RequestSummarySerializer(request, context={"skills": skills, "now": now}).data


def request_representation(
    request: MentorRequest,
    *,
    skills: list[Skill],
    offered: list[OfferedMatch],
    group_sessions: list[GroupSessionSuggestion],
    now: datetime,
) -> dict:
    """The request object of docs/api.md, with its matches best first."""
    context = {"skills": skills, "now": now, "offered": offered, "group_sessions": group_sessions}
    return RequestSerializer(request, context=context).data
