"""Input of the group session pages: publish and change a session, the list's filter, a question."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import (
    CAPACITY,
    DESCRIPTION_MAX_LENGTH,
    DURATIONS,
    MAX_SKILLS,
    QUESTION_MAX_LENGTH,
    REPEAT_WEEKS,
    TITLE_MAX_LENGTH,
)
from groups.services.sessions import LATER, THIS, Changes
from marketplace.i18n import minutes_label
from marketplace.models import MEETING_URL_MAX_LENGTH, Skill
from marketplace.text import refuse_control_characters
from marketplace.validators import instant_in_range

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class GroupSessionForm(forms.Form):
    """Publishing: the start is read on the host's own clock (the page's zone)."""

    title = forms.CharField(
        label=_("Title"), max_length=TITLE_MAX_LENGTH, validators=[refuse_control_characters]
    )
    description = forms.CharField(
        label=_("What it is about"),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        help_text=_("Up to five: people browsing by skill find the session."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    start = forms.DateTimeField(
        label=_("Starts"),
        input_formats=[LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        validators=[instant_in_range],
    )
    duration = forms.TypedChoiceField(
        label=_("Length"),
        choices=[(minutes, minutes_label(minutes)) for minutes in DURATIONS],
        coerce=int,
        initial=30,
    )
    capacity = forms.IntegerField(label=_("Seats"), **CAPACITY.limits(), initial=10)
    repeat_weeks = forms.IntegerField(
        label=_("Repeat weekly"),
        **REPEAT_WEEKS.limits(),
        initial=0,
        help_text=_("How many more weeks, same weekday and time on your clock (0: just once)."),
    )
    meeting_url = forms.URLField(
        label=_("Meeting link"),
        max_length=MEETING_URL_MAX_LENGTH,
        required=False,
        assume_scheme="https",
        help_text=_("Leave empty to use your usual meeting link."),
    )

    def clean_skills(self) -> list[Skill]:
        skills = list(self.cleaned_data["skills"])
        if len(skills) > MAX_SKILLS:
            raise forms.ValidationError(_("Pick at most %(count)s skills."), params={"count": MAX_SKILLS})
        return skills


class GroupSessionEditForm(GroupSessionForm):
    """Changing: the same fields (the repeat is set when publishing), and which sessions of a series."""

    scope = forms.ChoiceField(
        label=_("Change"),
        choices=[(THIS, _("This session only")), (LATER, _("This session and all later ones of the series"))],
        initial=THIS,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, in_series: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["repeat_weeks"]
        if not in_series:
            del self.fields["scope"]

    def changes(self) -> Changes:
        data = self.cleaned_data
        return Changes(
            title=data["title"],
            description=data["description"],
            skills=data["skills"],
            start=data["start"],
            duration=data["duration"],
            capacity=data["capacity"],
            meeting_url=data["meeting_url"] or None,
        )

    def chosen_scope(self) -> str:
        return self.cleaned_data.get("scope") or THIS


class CancelForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Cancel"),
        choices=[(THIS, _("This session only")), (LATER, _("This session and all later ones of the series"))],
        initial=THIS,
        required=False,
        widget=forms.RadioSelect,
    )


class FilterForm(forms.Form):
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any skill"),
        label=_("Skill"),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    anonymous = forms.BooleanField(label=_("Ask without showing my name"), required=False)
