"""Input validation and output shapes of the people API (docs/api.md: "People and skills")."""

from datetime import datetime, timedelta

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.utils import has_verified_email
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import Throttled

from marketplace import bounds, sso
from marketplace.api_fields import InstantField, JsonType, StrictJSONInput, iso_utc
from marketplace.models import (
    BIO_MAX_LENGTH,
    BUFFER_MINUTES,
    DEFAULT_WORKING_HOURS,
    DISPLAY_NAME_MAX_LENGTH,
    HEADLINE_MAX_LENGTH,
    JOB_TITLE_MAX_LENGTH,
    MEETING_URL_MAX_LENGTH,
    MENTOR_SEARCH_MAX_LENGTH,
    NOTICE_MINUTES,
    SESSION_LENGTHS,
    SKILL_LEVELS,
    TIME_OFF_NOTE_MAX_LENGTH,
    TIMEZONE_CHOICES,
    WEEKDAYS,
    WEEKLY_MINUTES_CAP,
    WORKING_INTERVALS_PER_DAY,
    Department,
    JobLevel,
    Skill,
    SkillLevel,
    User,
)
from marketplace.ratings import rating_for_api
from marketplace.selectors import MentorCard, mentoring_settings
from marketplace.services import BlockInput, find_working_hours_problem
from marketplace.text import refuse_control_characters

TIMEZONE_NAMES = [name for name, _ in TIMEZONE_CHOICES]
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
MAX_SLOT_RANGE = timedelta(days=31)


class TokenRequestSerializer(StrictJSONInput):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=256)

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]
        email = attrs["email"].lower()
        # Before the password is checked: the answer does not depend on it.
        if refusal := sso.api_password_refusal(email):
            raise serializers.ValidationError({"email": [refusal]})
        # Through allauth, not authenticate(): its "login_failed" rate limit (per address and per email)
        # is the page login's, so a lockout on either refuses both, even the right password.
        try:
            user = get_account_adapter(request).authenticate(request, email=email, password=attrs["password"])
        except DjangoValidationError as error:
            raise Throttled(detail=" ".join(error.messages)) from None
        # An unverified address gets the wrong-credentials answer, so the endpoint tells nobody that the
        # password was right; the page login is where a person is sent the confirmation.
        unverified = (
            user is not None
            and account_settings.EMAIL_VERIFICATION == account_settings.EmailVerificationMethod.MANDATORY
            and not has_verified_email(user, email)
        )
        if user is None or not user.is_active or unverified:
            raise serializers.ValidationError({"detail": "Email or password is wrong."})
        attrs["user"] = user
        return attrs


class SkillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["slug", "name", "category"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]


