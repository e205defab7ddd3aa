"""allauth's sign-up and add-address forms, refusing addresses outside SIGNUP_ALLOWED_DOMAINS.

A module of its own: allauth's forms module imports marketplace.forms (ACCOUNT_SIGNUP_FORM_CLASS), so these
subclasses cannot live there.
"""

from typing import cast

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter

from marketplace.account_adapter import AccountAdapter


def _refuse_outside_domains(email: str) -> str:
    return cast(AccountAdapter, get_adapter()).refuse_outside_domains(email)


class SignupForm(allauth_forms.SignupForm):
    def clean_email(self) -> str:
        # Before allauth's own check, so that an outside address is refused the same way whether or not
        # someone is registered with it.
        _refuse_outside_domains(self.cleaned_data["email"])
        return super().clean_email()


class AddEmailForm(allauth_forms.AddEmailForm):
    def clean_email(self) -> str:
        _refuse_outside_domains(self.cleaned_data["email"])
        return super().clean_email()
