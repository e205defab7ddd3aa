"""Page form of a request for help."""

from typing import TYPE_CHECKING

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext_lazy as _

from marketplace.i18n import minutes_label
from marketplace.models import Skill
from marketplace.text import refuse_control_characters
from marketplace.validators import instant_in_range
from matching.models import CONTEXT_MAX_LENGTH, MAX_SKILLS, REQUEST_DURATIONS, TOPIC_MAX_LENGTH

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def deadline_field(label: "str | _StrPromise") -> forms.DateTimeField:
    """By when a session must be over, in wall-clock time of the viewer's zone (the middleware activates it):
    a request's deadline, a wait's "before"."""
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={
            "required": _("Say by when the session must be over."),
            "invalid": _("Enter a date and time."),
        },
        validators=[instant_in_range],
    )


class RequestForm(forms.Form):
    """/requests/new/. `needed_by` is wall-clock time in the asker's zone (the middleware activates it)."""

    topic = forms.CharField(
        label=_("What do you need help with?"),
        max_length=TOPIC_MAX_LENGTH,
        validators=[refuse_control_characters],
        error_messages={"required": _("Say in a few words what you need help with.")},
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. I present our Q3 plan to the board on Thursday")}
        ),
    )
    context = forms.CharField(
        label=_("A little context (optional)"),
        max_length=CONTEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few lines your mentor reads before the session."),
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills it takes"),
        queryset=Skill.objects.order_by("name"),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Pick at least one skill."),
            "invalid_choice": _("Unknown skill: %(value)s."),
            "invalid_pk_value": _("Unknown skill: %(pk)s."),
        },
    )
    needed_by = deadline_field(_("Needed by"))
    duration = forms.TypedChoiceField(
        label=_("Length"),
        choices=[(minutes, minutes_label(minutes)) for minutes in REQUEST_DURATIONS],
        coerce=int,
        initial=30,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Sessions last 20 or 30 minutes.")},
    )
    prefer_other_department = forms.BooleanField(label=_("Someone from another department"), required=False)
    prefer_same_timezone = forms.BooleanField(label=_("Someone in my time zone"), required=False)

    def clean_skills(self) -> list[Skill]:
        skills = self.cleaned_data["skills"]
        if len(skills) > MAX_SKILLS:
            raise forms.ValidationError(
                _("Pick at most %(count)s skills: fewer skills find more people.") % {"count": MAX_SKILLS}
            )
        return list(skills)

    def skill_groups(self) -> list[tuple[str, list[BoundWidget]]]:
        """The skill checkboxes by category, for the filterable picker."""
        labels = {value: str(label) for value, label in Skill.Category.choices}
        field = self.fields["skills"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # as declared above, with a queryset
        assert field.queryset is not None
        skills = {skill.slug: skill for skill in field.queryset}
        groups: dict[str, list[BoundWidget]] = {}
        for checkbox in self["skills"]:
            skill = skills.get(str(checkbox.data["value"]))
            if skill is not None:
                groups.setdefault(labels.get(skill.category, skill.category), []).append(checkbox)
        order = list(labels.values())
        return sorted(
            groups.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
        )
