"""Input validation and output shapes of the group sessions API (docs/api.md: "Group sessions")."""

from datetime import datetime

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from groups.models import (
    CAPACITY,
    DESCRIPTION_MAX_LENGTH,
    DURATIONS,
    MAX_SKILLS,
    QUESTION_MAX_LENGTH,
    REPEAT_WEEKS,
    TITLE_MAX_LENGTH,
    GroupFeedback,
    GroupSession,
    Question,
    Seat,
)
from groups.selectors import MySeat
from groups.services.sessions import SCOPES, THIS
from marketplace.api_fields import InstantField, StrictJSONInput
from marketplace.bounds import ID
from marketplace.models import MEETING_URL_MAX_LENGTH, Skill, User
from marketplace.serializers import UtcDateTimeField
from marketplace.text import refuse_control_characters
from sessions_app.models import FEEDBACK_RATINGS
from sessions_app.serializers import PersonSerializer

DURATION_MESSAGE = format_lazy(
    _("A group session lasts {low} to {high} minutes, in steps of 10."), low=DURATIONS[0], high=DURATIONS[-1]
)
# The schema's enums, each named once (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
GROUP_SESSION_STATUSES = GroupSession.Status.values
GROUP_SESSION_DURATIONS = [(minutes, minutes) for minutes in DURATIONS]
SEAT_STATUSES = [Seat.Status.SEATED.value, Seat.Status.WAITLISTED.value]
SCOPE_MESSAGE = _('Say "this" (this session only) or "later" (this one and all later ones of its series).')


class SkillSlugsField(serializers.ListField):
    """A list of skill slugs, each known: the Skills, in the order given, without repeats."""

    child = serializers.SlugField()

    def __init__(self, **kwargs) -> None:
        super().__init__(
            max_length=MAX_SKILLS,
            error_messages={
                "max_length": format_lazy(_("Pick at most {count} skills."), count=MAX_SKILLS),
            },
            **kwargs,
        )

    def to_internal_value(self, data) -> list[Skill]:
        slugs = list(dict.fromkeys(super().to_internal_value(data)))
        found = {skill.slug: skill for skill in Skill.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise serializers.ValidationError(
                gettext("Unknown skill: %(slugs)s.") % {"slugs": ", ".join(unknown)}
            )
        return [found[slug] for slug in slugs]


class GroupSessionCreateSerializer(StrictJSONInput):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, validators=[refuse_control_characters])
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    skills = SkillSlugsField(required=False, default=list)
    start = InstantField()
    duration = serializers.ChoiceField(choices=DURATIONS, error_messages={"invalid_choice": DURATION_MESSAGE})
    capacity = serializers.IntegerField(**CAPACITY.limits())
    repeat_weeks = serializers.IntegerField(**REPEAT_WEEKS.limits(), required=False, default=0)
    meeting_url = serializers.URLField(
        max_length=MEETING_URL_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class GroupSessionUpdateSerializer(StrictJSONInput):
    """PATCH: any of the fields a host publishes (not repeat_weeks), and which sessions the change is for."""

    title = serializers.CharField(
        max_length=TITLE_MAX_LENGTH, validators=[refuse_control_characters], required=False
    )
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False)
    skills = SkillSlugsField(required=False)
    start = InstantField(required=False)
    duration = serializers.ChoiceField(
        choices=DURATIONS, required=False, error_messages={"invalid_choice": DURATION_MESSAGE}
    )
    capacity = serializers.IntegerField(**CAPACITY.limits(), required=False)
    meeting_url = serializers.URLField(max_length=MEETING_URL_MAX_LENGTH, required=False)
    scope = serializers.ChoiceField(
        choices=SCOPES, required=False, default=THIS, error_messages={"invalid_choice": SCOPE_MESSAGE}
    )


class CancelSerializer(StrictJSONInput):
    class Meta:
        ref_name = "GroupSessionCancel"

    scope = serializers.ChoiceField(
        choices=SCOPES, required=False, default=THIS, error_messages={"invalid_choice": SCOPE_MESSAGE}
    )


class GroupSessionFilterSerializer(serializers.Serializer):
    skill = serializers.SlugField(required=False)
    upcoming = serializers.BooleanField(required=False, default=False)
    host = serializers.IntegerField(**ID.limits(), required=False)


