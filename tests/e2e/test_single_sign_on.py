"""Single sign-on in a real browser, through real identity providers' own login pages: node-oidc-provider
(OpenID Connect) and pysaml2's IdP (SAML 2.0), each in a process of its own (tests/identity/)."""

import pytest

from config import sso
from marketplace.models import User
from tests.factories import PASSWORD, UserFactory
from tests.identity.providers import department_of, oidc_provider, saml_idp, use_providers

ADA_CLAIMS = {
    "email": "ada@example.com",
    "email_verified": True,
    "name": "Ada Lovelace",
    "department": "Analytical Engines",
    "job_title": "Staff Engineer",
}
GRACE_SAML = {
    "password": "grace-at-the-idp",
    "name_id": "grace@example.com",
    "attributes": {
        # Microsoft Entra ID's claim URIs
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["grace@example.com"],
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": ["Grace"],
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": ["Hopper"],
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department": ["Compilers"],
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/jobtitle": ["Rear Admiral"],
        "http://schemas.microsoft.com/identity/claims/objectidentifier": ["7f3c1e52-0000-4000-8000-grace"],
    },
}


@pytest.fixture
def oidc(live_server, settings, tmp_path):
    with oidc_provider(tmp_path, site_url=live_server.url, accounts={"ada": ADA_CLAIMS}) as running:
        use_providers(settings, oidc=running)
        yield running


@pytest.fixture
def saml(live_server, settings, tmp_path):
    with saml_idp(tmp_path, site_url=live_server.url, accounts={"grace": GRACE_SAML}) as running:
        use_providers(settings, saml=running)
        yield running


def sign_in_with_oidc(page, login: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme Login").click()
    # node-oidc-provider's own login page, then its consent page
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_new_person_signs_in_through_the_oidc_provider_and_lands_home_provisioned(
    page, live_server, oidc, screenshot, axe_violations, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/login/")
    assert page.get_by_role("heading", name="Company sign-in").is_visible()
    screenshot(page, f"login-with-sso-{width}")
    assert axe_violations(page) == []

    sign_in_with_oidc(page, "ada")

    page.get_by_role("heading", name="Hello, Ada Lovelace").wait_for()
    assert page.url == f"{live_server.url}/"
    screenshot(page, f"home-after-sso-{width}")
    assert axe_violations(page) == []
    ada = User.objects.get(email="ada@example.com")
    assert (department_of(ada), ada.job_title) == ("Analytical Engines", "Staff Engineer")

    page.goto("/me/profile/")
    assert page.get_by_label("Job title").input_value() == "Staff Engineer"


def test_a_second_oidc_sign_in_updates_department_and_job_title(page, oidc):
    sign_in_with_oidc(page, "ada")
    page.get_by_role("heading", name="Hello, Ada Lovelace").wait_for()
    page.get_by_text("Ada Lovelace", exact=True).first.click()
    page.get_by_role("button", name="Log out").click()
    page.context.clear_cookies()  # the provider's session too: its login page again
    oidc.set_account("ada", {**ADA_CLAIMS, "department": "Research", "job_title": "Principal Engineer"})

    sign_in_with_oidc(page, "ada")

    page.get_by_role("heading", name="Hello, Ada Lovelace").wait_for()
    ada = User.objects.get(email="ada@example.com")
    assert (department_of(ada), ada.job_title) == ("Research", "Principal Engineer")
    assert User.objects.count() == 1


def test_a_new_person_signs_in_through_the_saml_idp_and_lands_home_provisioned(
    page, saml, screenshot, axe_violations
):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme SAML").click()
    # pysaml2's login page (tests/identity/saml_idp.py), whose answer posts itself back to Sidebar
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill("grace-at-the-idp")
    page.get_by_role("button", name="Sign in to the test IdP").click()

    page.get_by_role("heading", name="Hello, Grace Hopper").wait_for()
    screenshot(page, "home-after-saml")
    assert axe_violations(page) == []
    grace = User.objects.get(email="grace@example.com")
    assert (department_of(grace), grace.job_title) == ("Compilers", "Rear Admiral")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_password_for_an_sso_only_domain_is_refused_pointing_to_the_button(
    page, db, settings, screenshot, axe_violations, width
):
    UserFactory(email="ada@example.com")
    settings.SOCIALACCOUNT_PROVIDERS = sso.socialaccount_providers(
        oidc=sso.OidcProvider(
            server_url="https://login.example.com", client_id="c", client_secret="s", name="Acme Login"
        ),
        saml=None,
    )
    settings.OIDC_SERVER_URL, settings.OIDC_NAME = "https://login.example.com", "Acme Login"
    settings.SSO_ONLY_DOMAINS = ("example.com",)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()

    page.get_by_text("People with an @example.com address sign in with single sign-on").wait_for()
    assert page.get_by_role("button", name="Sign in with Acme Login").is_visible()
    assert page.url.endswith("/accounts/login/")
    screenshot(page, f"login-sso-only-refused-{width}")
    assert axe_violations(page) == []
