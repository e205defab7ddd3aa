"""Single sign-on's providers as allauth's settings (SOCIALACCOUNT_PROVIDERS), built from the environment's
values: no SocialApp rows, nothing to click in the admin.

OpenID Connect is allauth's `openid_connect` provider with the app id "sso" (sign-in at
/accounts/oidc/sso/login/); SAML is allauth's `saml` provider with the organisation slug "sso" (sign-in at
/accounts/saml/sso/login/).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from marketplace.sso_claims import SAML_ALLAUTH_MAPPING

SSO_SLUG = "sso"


@dataclass(frozen=True)
class OidcProvider:
    server_url: str  # the issuer; allauth reads <server_url>/.well-known/openid-configuration
    client_id: str
    client_secret: str
    name: str


@dataclass(frozen=True)
class SamlProvider:
    name: str
    metadata_url: str | None = None
    idp: dict | None = None  # entity_id, sso_url, x509cert (config.env.read_saml_metadata)
    # An assertion nobody asked for (sign-in started at the IdP's portal): refused unless allowed, because
    # it cannot be tied to this browser (a login-CSRF risk the company accepts by allowing it).
    allow_idp_initiated: bool = False


def socialaccount_providers(*, oidc: OidcProvider | None, saml: SamlProvider | None) -> dict:
    providers: dict = {}
    if oidc is not None:
        providers["openid_connect"] = {
            "APPS": [
                {
                    "provider_id": SSO_SLUG,
                    "name": oidc.name,
                    "client_id": oidc.client_id,
                    "secret": oidc.client_secret,
                    "settings": {"server_url": oidc.server_url, "oauth_pkce_enabled": True},
                }
            ]
        }
    if saml is not None:
        if saml.metadata_url:
            # entity_id None: the first identity provider the metadata describes.
            idp: dict = {"metadata_url": saml.metadata_url, "entity_id": None}
        else:
            idp = dict(saml.idp or {})
        providers["saml"] = {
            "APPS": [
                {
                    "name": saml.name,
                    "client_id": SSO_SLUG,
                    "settings": {
                        "attribute_mapping": SAML_ALLAUTH_MAPPING,
                        "idp": idp,
                        "advanced": {"reject_idp_initiated_sso": not saml.allow_idp_initiated},
                    },
                }
            ]
        }
    return providers


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def form_action_origins(
    *, oidc: OidcProvider | None, saml: SamlProvider | None, extra: Sequence[str] = ()
) -> list[str]:
    """Where the sign-in buttons' forms lead. They post to Sidebar, which redirects to the provider's sign-in
    page, and the browser holds that redirect (and every redirect after it) to the Content-Security-Policy's
    form-action too: the provider's origin (OIDC_SERVER_URL's; the SAML sign-in URL's, or the metadata URL's)
    must be in it, and `extra` (SSO_FORM_ACTION_ORIGINS) where its sign-in leads on elsewhere. Without a
    provider, none of `extra`: no button leads anywhere."""
    if oidc is None and saml is None:
        return []
    urls = list(extra)
    if oidc is not None:
        urls.append(oidc.server_url)
    if saml is not None:
        urls.append(saml.metadata_url or (saml.idp or {}).get("sso_url", ""))
    return sorted({_origin(url) for url in urls if url})
