"""allauth's account adapter for Sidebar: who may sign up (SIGNUP_ALLOWED_DOMAINS)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


class AccountAdapter(DefaultAccountAdapter):
    def refuse_outside_domains(self, email: str) -> str:
        """The address, or a ValidationError when SIGNUP_ALLOWED_DOMAINS is set and does not list its domain
        exactly (`team.example.com` is not `example.com`). For sign-up and for adding an address, not for
        logging in or resetting a password: people registered before the setting keep their accounts."""
        allowed = settings.SIGNUP_ALLOWED_DOMAINS
        if allowed and email_domain(email) not in allowed:
            names = ", ".join(f"@{domain}" for domain in allowed)
            raise ValidationError(
                _("Use your work address: only addresses ending in %(domains)s can sign up.")
                % {"domains": names}
            )
        return email
