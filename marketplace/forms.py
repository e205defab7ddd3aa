"""Page forms for people and their profiles."""

from django import forms

from marketplace.models import TIMEZONE_CHOICES, Department, User


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up page: what colleagues see and the zone times are shown in."""

    display_name = forms.CharField(label="Your name", max_length=120)
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, empty_label="(choose your department)"
    )
    timezone = forms.ChoiceField(
        label="Time zone", choices=TIMEZONE_CHOICES, initial="UTC", help_text="Times are shown in this zone."
    )

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.department = self.cleaned_data["department"]
        user.timezone = self.cleaned_data["timezone"]
        user.save(update_fields=["display_name", "department", "timezone"])
