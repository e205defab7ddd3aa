"""Single sign-on with SAML 2.0 against a real identity provider (pysaml2's IdP in its own process, signing
with xmlsec1), over HTTP: the attribute mapping (URIs, Entra's claims, friendly names), metadata given as a
URL or as XML, later sign-ins updating the person, and assertions Sidebar must refuse."""

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from config import env, sso
from marketplace.models import User
from tests.identity.providers import (
    another_certificate,
    department_of,
    saml_idp,
    start_sign_in,
    submit,
    use_providers,
)

URI_ATTRIBUTES = {  # the urn:oid: names (eduPerson / inetOrgPerson), as Shibboleth and Keycloak send them
    "urn:oasis:names:tc:SAML:attribute:subject-id": ["ada-0001"],
    "urn:oid:0.9.2342.19200300.100.1.3": ["ada@example.com"],
    "urn:oid:2.16.840.1.113730.3.1.241": ["Ada Lovelace"],
    "urn:oid:2.5.4.11": ["Analytical Engines"],
    "urn:oid:2.5.4.12": ["Staff Engineer"],
}
FRIENDLY_ATTRIBUTES = {  # how an Okta or Google Workspace app is usually set up
    "email": ["lin@example.com"],
    "firstName": ["Lin"],
    "lastName": ["Wu"],
    "department": ["Platform"],
    "title": ["SRE"],
}
# Microsoft Entra ID's claim URIs (with department and job title added to the application's claims)
ENTRA_ATTRIBUTES = {
    "http://schemas.microsoft.com/identity/claims/objectidentifier": ["5d7c-grace"],
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": ["grace.hopper@corp.example.com"],
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["grace@example.com"],
    "http://schemas.microsoft.com/identity/claims/displayname": ["Grace Hopper"],
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department": ["Compilers"],
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/jobtitle": ["Rear Admiral"],
}


def account(attributes: dict, name_id: str = "someone@example.com") -> dict:
    return {"password": "right-password", "name_id": name_id, "attributes": attributes}


@pytest.fixture
def idp(live_server, settings, tmp_path):
    accounts = {
        "ada": account(URI_ATTRIBUTES),
        "lin": account(FRIENDLY_ATTRIBUTES),
        "grace": account(ENTRA_ATTRIBUTES),
        "nameid-only": account({"displayName": ["Noor Name"]}, name_id="noor@example.com"),
    }
    with saml_idp(tmp_path, site_url=live_server.url, accounts=accounts) as running:
        use_providers(settings, saml=running)
        yield running


def sign_in(site_url: str, login: str, password: str = "right-password") -> requests.Response:
    """Sidebar's SAML button, the IdP's login page, and the form that carries the assertion back."""
    session = requests.Session()
    answer = start_sign_in(session, site_url, "/accounts/saml/sso/")
    answer = submit(session, answer, username=login, password=password)
    if "SAMLResponse" in answer.text:
        answer = submit(session, answer)
    return answer


@pytest.mark.parametrize(
    ("login", "email", "expected", "uid"),
    [
        ("ada", "ada@example.com", ("Ada Lovelace", "Analytical Engines", "Staff Engineer"), "ada-0001"),
        ("lin", "lin@example.com", ("Lin Wu", "Platform", "SRE"), "someone@example.com"),
        ("grace", "grace@example.com", ("Grace Hopper", "Compilers", "Rear Admiral"), "5d7c-grace"),
    ],
)
def test_the_first_sign_in_provisions_the_person_from_the_attributes(
    live_server, idp, login, email, expected, uid
):
    answer = sign_in(live_server.url, login)

    assert answer.url == f"{live_server.url}/", answer.text[-1500:]
    person = User.objects.get(email=email)
    assert (person.display_name, department_of(person), person.job_title) == expected
    assert (
        SocialAccount.objects.get(user=person).uid == uid
    )  # a stable id, not the address, where one is sent


def test_an_email_address_name_id_is_the_address_when_no_attribute_gives_one(live_server, idp):
    assert sign_in(live_server.url, "nameid-only").url == f"{live_server.url}/"
    assert User.objects.get(email="noor@example.com").display_name == "Noor Name"


def test_a_later_sign_in_updates_the_person(live_server, idp):
    sign_in(live_server.url, "grace")
    idp.set_account(
        "grace",
        account(
            {
                **ENTRA_ATTRIBUTES,
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department": ["Navy Research"],
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/jobtitle": ["Commodore"],
            }
        ),
    )

    assert sign_in(live_server.url, "grace").url == f"{live_server.url}/"

    grace = User.objects.get()
    assert (department_of(grace), grace.job_title) == ("Navy Research", "Commodore")


def test_an_address_the_idp_says_is_not_verified_is_refused(live_server, idp):
    idp.set_account("ada", account({**URI_ATTRIBUTES, "email_verified": ["false"]}))

    answer = sign_in(live_server.url, "ada")

    assert answer.url == f"{live_server.url}/accounts/login/"
    assert "Acme SAML has not verified your email address ada@example.com" in answer.text
    assert not User.objects.exists()


def test_a_wrong_password_at_the_idp_signs_nobody_in(live_server, idp):
    answer = sign_in(live_server.url, "ada", password="wrong")

    assert "Wrong username or password." in answer.text
    assert not User.objects.exists()


