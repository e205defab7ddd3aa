"""Page form of "tell me when they have time"."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.i18n import minutes_label
from matching.forms import deadline_field


class WaitlistJoinForm(forms.Form):
    """`before` is wall-clock time in the viewer's zone (the middleware activates it)."""

    before = deadline_field(_("Before when do you need it?"))
    duration = forms.TypedChoiceField(
        label=_("Length"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Sessions last 20 or 30 minutes.")},
    )

    def __init__(self, *args: Any, lengths: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["duration"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(minutes, minutes_label(minutes)) for minutes in lengths]
