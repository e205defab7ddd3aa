"""Single sign-on's rules (docs/design.md, "Identity from the company"): a person provisioned just in time
from what the identity provider says, and password logins refused for the domains that sign in through it."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from marketplace.account_adapter import email_domain
from marketplace.models import DISPLAY_NAME_MAX_LENGTH, JOB_TITLE_MAX_LENGTH, Department, User
from marketplace.sso_claims import Identity

DEPARTMENT_MAX_LENGTH = Department._meta.get_field("name").max_length or 100


def department_named(name: str) -> Department:
    """The department of that name whatever its case, created when there is none yet."""
    existing = Department.objects.filter(name__iexact=name).order_by("id").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Department.objects.create(name=name)
    except IntegrityError:  # created meanwhile by someone signing in at the same moment
        return Department.objects.get(name=name)


def apply_identity(user: User, identity: Identity, *, new: bool) -> list[str]:
    """Gives `user` the name, department and job title the identity provider sends (what it does not send
    stays as it is), and for a new person its time zone. A saved person is saved; a new one (no pk yet) is
    left to allauth to save. Returns the fields that changed."""
    values: dict[str, object] = {}
    if identity.display_name:
        values["display_name"] = identity.display_name[:DISPLAY_NAME_MAX_LENGTH]
    if identity.job_title:
        values["job_title"] = identity.job_title[:JOB_TITLE_MAX_LENGTH]
    if identity.department:
        values["department"] = department_named(identity.department[:DEPARTMENT_MAX_LENGTH])
    if new and identity.timezone:
        values["timezone"] = identity.timezone
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
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
