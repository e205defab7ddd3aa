"""People, departments, skills, mentoring settings and weekly availability.

Every instant is stored in UTC; weekly availability is wall-clock time plus the IANA zone it was given in.
"""

import secrets
from datetime import time, timedelta
from typing import ClassVar
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.bounds import Bound
from marketplace.text import refuse_control_characters

TIMEZONE_CHOICES = sorted(
    (name, name.replace("_", " "))
    for name in available_timezones()
    if name not in {"localtime", "posixrules"}
)
HR_GROUP_NAME = "HR admins"
VIEW_INSIGHTS_PERMISSION = "marketplace.view_insights"
# With a context: Django's own "Friday" (lower case in French) stays the one its dates are written with.
WEEKDAY_NAMES = (
    pgettext_lazy("weekday", "Monday"),
    pgettext_lazy("weekday", "Tuesday"),
    pgettext_lazy("weekday", "Wednesday"),
    pgettext_lazy("weekday", "Thursday"),
    pgettext_lazy("weekday", "Friday"),
    pgettext_lazy("weekday", "Saturday"),
    pgettext_lazy("weekday", "Sunday"),
)

# Input limits, each written once: the fields and check constraints below, the page forms and the API
# serializers read these, so a page and the API accept and refuse exactly the same values.
DISPLAY_NAME_MAX_LENGTH = 120
JOB_TITLE_MAX_LENGTH = 120
HEADLINE_MAX_LENGTH = 160
BIO_MAX_LENGTH = 4000
SESSION_LENGTHS = (20, 30)  # minutes; a mentor offers one or both
NOTICE_MINUTES = Bound(0, 60 * 24 * 14)
BUFFER_MINUTES = Bound(0, 120)
WEEKLY_MINUTES_CAP = Bound(0, 60 * 40)
MEETING_URL_MAX_LENGTH = 200
WEEKDAYS = Bound(0, 6)  # 0 = Monday
TIME_OFF_NOTE_MAX_LENGTH = 200
TIME_OFF_LONGEST = timedelta(days=366)
LANGUAGE_MAX_LENGTH = 10
MENTOR_SEARCH_MAX_LENGTH = 100  # the browse filter's free text (a query, not a field)
# A person's working hours when they have set none: (weekday, start, end), Monday to Friday 09:00–17:00.
DEFAULT_WORKING_HOURS = tuple((weekday, time(9), time(17)) for weekday in range(5))
WORKING_INTERVALS_PER_DAY = 4


def language_choices() -> list[tuple[str, str]]:
    """The languages Sidebar is translated into (settings.LANGUAGES), read when asked so that a deployment
    may add one without a migration."""
    return list(settings.LANGUAGES)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Department(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobLevel(models.TextChoices):
    ASSOCIATE = "associate", _("Associate")
    PROFESSIONAL = "professional", _("Professional")
    SENIOR = "senior", _("Senior")
    LEAD = "lead", _("Lead / staff")
    MANAGER = "manager", _("Manager")
    DIRECTOR = "director", _("Director and above")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in the company. Email is the login; mentoring settings live in MentorProfile."""

    email = models.EmailField(unique=True)
    display_name = models.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH, blank=True, validators=[refuse_control_characters]
    )
    timezone = models.CharField(max_length=64, default="UTC")
    # Pages, e-mails and calendar texts in this language; blank: the browser's (Accept-Language).
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH, choices=language_choices, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    job_title = models.CharField(max_length=JOB_TITLE_MAX_LENGTH, blank=True)
    job_level = models.CharField(max_length=20, choices=JobLevel.choices, blank=True)
    headline = models.CharField(max_length=HEADLINE_MAX_LENGTH, blank=True)
    bio = models.TextField(max_length=BIO_MAX_LENGTH, blank=True)
    is_mentor = models.BooleanField(default=False)
    skills_wanted = models.ManyToManyField("marketplace.Skill", blank=True, related_name="wanted_by")
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=django_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["id"]
        permissions = [("view_insights", "Can see the HR insights dashboards and exports")]
        indexes = [
            models.Index(fields=["is_mentor", "department"], name="user_mentor_department"),
            # Browsing lists active mentors by name: without this, each page scans every person.
            models.Index(
                fields=["display_name", "id"],
                condition=Q(is_mentor=True, is_active=True),
                name="user_mentor_by_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    @property
    def is_hr(self) -> bool:
        return self.has_perm(VIEW_INSIGHTS_PERMISSION)


class Skill(models.Model):
    class Category(models.TextChoices):
        COMMUNICATION = "communication", _("Communication")
        LEADERSHIP = "leadership", _("Leadership")
        ENGINEERING = "engineering", _("Engineering")
        DATA = "data", _("Data")
        PRODUCT = "product", _("Product")
        DESIGN = "design", _("Design")
        CAREER = "career", _("Career")
        BUSINESS = "business", _("Business")

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SkillLevel(models.IntegerChoices):
    WORKING = 1, _("working knowledge")
    STRONG = 2, _("strong")
    EXPERT = 3, _("expert")


SKILL_LEVELS = Bound(min(SkillLevel.values), max(SkillLevel.values))


class UserSkill(models.Model):
    """A skill a person offers, with how well they know it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="skills_offered")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="offered_by")
    level = models.PositiveSmallIntegerField(choices=SkillLevel.choices, default=SkillLevel.STRONG)

    class Meta:
        ordering = ["-level", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "skill"], name="user_skill_once"),
            models.CheckConstraint(condition=SKILL_LEVELS.condition("level"), name="user_skill_level_1_3"),
        ]
        indexes = [models.Index(fields=["skill", "user"], name="user_skill_by_skill")]

    def __str__(self) -> str:
        return f"{self.user} knows {self.skill} ({self.get_level_display()})"


