"""The page form that connects a calendar address."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calendars.models import URL_MAX_LENGTH


class AddCalendarForm(forms.Form):
    url = forms.CharField(
        label=_("Calendar address"),
        max_length=URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Its secret iCalendar address: Google's “Secret address in iCal format”, Outlook's "
            "published calendar (the ICS link), or iCloud's public calendar link."
        ),
    )
