"""Single sign-on's rules (docs/design.md, "Identity from the company"): a person provisioned just in time
from what the identity provider says, and password logins refused for the domains that sign in through it."""

from django.conf import settings
from django.utils.translation import gettext

from marketplace.account_adapter import email_domain
from marketplace.models import User
from marketplace.person_values import KEEP, apply_person_values
from marketplace.sso_claims import Identity


def apply_identity(user: User, identity: Identity, *, new: bool) -> list[str]:
    """Gives `user` the name, department and job title the identity provider sends (what it does not send
    stays as it is: an empty claim is not sent), and for a new person its time zone; the same rule as SCIM
    and the CSV import (marketplace.person_values). A saved person is saved; a new one (no pk yet) is left
    to allauth to save. Returns the fields that changed."""
    changed = apply_person_values(
        user,
        display_name=identity.display_name or KEEP,
        job_title=identity.job_title or KEEP,
        department=identity.department or KEEP,
        timezone=identity.timezone if new and identity.timezone else KEEP,
    )
    if user.pk and changed:
        user.save(update_fields=changed)
    return changed


def sso_name() -> str:
    """The name on the sign-in button people of the SSO-only domains are sent to (OpenID Connect's first)."""
    return settings.OIDC_NAME if settings.OIDC_SERVER_URL else settings.SAML_NAME


def is_sso_only(email: str) -> bool:
    return email_domain(email) in settings.SSO_ONLY_DOMAINS


def password_refusal(email: str) -> str | None:
    """Why the sign-in page takes no password for `email`, or None when it does."""
    if not is_sso_only(email):
        return None
    return gettext(
        "People with an @%(domain)s address sign in with single sign-on: use the “Sign in with %(provider)s” "
        "button below."
    ) % {"domain": email_domain(email), "provider": sso_name()}


def api_password_refusal(email: str) -> str | None:
    """Why the API's token endpoint takes no password for `email`, or None when it does."""
    if not is_sso_only(email):
        return None
    return gettext(
        "People with an @%(domain)s address sign in with single sign-on (%(provider)s), never with a "
        "password: the API gives them no token for one."
    ) % {"domain": email_domain(email), "provider": sso_name()}
