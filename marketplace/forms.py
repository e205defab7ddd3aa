"""Page forms for people and their profiles."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.i18n import days_label, hours_label, minutes_label
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
    TIME_OFF_NOTE_MAX_LENGTH,
    TIMEZONE_CHOICES,
    WEEKDAY_NAMES,
    WEEKLY_MINUTES_CAP,
    AvailabilityBlock,
    Department,
    JobLevel,
    Skill,
    SkillLevel,
    User,
    language_choices,
)
from marketplace.services import BlockInput, find_block_problem, find_working_hours_problem
from marketplace.text import refuse_control_characters
from marketplace.timezones import is_valid_timezone
from marketplace.validators import day_in_range, instant_in_range


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up page: what colleagues see and the zone times are shown in."""

    display_name = forms.CharField(
        label=_("Your name"), max_length=DISPLAY_NAME_MAX_LENGTH, validators=[refuse_control_characters]
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("(choose your department)"),
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=TIMEZONE_CHOICES,
        initial="UTC",
        help_text=_("Times are shown in this zone."),
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.department = self.cleaned_data["department"]
        user.timezone = self.cleaned_data["timezone"]
        user.save(update_fields=["display_name", "department", "timezone"])


# The usual choices on the page; the field accepts any whole number of minutes the API accepts.
NOTICE_CHOICES = [
    (60, hours_label(1)),
    (120, hours_label(2)),
    (240, hours_label(4)),
    (480, hours_label(8)),
    (1440, days_label(1)),
    (2880, days_label(2)),
]
BUFFER_CHOICES = [
    (0, _("No buffer")),
    (5, minutes_label(5)),
    (10, minutes_label(10)),
    (15, minutes_label(15)),
    (30, minutes_label(30)),
]
LEVEL_CHOICES = [("", "—"), *((str(value), capfirst(label)) for value, label in SkillLevel.choices)]


class ProfileForm(forms.Form):
    """The /me/profile/ page: who you are, what you offer and want to learn, and how you mentor."""

    display_name = forms.CharField(
        label=_("Name"), max_length=DISPLAY_NAME_MAX_LENGTH, validators=[refuse_control_characters]
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    job_title = forms.CharField(label=_("Job title"), max_length=JOB_TITLE_MAX_LENGTH, required=False)
    job_level = forms.ChoiceField(
        label=_("Job level"), choices=[("", "—"), *JobLevel.choices], required=False
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=lambda: [("", _("As my browser asks")), *language_choices()],
        required=False,
        help_text=_("Pages and e-mails in this language."),
    )
    headline = forms.CharField(
        label=_("Headline"),
        max_length=HEADLINE_MAX_LENGTH,
        required=False,
        help_text=_("One line colleagues see on your card."),
    )
    bio = forms.CharField(
        label=_("Bio"), max_length=BIO_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_mentor = forms.BooleanField(label=_("I mentor colleagues"), required=False)
    accepting = forms.BooleanField(label=_("Accepting new sessions (untick to pause)"), required=False)
    session_lengths = forms.TypedMultipleChoiceField(
        label=_("Session lengths"),
        choices=[(length, minutes_label(length)) for length in SESSION_LENGTHS],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    min_notice_minutes = forms.IntegerField(
        label=_("Minimum notice"), **NOTICE_MINUTES.limits(), widget=forms.Select(choices=NOTICE_CHOICES)
    )
    buffer_minutes = forms.IntegerField(
        label=_("Buffer between sessions"),
        **BUFFER_MINUTES.limits(),
        widget=forms.Select(choices=BUFFER_CHOICES),
    )
    weekly_minutes_cap = forms.IntegerField(
        label=_("Weekly minutes at most"),
        **WEEKLY_MINUTES_CAP.limits(),
        help_text=_("You never get more than this."),
    )
    meeting_url = forms.URLField(
        assume_scheme="https",
        max_length=MEETING_URL_MAX_LENGTH,
        label=_("Meeting link"),
        required=False,
        help_text=_("Left empty, one is made per session."),
    )

    def __init__(self, *args: Any, skills: list[Skill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.skills = skills
        for name in ("min_notice_minutes", "buffer_minutes"):
            self._offer_current_value(name)
        for weekday, day_name in enumerate(WEEKDAY_NAMES):
            self.fields[f"hours_{weekday}"] = forms.CharField(
                label=day_name,
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"placeholder": _("not working"), "inputmode": "text"}),
            )
        for skill in skills:
            self.fields[f"offer_{skill.slug}"] = forms.TypedChoiceField(
                label=skill.name, choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
            )
            self.fields[f"want_{skill.slug}"] = forms.BooleanField(
                label=_("Learn %(skill)s") % {"skill": skill.name}, required=False
            )

    def _offer_current_value(self, name: str) -> None:
        """Adds the stored value to the select when it is not one of the usual choices (the API allows any),
        so that saving the page keeps it rather than falling back to the first choice."""
        widget = self.fields[name].widget
        current = self.initial.get(name)
        if isinstance(current, int) and current not in dict(widget.choices):
            widget.choices = sorted([*widget.choices, (current, minutes_label(current))])

    def skill_rows(self) -> list[tuple[str, list[tuple[Skill, forms.BoundField, forms.BoundField]]]]:
        """Skills by category for the template: (category, [(skill, offer field, want field)])."""
        groups: dict[str, list] = {}
        order = list(Skill.Category.values)
        for skill in sorted(self.skills, key=lambda skill: (order.index(skill.category), skill.name)):
            groups.setdefault(skill.get_category_display(), []).append(
                (skill, self[f"offer_{skill.slug}"], self[f"want_{skill.slug}"])
            )
        return list(groups.items())

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("is_mentor") and not data.get("session_lengths"):
            self.add_error("session_lengths", _("Offer at least one session length."))
        self._clean_working_hours()
        return data

    def working_hours_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{weekday}"] for weekday in range(7)]

    def _clean_working_hours(self) -> None:
        self._working_hours: list[BlockInput] | None = None
        if not any(f"hours_{weekday}" in self.data for weekday in range(7)):
            return  # a post without the section (an older page) leaves the working hours as they are
        self._working_hours = []
        for weekday in range(7):
            name = f"hours_{weekday}"
            if name not in self.cleaned_data:
                continue
            try:
                day = parse_day_hours(self.cleaned_data[name], weekday)
            except forms.ValidationError as error:
                self.add_error(name, error)
                continue
            problem = find_working_hours_problem(day) if day else None
            if problem:
                self.add_error(name, problem)
            self._working_hours.extend(day)
        if not self._working_hours and not any(name.startswith("hours_") for name in self.errors):
            self.add_error("hours_0", find_working_hours_problem([]) or "")

    def working_hours(self) -> list[BlockInput] | None:
        """The working hours as typed, once the form is valid; None when the post had no working hours."""
        return self._working_hours

    def offered_skills(self) -> list[tuple[str, int]]:
        return [
            (skill.slug, self.cleaned_data[f"offer_{skill.slug}"])
            for skill in self.skills
            if self.cleaned_data.get(f"offer_{skill.slug}")
        ]

    def wanted_skills(self) -> list[str]:
        return [skill.slug for skill in self.skills if self.cleaned_data.get(f"want_{skill.slug}")]


def day_hours_text(intervals: Iterable[tuple[Any, Any]]) -> str:
    """A day's working hours as the profile page writes them: "09:00–12:00, 13:00–17:00"."""
    return ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in intervals)


def working_hours_initial(stored: Iterable[tuple[int, Any, Any]]) -> dict[str, str]:
    """The profile page's day fields from (weekday, start, end) rows; the default week when there are none."""
    rows = sorted(stored) or list(DEFAULT_WORKING_HOURS)
    return {
        f"hours_{weekday}": day_hours_text((start, end) for day, start, end in rows if day == weekday)
        for weekday in range(7)
    }


def parse_day_hours(text: str, weekday: int) -> list[BlockInput]:
    """ "09:00-12:00, 13:00-17:00" (an en dash works too) as one day's intervals; empty: not working."""
    intervals = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        start_text, separator, end_text = part.replace("–", "-").replace("—", "-").partition("-")
        try:
            if not separator:
                raise ValueError(part)
            start = datetime.strptime(start_text.strip(), "%H:%M").time()
            end = datetime.strptime(end_text.strip(), "%H:%M").time()
        except ValueError:
            raise forms.ValidationError(
                gettext('Write each interval as "09:00–17:00" (24-hour times), several with commas.')
            ) from None
        if start >= end:
            raise forms.ValidationError(
                gettext("%(start)s–%(end)s ends before it starts: working hours stay within one day.")
                % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
            )
        intervals.append(BlockInput(weekday, start, end))
    return intervals


class MentorFilterForm(forms.Form):
    """Filters of the /mentors/ page, kept in the URL."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MENTOR_SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, skill or topic")}),
    )
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any skill"),
        label=_("Skill"),
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("Any department"),
        label=_("Department"),
    )
    available_before = forms.DateTimeField(
        label=_("Free before"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your time zone."),
        validators=[instant_in_range],
    )


class TimeOffForm(forms.Form):
    start_date = forms.DateField(
        label=_("First day off"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[day_in_range],
    )
    end_date = forms.DateField(
        label=_("Last day off"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[day_in_range],
    )
    note = forms.CharField(label=_("Note"), max_length=TIME_OFF_NOTE_MAX_LENGTH, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The last day off cannot be before the first."))
        return data


MAX_ROWS_PER_DAY = 12


def small_count(text: str, *, most: int) -> int | None:
    """A count a page posts in a hidden field or a button's value: digits only, at most `most` (larger
    values are cut to it); None for anything else, which a person cannot type."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    return min(int(text), most)


@dataclass
class BlockRow:
    weekday: int
    index: int
    start: str
    end: str
    error: str = ""


@dataclass
class WeekEditor:
    """The weekly editor's state: the zone and, per weekday (Monday first), its rows as typed."""

    timezone: str
    rows: dict[int, list[BlockRow]] = field(default_factory=lambda: {day: [] for day in range(7)})
    day_errors: dict[int, str] = field(default_factory=dict)
    timezone_error: str = ""

    @classmethod
    def from_blocks(cls, timezone: str, blocks: Iterable[AvailabilityBlock]) -> "WeekEditor":
        editor = cls(timezone=timezone)
        for block in blocks:
            day_rows = editor.rows[block.weekday]
            day_rows.append(
                BlockRow(block.weekday, len(day_rows), f"{block.start:%H:%M}", f"{block.end:%H:%M}")
            )
        return editor

    @classmethod
    def from_post(cls, data: QueryDict) -> "WeekEditor":
        """The editor as posted; a row count that is not a number 0-12 is an error on its day (rows kept)."""
        editor = cls(timezone=data.get("timezone", ""))
        for day in range(7):
            count = small_count(data.get(f"day-{day}-count", "0") or "0", most=MAX_ROWS_PER_DAY)
            if count is None:
                editor.day_errors[day] = gettext("This day's rows could not be read: reload the page.")
                count = MAX_ROWS_PER_DAY
            for index in range(count):
                start, end = data.get(f"day-{day}-{index}-start", ""), data.get(f"day-{day}-{index}-end", "")
                if start or end:
                    editor.rows[day].append(BlockRow(day, len(editor.rows[day]), start, end))
        return editor

    def add_row(self, day: int) -> None:
        rows = self.rows[day]
        last_end = rows[-1].end if rows and rows[-1].end else "09:00"
        start = last_end if last_end < "23:00" else "09:00"
        end = f"{min(int(start[:2]) + 1, 23):02d}:{start[3:]}"
        rows.append(BlockRow(day, len(rows), start, end))

    def remove_row(self, day: int, index: int) -> None:
        rows = [row for row in self.rows[day] if row.index != index]
        self.rows[day] = [BlockRow(day, position, row.start, row.end) for position, row in enumerate(rows)]

    def days(self) -> list[tuple[int, str, list[BlockRow], str]]:
        return [
            (day, str(WEEKDAY_NAMES[day]), self.rows[day], self.day_errors.get(day, "")) for day in range(7)
        ]

    def validated_blocks(self) -> list[BlockInput] | None:
        """The blocks when every row is valid; otherwise None with errors set on rows, days and the zone."""
        if not is_valid_timezone(self.timezone):
            self.timezone_error = gettext("Choose a time zone from the list.")
        blocks = []
        for day, rows in self.rows.items():
            for row in rows:
                try:
                    start, end = (
                        datetime.strptime(row.start, "%H:%M").time(),
                        datetime.strptime(row.end, "%H:%M").time(),
                    )
                except ValueError:
                    row.error = gettext("Enter both times as HH:MM.")
                    continue
                if start >= end:
                    row.error = gettext("The block must end after it starts.")
                    continue
                blocks.append(BlockInput(day, start, end))
            problem = find_block_problem([block for block in blocks if block.weekday == day])
            if problem:
                self.day_errors[day] = problem
        has_errors = (
            self.timezone_error
            or self.day_errors
            or any(row.error for rows in self.rows.values() for row in rows)
        )
        return None if has_errors else blocks