class MentoringSerializer(StrictJSONInput):
    session_lengths = serializers.ListField(
        child=serializers.ChoiceField(choices=SESSION_LENGTHS),
        allow_empty=False,
        min_length=1,  # what allow_empty says, for the schema (an empty list still reads "may not be empty")
        max_length=len(SESSION_LENGTHS),
    )
    min_notice_minutes = serializers.IntegerField(**NOTICE_MINUTES.limits())
    buffer_minutes = serializers.IntegerField(**BUFFER_MINUTES.limits())
    weekly_minutes_cap = serializers.IntegerField(**WEEKLY_MINUTES_CAP.limits())
    meeting_url = serializers.URLField(allow_blank=True, max_length=MEETING_URL_MAX_LENGTH)
    accepting = serializers.BooleanField()

    def validate_session_lengths(self, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(gettext("List each session length once."))
        return sorted(value)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "properties": {"slug": {"type": "string"}, "level": {"type": "integer", "enum": [1, 2, 3]}},
                "required": ["slug"],
            },
        ]
    }
)
class OfferedSkillField(serializers.Field):
    """A skill given as its slug, or as {"slug", "level"} with level 1–3 (default 2)."""

    # Braces doubled: DRF formats these messages with str.format.
    default_error_messages = {
        "invalid": 'Give a skill slug or {{"slug": "...", "level": 1-3}}.',
        "level": "Level must be 1, 2 or 3.",
    }
    _slug = serializers.SlugField()
    json_type = JsonType.ANY  # a slug or an object: checked below

    def to_internal_value(self, data) -> tuple[str, int]:
        if isinstance(data, str) and data.strip():
            return self._valid_slug(data.strip()), SkillLevel.STRONG.value
        if isinstance(data, dict) and isinstance(data.get("slug"), str):
            level = data.get("level", SkillLevel.STRONG.value)
            if level not in SKILL_LEVELS:
                self.fail("level")
            return self._valid_slug(data["slug"]), level
        self.fail("invalid")

    def _valid_slug(self, slug: str) -> str:
        try:
            return self._slug.run_validation(slug)
        except serializers.ValidationError:
            self.fail("invalid")

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:30"})
class HourMinuteField(serializers.TimeField):
    """A local wall-clock time written "HH:MM"."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)
        self.error_messages["invalid"] = _('Use the 24-hour form "HH:MM", e.g. "09:30".')

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid", format="HH:MM")
        return super().to_internal_value(value)


class BlockSerializer(StrictJSONInput):
    weekday = serializers.IntegerField(
        **WEEKDAYS.limits(),
        error_messages={
            "min_value": _("Use 0 (Monday) to 6 (Sunday)."),
            "max_value": _("Use 0 (Monday) to 6 (Sunday)."),
        },
    )
    start = HourMinuteField()
    end = HourMinuteField()
    ends_before_start = _("A block must end after it starts (same day).")

    def validate(self, attrs: dict) -> dict:
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": [self.ends_before_start]})
        return attrs


class WorkingIntervalSerializer(BlockSerializer):
    """One interval of working hours, in the person's zone: all three fields (even in a PATCH), no others."""

    ends_before_start = _("Working hours must end after they start (the same day).")

    def to_internal_value(self, data):
        # Under PATCH (a partial root) DRF would skip a missing field of a nested object; here none may be.
        if isinstance(data, dict):
            names = ("weekday", "start", "end")
            required = serializers.Field.default_error_messages["required"]  # DRF's own, translated
            errors = {name: [str(required)] for name in names if name not in data}
            errors.update(
                {str(name): [gettext("Unknown field.")] for name in sorted(set(data) - set(names), key=str)}
            )
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class MeUpdateSerializer(StrictJSONInput):
    """PATCH /api/v1/me/: any subset. Read-only fields of GET are ignored; unknown ones are a 400."""

    READ_ONLY = {"id", "email", "is_hr", "skills_wanted_detail"}

    display_name = serializers.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH, allow_blank=True, validators=[refuse_control_characters]
    )
    timezone = serializers.ChoiceField(
        choices=TIMEZONE_NAMES, error_messages={"invalid_choice": _("Unknown time zone.")}
    )
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, allow_blank=True)
    headline = serializers.CharField(max_length=HEADLINE_MAX_LENGTH, allow_blank=True)
    bio = serializers.CharField(max_length=BIO_MAX_LENGTH, allow_blank=True)
    job_title = serializers.CharField(max_length=JOB_TITLE_MAX_LENGTH, allow_blank=True)
    job_level = serializers.ChoiceField(choices=[*JobLevel.values, ""])
    is_mentor = serializers.BooleanField()
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), allow_null=True)
    skills = serializers.ListField(child=OfferedSkillField(), max_length=30)
    skills_wanted = serializers.ListField(child=serializers.SlugField(), max_length=30)
    mentoring = MentoringSerializer(partial=True)
    # The stubs leave out the list's min_length/max_length, which many=True passes to the ListSerializer.
    working_hours = WorkingIntervalSerializer(  # type: ignore[call-arg]
        many=True, max_length=7 * WORKING_INTERVALS_PER_DAY
    )

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"detail": gettext("Send a JSON object.")})
        unknown = set(data) - set(self.fields) - self.READ_ONLY
        if unknown:
            raise serializers.ValidationError({name: [gettext("Unknown field.")] for name in sorted(unknown)})
        data = {key: value for key, value in data.items() if key not in self.READ_ONLY}
        return super().to_internal_value(data)

    def validate_skills(self, value: list[tuple[str, int]]) -> list[tuple[str, int]]:
        slugs = [slug for slug, _ in value]
        if len(set(slugs)) != len(slugs):
            raise serializers.ValidationError(gettext("List each skill once."))
        return value

    def validate_working_hours(self, value: list[dict]) -> list[BlockInput]:
        intervals = [BlockInput(**item) for item in value]
        problem = find_working_hours_problem(intervals)
        if problem:
            raise serializers.ValidationError(problem)
        return sorted(intervals, key=lambda item: (item.weekday, item.start))


@extend_schema_field(OpenApiTypes.DATETIME)
class UtcDateTimeField(serializers.ReadOnlyField):
    """An instant out of the API: UTC with Z, in whole seconds (DRF's DateTimeField would use the zone that
    the request activated)."""

    def to_representation(self, value: datetime) -> str | None:
        return iso_utc(value)


class SkillWithLevelSerializer(serializers.Serializer):
    """A skill a person offers (a UserSkill): level 1 = working knowledge, 2 = strong, 3 = expert."""

    slug = serializers.CharField(source="skill.slug")
    name = serializers.CharField(source="skill.name")
    level = serializers.ChoiceField(choices=SkillLevel.values)


