"""SSO_ONLY_DOMAINS: people of those domains sign in through single sign-on only; the sign-in page, sign-up
and the API token endpoint refuse their password (right or wrong) and say where to go instead. And the
sign-in page offers a button per configured provider."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from config import sso
from marketplace.models import User
from tests.factories import PASSWORD, UserFactory

PAGE_REFUSAL = (
    "People with an @example.com address sign in with single sign-on: use the “Sign in with Acme Login” "
    "button below."
)
API_REFUSAL = (
    "People with an @example.com address sign in with single sign-on (Acme Login), never with a password: "
    "the API gives them no token for one."
)


@pytest.fixture(autouse=True)
def sso_only(settings):
    """Example.com signs in with an OpenID Connect provider (never reached: nobody presses its button)."""
    cache.clear()  # allauth's login rate limits count in the cache
    settings.OIDC_SERVER_URL = "https://login.example.com"
    settings.OIDC_NAME = "Acme Login"
    settings.SOCIALACCOUNT_PROVIDERS = sso.socialaccount_providers(
        oidc=sso.OidcProvider(
            server_url="https://login.example.com",
            client_id="sidebar",
            client_secret="secret",
            name="Acme Login",
        ),
        saml=None,
    )
    settings.SSO_ONLY_DOMAINS = ("example.com",)


def log_in(email: str, password: str):
    client = Client()
    return client, client.post("/accounts/login/", {"login": email, "password": password})


@pytest.mark.parametrize("password", [PASSWORD, "not-the-password"])
def test_the_sign_in_page_refuses_a_password_for_an_sso_only_domain_and_points_to_the_button(db, password):
    UserFactory(email="ada@example.com")

    client, response = log_in("Ada@Example.com", password)

    assert response.status_code == 200
    page = response.content.decode()
    assert PAGE_REFUSAL in page
    assert "Sign in with Acme Login" in page
    assert "_auth_user_id" not in client.session


def test_other_domains_still_log_in_with_their_password(db):
    UserFactory(email="guest@example.org")

    client, response = log_in("guest@example.org", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.parametrize("password", [PASSWORD, "not-the-password"])
def test_the_token_endpoint_refuses_an_sso_only_domain_naming_the_field(db, password):
    UserFactory(email="ada@example.com")

    response = APIClient().post("/api/v1/auth/token/", {"email": "ada@EXAMPLE.com", "password": password})

    assert response.status_code == 400
    assert response.json() == {"email": [API_REFUSAL]}


def test_the_token_endpoint_still_serves_other_domains(db):
    UserFactory(email="guest@example.org")

    response = APIClient().post("/api/v1/auth/token/", {"email": "guest@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["token"]


def test_a_subdomain_is_not_its_parent(db):
    UserFactory(email="ada@team.example.com")

    assert (
        APIClient()
        .post("/api/v1/auth/token/", {"email": "ada@team.example.com", "password": PASSWORD})
        .status_code
        == 200
    )


def test_password_sign_up_is_refused_for_an_sso_only_domain(db):
    response = Client().post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
            "display_name": "New Person",
            "timezone": "UTC",
        },
    )

    assert response.status_code == 200
    assert PAGE_REFUSAL in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_the_sign_in_page_offers_each_configured_provider(db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = sso.socialaccount_providers(
        oidc=sso.OidcProvider(
            server_url="https://login.example.com", client_id="c", client_secret="s", name="Okta"
        ),
        saml=sso.SamlProvider(name="Entra ID", metadata_url="https://login.example.com/metadata"),
    )

    page = Client().get("/accounts/login/").content.decode()

    assert "Sign in with Okta" in page
    assert 'action="/accounts/oidc/sso/login/?process=login"' in page
    assert "Sign in with Entra ID" in page
    assert 'action="/accounts/saml/sso/login/?process=login"' in page


def test_without_providers_the_sign_in_page_has_no_company_sign_in(db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    settings.SSO_ONLY_DOMAINS = ()

    page = Client().get("/accounts/login/").content.decode()

    assert "Company sign-in" not in page
    assert "Sign in with" not in page


def test_the_documented_sign_in_urls_answer(db, settings):
    """GET shows allauth's "continue" step (a POST starts the sign-in, so that no link elsewhere can)."""
    settings.SOCIALACCOUNT_PROVIDERS = sso.socialaccount_providers(
        oidc=sso.OidcProvider(
            server_url="https://login.example.com", client_id="c", client_secret="s", name="Okta"
        ),
        saml=sso.SamlProvider(name="Entra ID", metadata_url="https://login.example.com/metadata"),
    )

    for url, name in [("/accounts/oidc/sso/login/", "Okta"), ("/accounts/saml/sso/login/", "Entra ID")]:
        response = Client().get(url)
        assert response.status_code == 200
        assert name in response.content.decode()
