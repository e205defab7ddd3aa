"""Single sign-on's settings (docs/api.md, "Single sign-on"): the providers allauth gets from OIDC_* and
SAML_*, the Content-Security-Policy's form-action that lets their buttons reach them, and the refusals that
name the variable (each in a fresh interpreter, as at a start)."""

import pytest

from tests.config.test_settings import POSTGRES_URL, fresh_interpreter, last_line_as_json
from tests.identity.providers import another_certificate

SSO_AS_JSON = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
    "'providers': s.SOCIALACCOUNT_PROVIDERS, 'sso_only': s.SSO_ONLY_DOMAINS, "
    "'form_action': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'], "
    "'oidc_name': s.OIDC_NAME, 'saml_name': s.SAML_NAME}))"
)
OIDC = {
    "OIDC_SERVER_URL": "https://login.microsoftonline.com/tenant-id/v2.0/",
    "OIDC_CLIENT_ID": "sidebar-app",
    "OIDC_CLIENT_SECRET": "s3cret",
}
CERTIFICATE = another_certificate()
METADATA = f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>
      <ds:X509Certificate>{CERTIFICATE}</ds:X509Certificate>
    </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://sso.example.com/saml/sign-in"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


def sso_settings(**env: str) -> dict:
    return last_line_as_json(fresh_interpreter(SSO_AS_JSON, DATABASE_URL=POSTGRES_URL, **env))


def refusal(**env: str) -> str:
    result = fresh_interpreter(SSO_AS_JSON, DATABASE_URL=POSTGRES_URL, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_with_nothing_set_there_is_no_single_sign_on():
    assert sso_settings() == {
        "providers": {},
        "sso_only": [],
        "form_action": ["'self'"],
        "oidc_name": "SSO",
        "saml_name": "SAML",
    }


def test_openid_connect_is_allauths_openid_connect_app_sso_from_the_environment():
    values = sso_settings(**OIDC, OIDC_NAME="Entra ID", SSO_ONLY_DOMAINS="Example.com")

    assert values["providers"] == {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Entra ID",
                    "client_id": "sidebar-app",
                    "secret": "s3cret",
                    "settings": {
                        "server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
                        "oauth_pkce_enabled": True,
                    },
                }
            ]
        }
    }
    assert values["form_action"] == ["'self'", "https://login.microsoftonline.com"]
    assert values["sso_only"] == ["example.com"]


def test_saml_from_a_metadata_url():
    values = sso_settings(SAML_IDP_METADATA_URL="https://idp.example.com/metadata", SAML_NAME="Okta")

    app = values["providers"]["saml"]["APPS"][0]
    assert (app["name"], app["client_id"]) == ("Okta", "sso")
    assert app["settings"]["idp"] == {"metadata_url": "https://idp.example.com/metadata", "entity_id": None}
    assert app["settings"]["attribute_mapping"]["email"][0] == "urn:oid:0.9.2342.19200300.100.1.3"
    assert values["form_action"] == ["'self'", "https://idp.example.com"]


@pytest.mark.parametrize("as_file", [False, True])
def test_saml_from_metadata_xml_given_itself_or_as_a_file(tmp_path, as_file):
    path = tmp_path / "idp-metadata.xml"
    path.write_text(METADATA)

    values = sso_settings(SAML_IDP_METADATA_XML=str(path) if as_file else METADATA)

    assert values["providers"]["saml"]["APPS"][0]["settings"]["idp"] == {
        "entity_id": "https://idp.example.com/saml",
        "sso_url": "https://sso.example.com/saml/sign-in",
        "x509cert": CERTIFICATE,
    }
    assert values["form_action"] == ["'self'", "https://sso.example.com"]


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"OIDC_SERVER_URL": "https://login.example.com"}, ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]),
        ({"OIDC_CLIENT_ID": "x", "OIDC_CLIENT_SECRET": "y"}, ["OIDC_SERVER_URL"]),
        ({"OIDC_SERVER_URL": "login.example.com"}, ["OIDC_SERVER_URL"]),
        ({"SAML_IDP_METADATA_XML": "<md:EntityDescriptor"}, ["SAML_IDP_METADATA_XML"]),
        ({"SAML_IDP_METADATA_XML": "<html><body>Sign in</body></html>"}, ["SAML_IDP_METADATA_XML"]),
        ({"SAML_IDP_METADATA_XML": "/no/such/metadata.xml"}, ["SAML_IDP_METADATA_XML"]),
        (
            {"SAML_IDP_METADATA_XML": METADATA, "SAML_IDP_METADATA_URL": "https://idp.example.com/metadata"},
            ["SAML_IDP_METADATA_URL", "SAML_IDP_METADATA_XML"],
        ),
        (
            {"SSO_ONLY_DOMAINS": "example.com"},
            ["SSO_ONLY_DOMAINS", "OIDC_SERVER_URL", "SAML_IDP_METADATA_URL"],
        ),
        ({**OIDC, "SSO_ONLY_DOMAINS": "@example.com"}, ["SSO_ONLY_DOMAINS"]),
        ({**OIDC, "SSO_FORM_ACTION_ORIGINS": "adfs.example.com"}, ["SSO_FORM_ACTION_ORIGINS"]),
        (
            {**OIDC, "SSO_FORM_ACTION_ORIGINS": "https://adfs.example.com/adfs/ls"},
            ["SSO_FORM_ACTION_ORIGINS"],
        ),
    ],
)
def test_an_incomplete_or_malformed_sso_setting_stops_the_start_naming_the_variables(env, names):
    message = refusal(**env)

    for name in names:
        assert name in message


def test_a_sign_in_that_leads_on_to_other_origins_has_them_in_form_action():
    values = sso_settings(
        **OIDC,
        SSO_FORM_ACTION_ORIGINS="https://adfs.example.com, https://sidebar.auth.eu-west-1.amazoncognito.com/,"
        "https://adfs.example.com",
    )

    assert values["form_action"] == [
        "'self'",
        "https://adfs.example.com",
        "https://login.microsoftonline.com",
        "https://sidebar.auth.eu-west-1.amazoncognito.com",
    ]


def test_extra_origins_without_a_provider_open_nothing():
    assert sso_settings(SSO_FORM_ACTION_ORIGINS="https://adfs.example.com")["form_action"] == ["'self'"]