def test_metadata_given_as_xml_works_like_its_url(live_server, idp, settings):
    """SAML_IDP_METADATA_XML, read by config.env as settings.py reads it."""
    xml = requests.get(f"{idp.url}/metadata", timeout=10).text
    idp_settings = env._saml_metadata(xml)
    settings.SOCIALACCOUNT_PROVIDERS = sso.socialaccount_providers(
        oidc=None, saml=sso.SamlProvider(name="Acme SAML", idp=idp_settings)
    )

    assert sign_in(live_server.url, "ada").url == f"{live_server.url}/"
    assert User.objects.filter(email="ada@example.com").exists()


def test_an_assertion_signed_by_another_key_than_the_metadata_names_is_refused(live_server, idp, settings):
    xml = requests.get(f"{idp.url}/metadata", timeout=10).text
    genuine = env._saml_metadata(xml)
    assert genuine is not None
    impostor = {**genuine, "x509cert": another_certificate()}
    settings.SOCIALACCOUNT_PROVIDERS = sso.socialaccount_providers(
        oidc=None, saml=sso.SamlProvider(name="Acme SAML", idp=impostor)
    )

    answer = sign_in(live_server.url, "ada")

    assert answer.url.startswith(f"{live_server.url}/accounts/saml/")
    assert "Third-Party Login Failure" in answer.text
    assert not User.objects.exists()


def test_an_unsigned_assertion_is_refused(live_server, idp):
    idp.set_account("ada", {**account(URI_ATTRIBUTES), "unsigned": True})

    answer = sign_in(live_server.url, "ada")

    assert answer.url.startswith(f"{live_server.url}/accounts/saml/")
    assert "Third-Party Login Failure" in answer.text
    assert not User.objects.exists()


def sign_in_from_the_idp(
    idp_url: str, login: str, relay_state: str = "/sessions/"
) -> tuple[requests.Session, requests.Response]:
    """Starts at the IdP's own portal (an Okta tile, Entra's My Apps): its login page, then its unsolicited
    assertion posted to Sidebar."""
    session = requests.Session()
    answer = session.get(f"{idp_url}/start", params={"RelayState": relay_state}, timeout=20)
    answer = submit(session, answer, username=login, password="right-password")
    assert "SAMLResponse" in answer.text
    return session, submit(session, answer)


def test_a_sign_in_started_at_the_idp_is_refused_by_default(idp):
    _, answer = sign_in_from_the_idp(idp.url, "lin")

    assert not User.objects.filter(email="lin@example.com").exists()
    assert answer.status_code == 401
    assert "Third-Party Login Failure" in answer.text


@pytest.fixture
def idp_initiated_allowed(live_server, settings, tmp_path):
    accounts = {"lin": account(FRIENDLY_ATTRIBUTES)}
    with saml_idp(tmp_path, site_url=live_server.url, accounts=accounts) as running:
        use_providers(settings, saml=running, allow_idp_initiated=True)
        yield running


def test_a_sign_in_started_at_the_idp_signs_in_when_allowed_and_goes_where_it_said(
    idp_initiated_allowed, live_server
):
    session, answer = sign_in_from_the_idp(idp_initiated_allowed.url, "lin")

    person = User.objects.get(email="lin@example.com")
    assert (person.display_name, department_of(person)) == ("Lin Wu", "Platform")
    assert answer.url == f"{live_server.url}/sessions/"
    assert answer.status_code == 200
    assert session.get(f"{live_server.url}/me/profile/", timeout=20).status_code == 200


def test_idp_initiated_sign_in_is_an_advanced_saml_setting_off_unless_asked():
    default = sso.socialaccount_providers(
        oidc=None, saml=sso.SamlProvider(name="Acme", metadata_url="https://idp")
    )
    allowed = sso.socialaccount_providers(
        oidc=None, saml=sso.SamlProvider(name="Acme", metadata_url="https://idp", allow_idp_initiated=True)
    )

    assert default["saml"]["APPS"][0]["settings"]["advanced"] == {"reject_idp_initiated_sso": True}
    assert allowed["saml"]["APPS"][0]["settings"]["advanced"] == {"reject_idp_initiated_sso": False}


def test_a_sign_in_started_at_the_idp_never_goes_to_another_site(idp_initiated_allowed, live_server):
    _, answer = sign_in_from_the_idp(idp_initiated_allowed.url, "lin", relay_state="https://evil.example/")

    assert answer.url == f"{live_server.url}/"
    assert User.objects.filter(email="lin@example.com").exists()


def test_single_logout_from_the_idp_signs_the_person_out_of_sidebar(idp, live_server):
    session = requests.Session()
    answer = start_sign_in(session, live_server.url, "/accounts/saml/sso/")
    answer = submit(session, answer, username="lin", password="right-password")
    submit(session, answer)
    assert session.get(f"{live_server.url}/me/profile/", timeout=20, allow_redirects=False).status_code == 200

    answer = session.get(f"{idp.url}/logout", params={"user": "lin"}, timeout=20)

    assert answer.url.startswith(f"{idp.url}/slo/redirect?SAMLResponse=")
    assert "Sidebar answered Success" in answer.text
    profile = session.get(f"{live_server.url}/me/profile/", timeout=20, allow_redirects=False)
    assert profile.status_code == 302
    assert profile.headers["Location"].startswith("/accounts/login/")
