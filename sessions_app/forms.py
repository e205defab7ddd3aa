"""Input of the session pages: the booking confirm step, cancel and reschedule."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from marketplace.i18n import minutes_label
from marketplace.instants import InstantError, parse_instant
from marketplace.models import User
from marketplace.validators import day_in_range
from sessions_app.models import (
    CANCEL_SCOPES,
    FEEDBACK_COMMENT_MAX_LENGTH,
    FEEDBACK_NEXT_STEP_MAX_LENGTH,
    FEEDBACK_RATINGS,
    FOLLOW_UP_NOTE_MAX_LENGTH,
    INTRODUCTION_NOTE_MAX_LENGTH,
    MOMENT_NOTE_MAX_LENGTH,
    MOMENT_WITH_NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SERIES_COUNTS,
    SESSION_LENGTHS,
    TOPIC_MAX_LENGTH,
    FollowUp,
    Moment,
)
from sessions_app.selectors import MAX_ID

NOT_A_SLOT_TIME = gettext_noop("That is not a time we understand: pick a slot again.")


class AwareDateTimeField(forms.Field):
    """An ISO 8601 instant with offset or Z, as the slot buttons send it (marketplace.instants)."""

    widget = forms.HiddenInput

    def to_python(self, value: Any) -> datetime | None:
        text = "" if value in self.empty_values else str(value).strip()
        if not text:
            return None
        try:
            return parse_instant(text)
        except InstantError as error:
            message = error.message if error.code == "out_of_range" else gettext(NOT_A_SLOT_TIME)
            raise forms.ValidationError(message, code=error.code) from None


class MentorChoiceField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def clean(self, value: Any) -> User:
        mentor_id = super().clean(value)
        mentor = (
            User.objects.filter(pk=mentor_id, is_mentor=True, is_active=True)
            .select_related("mentor_profile")
            .first()
        )
        if mentor is None or not hasattr(mentor, "mentor_profile"):
            raise forms.ValidationError(
                gettext("This person does not offer mentoring sessions."), code="unknown"
            )
        return mentor


class SlotForm(forms.Form):
    """What a slot button sends (GET /sessions/book/?mentor=&start=&duration=)."""

    mentor = MentorChoiceField()
    start = AwareDateTimeField()
    duration = forms.TypedChoiceField(
        choices=[(length, minutes_label(length)) for length in SESSION_LENGTHS],
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Sessions last 20 or 30 minutes.")},
    )
    request = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class BookingForm(SlotForm):
    """The confirm step: the slot, plus the topic and (when the mentor offers both) the length."""

    topic = forms.CharField(
        label=_("What would you like help with?"),
        max_length=TOPIC_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("e.g. I present our Q3 plan to the board on Thursday")}
        ),
        help_text=_("A sentence is enough: it helps your mentor prepare."),
    )

    repeat = forms.TypedChoiceField(
        label=_("Repeat"),
        choices=[("", _("No")), ("1", _("Weekly")), ("2", _("Every other week"))],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Repeat every week, every other week, or not at all.")},
    )
    times = forms.TypedChoiceField(
        label=_("Sessions in all, when repeated"),
        choices=[(count, str(count)) for count in SERIES_COUNTS.values()],
        coerce=int,
        required=False,
        initial=SERIES_COUNTS.low,
        error_messages={"invalid_choice": _("A series has 2 to 4 sessions.")},
    )

    field_order = ["mentor", "start", "request", "duration", "topic", "repeat", "times"]

    def __init__(self, *args: Any, lengths: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        duration = self.fields["duration"]
        assert isinstance(duration, forms.TypedChoiceField)  # as SlotForm declares it
        duration.required = True
        duration.choices = [(length, minutes_label(length)) for length in sorted(lengths)]
        duration.label = "Length"
        if len(lengths) == 1:
            duration.widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("repeat") and not data.get("times"):
            self.add_error("times", gettext("Choose how many sessions in all, 2 to 4."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The other person sees it in the cancellation email."),
    )
    # The button pressed: this session, or this one and the later sessions of its series.
    scope = forms.ChoiceField(choices=[(scope, scope) for scope in CANCEL_SCOPES], required=False)


class NoShowForm(forms.Form):
    """The confirm step of a no-show: the box must be ticked, so one stray click records nothing."""

    confirm = forms.BooleanField(
        label=_("Yes: they did not come to this session"),
        error_messages={"required": _("Tick the box to confirm that they did not come.")},
    )


class RescheduleForm(forms.Form):
    start = AwareDateTimeField()


RATING_ERROR = _("Pick a rating from 1 to 5.")


class FeedbackForm(forms.Form):
    """The two-question prompt: a rating, did it help, a comment and the next step."""

    rating = forms.TypedChoiceField(
        label=_("How useful was it?"),
        choices=[(n, str(n)) for n in FEEDBACK_RATINGS.values()],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": RATING_ERROR, "invalid_choice": RATING_ERROR},
    )
    helpful = forms.TypedChoiceField(
        label=_("Did this help?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether it helped.")},
    )
    next_step = forms.CharField(
        label=_("What is your next step?"), max_length=FEEDBACK_NEXT_STEP_MAX_LENGTH, required=False
    )
    comment = forms.CharField(
        label=_("Anything else?"),
        max_length=FEEDBACK_COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Did it unblock you?"),
        choices=FollowUp.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes, partly or no.")},
    )
    note = forms.CharField(label=_("What changed?"), max_length=FOLLOW_UP_NOTE_MAX_LENGTH, required=False)


class MomentForm(forms.Form):
    """Log a moment in seconds: what kind, with whom (a name or a colleague's email), one line, which day."""

    kind = forms.ChoiceField(label=_("What was it?"), choices=Moment.Kind.choices, initial=Moment.Kind.TIP)
    with_whom = forms.CharField(
        label=_("With whom?"),
        max_length=MOMENT_WITH_NAME_MAX_LENGTH,
        required=False,
        help_text=_("A name, or a colleague's email to link them."),
    )
    note = forms.CharField(
        label=_("In one line"),
        max_length=MOMENT_NOTE_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Priya showed me how she structures board updates")}
        ),
    )
    happened_on = forms.DateField(
        label=_("When"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[day_in_range],
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        whom = (data.get("with_whom") or "").strip()
        person = User.objects.filter(email__iexact=whom, is_active=True).first() if "@" in whom else None
        data["with_person"] = person
        data["with_name"] = "" if person else whom
        return data


class IntroductionForm(forms.Form):
    colleague = forms.EmailField(
        label=_("Colleague's email"),
        help_text=_("Who should talk to this mentor? They get an email with your note."),
    )
    note = forms.CharField(
        label=_("Why should they talk?"),
        max_length=INTRODUCTION_NOTE_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("e.g. Ana presents to the board next week")}
        ),
    )
    request = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def clean_colleague(self) -> User:
        email = self.cleaned_data["colleague"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(gettext("Nobody on Sidebar has this address."), code="unknown")
        return user
