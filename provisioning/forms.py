"""HR's CSV upload: a file Sidebar can read as a table of people, or an error saying how to fix it."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from provisioning import people_csv


class PeopleFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of people"),
        help_text=_("UTF-8, comma or semicolon separated, up to 5 MB and 10,000 people."),
        error_messages={"required": _("Choose a CSV file to upload."), "empty": _("The file is empty.")},
    )

    parsed: people_csv.ParsedFile

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > people_csv.MAX_BYTES:  # refused before a byte of it is read
            raise forms.ValidationError(
                gettext("The file is larger than %(size)s MB: split it into smaller files.")
                % {"size": people_csv.MAX_BYTES // (1024 * 1024)}
            )
        try:
            self.parsed = people_csv.parse_people_csv(upload.read())
        except people_csv.BadFile as error:
            raise forms.ValidationError(error.message) from None
        return upload