def default_session_lengths() -> list[int]:
    return list(SESSION_LENGTHS)


class MentorProfile(models.Model):
    """How a person mentors: session lengths, notice, buffers, weekly cap, zone of their weekly blocks."""

    user = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, related_name="mentor_profile"
    )
    session_lengths = models.JSONField(default=default_session_lengths)
    min_notice_minutes = models.PositiveIntegerField(default=240, validators=NOTICE_MINUTES.validators())
    buffer_minutes = models.PositiveIntegerField(default=5, validators=BUFFER_MINUTES.validators())
    weekly_minutes_cap = models.PositiveIntegerField(default=60, validators=WEEKLY_MINUTES_CAP.validators())
    meeting_url = models.URLField(max_length=MEETING_URL_MAX_LENGTH, blank=True)
    accepting = models.BooleanField(default=True)
    availability_timezone = models.CharField(max_length=64, default="UTC")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=BUFFER_MINUTES.condition("buffer_minutes"), name="mentor_buffer_at_most_2h"
            ),
            models.CheckConstraint(
                condition=NOTICE_MINUTES.condition("min_notice_minutes"), name="mentor_notice_at_most_14_days"
            ),
            models.CheckConstraint(
                condition=WEEKLY_MINUTES_CAP.condition("weekly_minutes_cap"),
                name="mentor_weekly_cap_at_most_40h",
            ),
        ]

    def __str__(self) -> str:
        return f"Mentoring settings of {self.user}"


class AvailabilityBlock(models.Model):
    """A weekly wall-clock block in the mentor's availability zone: 09:00 stays 09:00 across DST changes."""

    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="availability_blocks")
    weekday = models.PositiveSmallIntegerField(
        validators=WEEKDAYS.validators(), help_text="0 = Monday … 6 = Sunday"
    )
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=WEEKDAYS.condition("weekday"), name="block_weekday_0_6"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="block_start_before_end"),
        ]
        indexes = [models.Index(fields=["mentor", "weekday"], name="block_by_mentor")]

    def __str__(self) -> str:
        return f"{self.mentor} weekday {self.weekday} {self.start:%H:%M}–{self.end:%H:%M}"


class TimeOff(models.Model):
    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    note = models.CharField(max_length=TIME_OFF_NOTE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="time_off_start_before_end")
        ]
        indexes = [models.Index(fields=["mentor", "end"], name="time_off_by_mentor_end")]

    def __str__(self) -> str:
        return f"{self.mentor} off {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"


class WorkingHours(models.Model):
    """One interval of a person's working hours: wall-clock time on a weekday, in the person's own zone.

    A person has several (Monday to Friday, or a morning and an afternoon); none stored means
    DEFAULT_WORKING_HOURS. Intervals never cross midnight and do not overlap (they may touch: 09:00–12:00
    and 12:00–17:00 are one stretch); pages and the API offer times inside both people's hours first.
    """

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(
        validators=WEEKDAYS.validators(), help_text="0 = Monday … 6 = Sunday"
    )
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=WEEKDAYS.condition("weekday"), name="working_hours_weekday_0_6"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="working_hours_start_before_end"),
            models.UniqueConstraint(fields=["person", "weekday", "start"], name="working_hours_start_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} works on weekday {self.weekday} {self.start:%H:%M}–{self.end:%H:%M}"
