"""allauth's login, sign-up and add-address forms: addresses outside SIGNUP_ALLOWED_DOMAINS cannot sign up,
and those of SSO_ONLY_DOMAINS neither sign up nor log in with a password (they sign in through single
sign-on).

A module of its own: allauth's forms module imports marketplace.forms (ACCOUNT_SIGNUP_FORM_CLASS), so these
subclasses cannot live there.
"""

from typing import cast

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError

from marketplace import sso
from marketplace.account_adapter import AccountAdapter


def _refuse_outside_domains(email: str) -> str:
    return cast(AccountAdapter, get_adapter()).refuse_outside_domains(email)


def _refuse_sso_only(email: str) -> None:
    if refusal := sso.password_refusal(email):
        raise ValidationError(refusal)


class LoginForm(allauth_forms.LoginForm):
    def clean(self) -> dict:
        # Before any password is checked: the answer is the same whether or not the password is right.
        login = self.cleaned_data.get("login")
        if login:
            _refuse_sso_only(login)
        return super().clean()


class SignupForm(allauth_forms.SignupForm):
    def clean_email(self) -> str:
        # Before allauth's own check, so that an outside address is refused the same way whether or not
        # someone is registered with it.
        _refuse_sso_only(self.cleaned_data["email"])
        _refuse_outside_domains(self.cleaned_data["email"])
        return super().clean_email()


class AddEmailForm(allauth_forms.AddEmailForm):
    def clean_email(self) -> str:
        _refuse_outside_domains(self.cleaned_data["email"])
        return super().clean_email()