class GroupSessionSerializer(serializers.Serializer):
    """docs/api.md's group session. The context holds `now`, `viewer` and `mine` (the viewer's seats by
    session id), so a page of sessions costs no query per session."""

    id = serializers.IntegerField()
    host = PersonSerializer()
    title = serializers.CharField()
    description = serializers.CharField()
    skills = serializers.SerializerMethodField()
    start = UtcDateTimeField()
    end = UtcDateTimeField()
    duration = serializers.ChoiceField(choices=DURATIONS)
    capacity = serializers.IntegerField()
    seats_taken = serializers.IntegerField()
    seats_left = serializers.IntegerField()
    waitlist_length = serializers.IntegerField()
    status = serializers.SerializerMethodField()
    my_status = serializers.SerializerMethodField()
    my_position = serializers.SerializerMethodField()
    series = serializers.IntegerField(source="series_id", allow_null=True)
    meeting_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_skills(self, session: GroupSession) -> list[str]:
        return [skill.slug for skill in session.skills.all()]

    @extend_schema_field(serializers.ChoiceField(choices=GROUP_SESSION_STATUSES))
    def get_status(self, session: GroupSession) -> str:
        return session.state(self._now)

    def _mine(self, session: GroupSession) -> MySeat | None:
        return self.context["mine"].get(session.pk)

    @extend_schema_field(serializers.ChoiceField(choices=SEAT_STATUSES, allow_null=True))
    def get_my_status(self, session: GroupSession) -> str | None:
        mine = self._mine(session)
        return mine.status if mine else None

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=1))
    def get_my_position(self, session: GroupSession) -> int | None:
        mine = self._mine(session)
        return mine.position if mine else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_meeting_url(self, session: GroupSession) -> str | None:
        """Only the host and the seated see where it happens."""
        mine = self._mine(session)
        viewer: User = self.context["viewer"]
        if viewer.pk == session.host_id or (mine and mine.status == Seat.Status.SEATED):
            return session.meeting_url
        return None

    @property
    def _now(self) -> datetime:
        return self.context["now"]

    class Meta:
        ref_name = "GroupSession"


def group_session_representation(
    session: GroupSession, *, viewer: User, mine: dict[int, MySeat], now: datetime
) -> dict:
    return GroupSessionSerializer(session, context={"viewer": viewer, "mine": mine, "now": now}).data


class JoinResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SEAT_STATUSES)
    position = serializers.IntegerField(allow_null=True, min_value=1)


class AttendeeSerializer(serializers.Serializer):
    """One line of the host's attendee list."""

    person = PersonSerializer()
    status = serializers.ChoiceField(choices=SEAT_STATUSES)
    position = serializers.IntegerField(allow_null=True)
    from_waitlist = serializers.BooleanField()
    joined_at = UtcDateTimeField()
    seated_at = UtcDateTimeField(allow_null=True)


class AttendeesSerializer(serializers.Serializer):
    seated = AttendeeSerializer(many=True)
    waitlisted = AttendeeSerializer(many=True)


class QuestionCreateSerializer(StrictJSONInput):
    text = serializers.CharField(max_length=QUESTION_MAX_LENGTH)
    anonymous = serializers.BooleanField(required=False, default=False)


class AnsweredSerializer(StrictJSONInput):
    answered = serializers.BooleanField(required=False, default=True)


class QuestionSerializer(serializers.Serializer):
    """A question as `viewer` (the context) sees it: an anonymous one names its author to them alone."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    author = serializers.SerializerMethodField()
    anonymous = serializers.BooleanField()
    votes = serializers.IntegerField(source="vote_count")
    i_voted = serializers.BooleanField()
    answered = serializers.SerializerMethodField()
    created_at = UtcDateTimeField()

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, question: Question) -> dict | None:
        if question.anonymous and question.author_id != self.context["viewer"].pk:
            return None
        return PersonSerializer(question.author).data

    @extend_schema_field(serializers.BooleanField())
    def get_answered(self, question: Question) -> bool:
        return question.answered_at is not None

    class Meta:
        ref_name = "GroupQuestion"


def question_representation(question: Question, *, viewer: User) -> dict:
    return QuestionSerializer(question, context={"viewer": viewer}).data


class GroupFeedbackSerializer(serializers.Serializer):
    """The feedback a seated attendee gave (201 of POST /api/v1/group-sessions/{id}/feedback/)."""

    id = serializers.IntegerField()
    session = serializers.IntegerField(source="session_id")
    rating = serializers.IntegerField(**FEEDBACK_RATINGS.limits())
    helpful = serializers.BooleanField()
    comment = serializers.CharField()
    next_step = serializers.CharField()
    created_at = UtcDateTimeField()

    class Meta:
        ref_name = "GroupFeedback"


def group_feedback_representation(feedback: GroupFeedback) -> dict:
    return GroupFeedbackSerializer(feedback).data
