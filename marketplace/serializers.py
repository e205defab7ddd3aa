"""Input validation and output shapes of the people API (docs/api.md: "People and skills")."""

from datetime import timedelta

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.utils import has_verified_email
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import Throttled

from marketplace.api_fields import InstantField
from marketplace.models import (
    BIO_MAX_LENGTH,
    BUFFER_MINUTES,
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
    Department,
    JobLevel,
    Skill,
    SkillLevel,
    User,
)
from marketplace.selectors import MentorCard, mentoring_settings
from marketplace.text import refuse_control_characters

TIMEZONE_NAMES = [name for name, _ in TIMEZONE_CHOICES]
MAX_SLOT_RANGE = timedelta(days=31)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=256)

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]
        # Through allauth, not authenticate(): its "login_failed" rate limit (per address and per email)
        # is the page login's, so a lockout on either refuses both, even the right password.
        email = attrs["email"].lower()
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


class MentoringSerializer(serializers.Serializer):
    session_lengths = serializers.ListField(
        child=serializers.ChoiceField(choices=SESSION_LENGTHS),
        allow_empty=False,
        max_length=len(SESSION_LENGTHS),
    )
    min_notice_minutes = serializers.IntegerField(**NOTICE_MINUTES.limits())
    buffer_minutes = serializers.IntegerField(**BUFFER_MINUTES.limits())
    weekly_minutes_cap = serializers.IntegerField(**WEEKLY_MINUTES_CAP.limits())
    meeting_url = serializers.URLField(allow_blank=True, max_length=MEETING_URL_MAX_LENGTH)
    accepting = serializers.BooleanField()

    def validate_session_lengths(self, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("List each session length once.")
        return sorted(value)


class OfferedSkillField(serializers.Field):
    """A skill given as its slug, or as {"slug", "level"} with level 1–3 (default 2)."""

    # Braces doubled: DRF formats these messages with str.format.
    default_error_messages = {
        "invalid": 'Give a skill slug or {{"slug": "...", "level": 1-3}}.',
        "level": "Level must be 1, 2 or 3.",
    }
    _slug = serializers.SlugField()

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


class MeUpdateSerializer(serializers.Serializer):
    """PATCH /api/v1/me/: any subset. Read-only fields of GET are ignored; unknown ones are a 400."""

    READ_ONLY = {"id", "email", "is_hr", "skills_wanted_detail"}

    display_name = serializers.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH, allow_blank=True, validators=[refuse_control_characters]
    )
    timezone = serializers.ChoiceField(
        choices=TIMEZONE_NAMES, error_messages={"invalid_choice": "Unknown time zone."}
    )
    headline = serializers.CharField(max_length=HEADLINE_MAX_LENGTH, allow_blank=True)
    bio = serializers.CharField(max_length=BIO_MAX_LENGTH, allow_blank=True)
    job_title = serializers.CharField(max_length=JOB_TITLE_MAX_LENGTH, allow_blank=True)
    job_level = serializers.ChoiceField(choices=[*JobLevel.values, ""])
    is_mentor = serializers.BooleanField()
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), allow_null=True)
    skills = serializers.ListField(child=OfferedSkillField(), max_length=30)
    skills_wanted = serializers.ListField(child=serializers.SlugField(), max_length=30)
    mentoring = MentoringSerializer(partial=True)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"detail": "Send a JSON object."})
        unknown = set(data) - set(self.fields) - self.READ_ONLY
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        data = {key: value for key, value in data.items() if key not in self.READ_ONLY}
        return super().to_internal_value(data)

    def validate_skills(self, value: list[tuple[str, int]]) -> list[tuple[str, int]]:
        slugs = [slug for slug, _ in value]
        if len(set(slugs)) != len(slugs):
            raise serializers.ValidationError("List each skill once.")
        return value


def me_representation(user: User) -> dict:
    """The /api/v1/me/ object. `user` comes from selectors.person_with_details (no further queries)."""
    settings = mentoring_settings(user)
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.name,
        "timezone": user.timezone,
        "headline": user.headline,
        "bio": user.bio,
        "department": DepartmentSerializer(user.department).data if user.department else None,
        "job_title": user.job_title,
        "job_level": user.job_level,
        "is_mentor": user.is_mentor,
        "is_hr": user.is_hr,
        "skills": [
            {"slug": item.skill.slug, "name": item.skill.name, "level": item.level}
            for item in user.skills_offered.all()
        ],
        "skills_wanted": [skill.slug for skill in user.skills_wanted.all()],
        "mentoring": {
            "session_lengths": settings.session_lengths,
            "min_notice_minutes": settings.min_notice_minutes,
            "buffer_minutes": settings.buffer_minutes,
            "weekly_minutes_cap": settings.weekly_minutes_cap,
            "meeting_url": settings.meeting_url,
            "accepting": settings.accepting,
        },
    }


class HourMinuteField(serializers.TimeField):
    """A local wall-clock time written "HH:MM"."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)
        self.error_messages["invalid"] = 'Use the 24-hour form "HH:MM", e.g. "09:30".'

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid", format="HH:MM")
        return super().to_internal_value(value)


class BlockSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(
        **WEEKDAYS.limits(),
        error_messages={
            "min_value": "Use 0 (Monday) to 6 (Sunday).",
            "max_value": "Use 0 (Monday) to 6 (Sunday).",
        },
    )
    start = HourMinuteField()
    end = HourMinuteField()

    def validate(self, attrs: dict) -> dict:
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": ["A block must end after it starts (same day)."]})
        return attrs


class AvailabilitySerializer(serializers.Serializer):
    timezone = serializers.ChoiceField(
        choices=TIMEZONE_NAMES, error_messages={"invalid_choice": "Unknown time zone."}
    )
    # The stubs leave out the list's min_length/max_length, which many=True passes to the ListSerializer.
    blocks = BlockSerializer(many=True, max_length=70)  # type: ignore[call-arg]


class TimeOffSerializer(serializers.Serializer):
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
    department = serializers.IntegerField(required=False, min_value=1)
    available_before = InstantField(required=False)

    def validate_skill(self, value: str) -> str:
        if not Skill.objects.filter(slug=value).exists():
            raise serializers.ValidationError("Unknown skill.")
        return value


class SlotQuerySerializer(serializers.Serializer):
    start = InstantField(required=False)
    end = InstantField(required=False)
    duration = serializers.ChoiceField(choices=SESSION_LENGTHS, required=False)

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end:
            if end <= start:
                raise serializers.ValidationError({"end": ["end must be after start."]})
            if end - start > MAX_SLOT_RANGE:
                raise serializers.ValidationError({"end": ["The range can be at most 31 days."]})
        return attrs


def mentor_representation(card: MentorCard, *, detail: bool = False) -> dict:
    """The mentor object of docs/api.md from a selectors.MentorCard."""
    user = card.user
    body = {
        "id": user.pk,
        "display_name": user.name,
        "headline": user.headline,
        "department": DepartmentSerializer(user.department).data if user.department else None,
        "timezone": user.timezone,
        "job_title": user.job_title,
        "skills": [
            {"slug": item.skill.slug, "name": item.skill.name, "level": item.level} for item in card.skills
        ],
        "rating": round(card.rating.average, 2) if card.rating else None,
        "rating_count": card.rating.count if card.rating else 0,
        "next_slot": card.next_slot.start if card.next_slot else None,
    }
    if detail:
        body["bio"] = user.bio
        body["session_lengths"] = sorted(user.mentor_profile.session_lengths)
    return body
