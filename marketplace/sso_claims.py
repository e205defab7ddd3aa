"""What the company's identity provider says about a person, read from OpenID Connect claims or SAML
attributes into one shape (pure: no database, no Django models, so the settings may import it).

The mapping (docs/api.md, "Single sign-on"): the first name in each list that the provider sends wins.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import available_timezones

# --- OpenID Connect: standard claims (OpenID Connect Core 5.1), then the usual custom ones ---
OIDC_DEPARTMENT = ("department",)
OIDC_JOB_TITLE = ("job_title", "title", "jobTitle")

# --- SAML: the attribute URIs of the common schemas (urn:oid: from eduPerson/inetOrgPerson, the
# http://schemas.xmlsoap.org/ claims of ADFS and Microsoft Entra ID), then the friendly names that Okta,
# Google Workspace and Keycloak are usually set up with ---
_XMLSOAP = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
_MICROSOFT = "http://schemas.microsoft.com/identity/claims/"
SAML_UID = (
    "urn:oasis:names:tc:SAML:attribute:subject-id",
    _MICROSOFT + "objectidentifier",  # Entra ID: the person's object id, stable when the address changes
)
SAML_EMAIL = (
    "urn:oid:0.9.2342.19200300.100.1.3",
    _XMLSOAP + "emailaddress",
    "email",
    "mail",
    "emailAddress",
)
SAML_EMAIL_VERIFIED = ("email_verified", "http://schemas.auth0.com/email_verified")
SAML_DISPLAY_NAME = (
    "urn:oid:2.16.840.1.113730.3.1.241",
    _MICROSOFT + "displayname",
    "displayName",
    "name",  # not Entra's .../claims/name, which holds the user principal name
    "urn:oid:2.5.4.3",
    "cn",
)
SAML_GIVEN_NAME = ("urn:oid:2.5.4.42", _XMLSOAP + "givenname", "givenName", "firstName", "given_name")
SAML_FAMILY_NAME = ("urn:oid:2.5.4.4", _XMLSOAP + "surname", "sn", "surname", "lastName", "family_name")
SAML_DEPARTMENT = (_XMLSOAP + "department", "department", "urn:oid:2.5.4.11", "ou")
SAML_JOB_TITLE = (
    "urn:oid:2.5.4.12",
    _XMLSOAP + "title",
    _XMLSOAP + "jobtitle",
    "title",
    "jobTitle",
    "job_title",
)

# allauth's own reading of the attributes (the account's uid and the address it signs up with).
SAML_ALLAUTH_MAPPING = {
    "uid": list(SAML_UID),
    "email": list(SAML_EMAIL),
    "email_verified": list(SAML_EMAIL_VERIFIED),
    "first_name": list(SAML_GIVEN_NAME),
    "last_name": list(SAML_FAMILY_NAME),
}

_TRUE = {"true", "1", "yes", "t", "y"}
_ZONES = frozenset(available_timezones()) - {"localtime", "posixrules"}


@dataclass(frozen=True)
class Identity:
    """A person as the identity provider describes them. None: the provider does not say (what Sidebar has
    stays as it is)."""

    email: str | None
    email_verified: bool
    display_name: str | None = None
    department: str | None = None
    job_title: str | None = None
    timezone: str | None = None


def _text(value: Any) -> str | None:
    """One line of text, or None for nothing: control characters (a newline too) become spaces."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = " ".join("".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in str(value)).split())
    return text or None


def _first(source: Mapping[str, Any], names: Sequence[str]) -> str | None:
    for name in names:
        if (value := _text(source.get(name))) is not None:
            return value
    return None


def _joined(*parts: str | None) -> str | None:
    return " ".join(part for part in parts if part) or None


def _verified(value: Any) -> bool:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in _TRUE


def from_oidc(claims: Mapping[str, Any]) -> Identity:
    """The userinfo claims (or the ID token's). `email_verified` must be true for the address to count."""
    zone = _text(claims.get("zoneinfo"))
    return Identity(
        email=_first(claims, ("email",)),
        email_verified=_verified(claims.get("email_verified")),
        display_name=_first(claims, ("name",))
        or _joined(_first(claims, ("given_name",)), _first(claims, ("family_name",))),
        department=_first(claims, OIDC_DEPARTMENT),
        job_title=_first(claims, OIDC_JOB_TITLE),
        timezone=zone if zone in _ZONES else None,
    )


def from_saml(attributes: Mapping[str, Sequence[str]], *, email: str | None) -> Identity:
    """A SAML assertion's attributes (each a list of values). `email` is the address allauth took from them
    (or from an emailAddress NameID). The assertion is signed by the company's identity provider, which
    vouches for the addresses it manages: it counts as verified unless an email_verified attribute says
    otherwise."""
    said = next((attributes[name] for name in SAML_EMAIL_VERIFIED if attributes.get(name)), None)
    return Identity(
        email=_text(email) or _first(attributes, SAML_EMAIL),
        email_verified=True if said is None else _verified(said),
        display_name=_first(attributes, SAML_DISPLAY_NAME)
        or _joined(_first(attributes, SAML_GIVEN_NAME), _first(attributes, SAML_FAMILY_NAME)),
        department=_first(attributes, SAML_DEPARTMENT),
        job_title=_first(attributes, SAML_JOB_TITLE),
    )
