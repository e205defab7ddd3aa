"""Input of the session pages: the booking confirm step, cancel and reschedule."""

from datetime import UTC, datetime

from django import forms
from django.utils.dateparse import parse_datetime

from marketplace.models import User
from sessions_app.models import SESSION_LENGTHS
from sessions_app.selectors import MAX_ID
from sessions_app.services import REASON_MAX_LENGTH, TOPIC_MAX_LENGTH


class AwareDateTimeField(forms.CharField):
    """An ISO 8601 instant with offset or Z, as the slot buttons send it."""

    widget = forms.HiddenInput

    def to_python(self, value) -> datetime | None:
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = parse_datetime(value[:64])
        except ValueError:
            parsed = None
        if parsed is None or parsed.utcoffset() is None:
            raise forms.ValidationError(
                "That is not a time we understand: pick a slot again.", code="invalid"
            )
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("That time is out of range.", code="invalid") from None


class MentorChoiceField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def clean(self, value) -> User:
        mentor_id = super().clean(value)
        mentor = (
            User.objects.filter(pk=mentor_id, is_mentor=True, is_active=True)
            .select_related("mentor_profile")
            .first()
        )
        if mentor is None or not hasattr(mentor, "mentor_profile"):
            raise forms.ValidationError("This person does not offer mentoring sessions.", code="unknown")
        return mentor


class SlotForm(forms.Form):
    """What a slot button sends (GET /sessions/book/?mentor=&start=&duration=)."""

    mentor = MentorChoiceField()
    start = AwareDateTimeField()
    duration = forms.TypedChoiceField(
        choices=[(length, f"{length} minutes") for length in SESSION_LENGTHS],
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Sessions last 20 or 30 minutes."},
    )
    request = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class BookingForm(SlotForm):
    """The confirm step: the slot, plus the topic and (when the mentor offers both) the length."""

    topic = forms.CharField(
        label="What would you like help with?",
        max_length=TOPIC_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "e.g. I present our Q3 plan to the board on Thursday"}
        ),
        help_text="A sentence is enough: it helps your mentor prepare.",
    )

    field_order = ["mentor", "start", "request", "duration", "topic"]

    def __init__(self, *args, lengths: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        duration = self.fields["duration"]
        duration.required = True
        duration.choices = [(length, f"{length} minutes") for length in sorted(lengths)]
        duration.label = "Length"
        if len(lengths) == 1:
            duration.widget = forms.HiddenInput()


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The other person sees it in the cancellation email.",
    )


class RescheduleForm(forms.Form):
    start = AwareDateTimeField()