class MeSerializer(serializers.Serializer):
    """The /api/v1/me/ object, of a user from selectors.person_with_details (no further queries)."""

    id = serializers.IntegerField()
    email = serializers.EmailField()
    display_name = serializers.CharField(source="name")
    timezone = serializers.CharField()
    language = serializers.ChoiceField(choices=[*LANGUAGE_CODES, ""])
    headline = serializers.CharField()
    bio = serializers.CharField()
    department = DepartmentSerializer(allow_null=True)
    job_title = serializers.CharField()
    job_level = serializers.ChoiceField(choices=[*JobLevel.values, ""])
    is_mentor = serializers.BooleanField()
    is_hr = serializers.BooleanField()
    skills = SkillWithLevelSerializer(source="skills_offered", many=True)
    skills_wanted = serializers.SerializerMethodField()
    mentoring = serializers.SerializerMethodField()
    working_hours = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_skills_wanted(self, user: User) -> list[str]:
        return [skill.slug for skill in user.skills_wanted.all()]

    @extend_schema_field(MentoringSerializer)
    def get_mentoring(self, user: User) -> dict:
        return MentoringSerializer(mentoring_settings(user)).data

    @extend_schema_field(WorkingIntervalSerializer(many=True))
    def get_working_hours(self, user: User) -> list:
        """In the person's zone; the default week when they have set none (prefetched: no query)."""
        stored = [(item.weekday, item.start, item.end) for item in user.working_hours.all()]
        intervals = sorted(stored) or DEFAULT_WORKING_HOURS
        rows = [{"weekday": weekday, "start": start, "end": end} for weekday, start, end in intervals]
        return [WorkingIntervalSerializer(row).data for row in rows]


def me_representation(user: User) -> dict:
    return MeSerializer(user).data


class AvailabilitySerializer(StrictJSONInput):
    timezone = serializers.ChoiceField(
        choices=TIMEZONE_NAMES, error_messages={"invalid_choice": _("Unknown time zone.")}
    )
    # The stubs leave out the list's min_length/max_length, which many=True passes to the ListSerializer.
    blocks = BlockSerializer(many=True, max_length=70)  # type: ignore[call-arg]


class TimeOffSerializer(StrictJSONInput):
    id = serializers.IntegerField(read_only=True)
    start = InstantField()
    end = InstantField()
    note = serializers.CharField(
        max_length=TIME_OFF_NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class MentorFilterSerializer(serializers.Serializer):
    """Query parameters of GET /api/v1/mentors/ (and the browse page)."""

    skill = serializers.SlugField(required=False)
    q = serializers.CharField(required=False, max_length=MENTOR_SEARCH_MAX_LENGTH, allow_blank=True)
    department = serializers.IntegerField(required=False, **bounds.ID.limits())
    available_before = InstantField(required=False)

    def validate_skill(self, value: str) -> str:
        if not Skill.objects.filter(slug=value).exists():
            raise serializers.ValidationError(gettext("Unknown skill."))
        return value


class SlotQuerySerializer(serializers.Serializer):
    start = InstantField(required=False)
    end = InstantField(required=False)
    duration = serializers.ChoiceField(choices=SESSION_LENGTHS, required=False)
    within_working_hours = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Only the starts inside both the mentor's and the caller's working hours.",
    )

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end:
            if end <= start:
                raise serializers.ValidationError({"end": ["end must be after start."]})
            if end - start > MAX_SLOT_RANGE:
                raise serializers.ValidationError({"end": ["The range can be at most 31 days."]})
        return attrs


class MentorSerializer(serializers.Serializer):
    """docs/api.md's mentor object, of a selectors.MentorCard."""

    id = serializers.IntegerField(source="user.pk")
    display_name = serializers.CharField(source="user.name")
    headline = serializers.CharField(source="user.headline")
    department = DepartmentSerializer(source="user.department", allow_null=True)
    timezone = serializers.CharField(source="user.timezone")
    job_title = serializers.CharField(source="user.job_title")
    skills = SkillWithLevelSerializer(many=True)
    rating = serializers.SerializerMethodField()
    rating_count = serializers.SerializerMethodField()
    next_slot = serializers.SerializerMethodField()

    @extend_schema_field(serializers.FloatField(allow_null=True, min_value=1, max_value=5))
    def get_rating(self, card: MentorCard) -> float | None:
        return rating_for_api(card.rating.average) if card.rating else None

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_rating_count(self, card: MentorCard) -> int:
        return card.rating.count if card.rating else 0

    @extend_schema_field(UtcDateTimeField(allow_null=True))
    def get_next_slot(self, card: MentorCard) -> str | None:
        return iso_utc(card.next_slot.start) if card.next_slot else None


class MentorDetailSerializer(MentorSerializer):
    bio = serializers.CharField(source="user.bio")
    session_lengths = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=SESSION_LENGTHS)))
    def get_session_lengths(self, card: MentorCard) -> list[int]:
        return sorted(card.user.mentor_profile.session_lengths)


def mentor_representation(card: MentorCard, *, detail: bool = False) -> dict:
    """The mentor object of docs/api.md from a selectors.MentorCard."""
    return (MentorDetailSerializer if detail else MentorSerializer)(card).data


class SlotSerializer(serializers.Serializer):
    start = UtcDateTimeField()
    end = UtcDateTimeField()


class SlotsSerializer(serializers.Serializer):
    """GET /api/v1/mentors/{id}/slots/: every bookable start in the range, sorted."""

    slots = SlotSerializer(many=True)
