"""Single sign-on with OpenID Connect against a real provider (node-oidc-provider in its own process), over
HTTP: the first sign-in provisions the person, later ones update them, an unverified address is refused."""

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from marketplace.models import Department, User
from tests.factories import DepartmentFactory, UserFactory
from tests.identity.providers import department_of, oidc_provider, start_sign_in, submit, use_providers

ADA = {
    "email": "ada@example.com",
    "email_verified": True,
    "name": "Ada Lovelace",
    "department": "Analytical Engines",
    "job_title": "Staff Engineer",
    "zoneinfo": "Europe/London",
}


@pytest.fixture
def provider(live_server, settings, tmp_path):
    with oidc_provider(tmp_path, site_url=live_server.url, accounts={"ada": ADA}) as running:
        use_providers(settings, oidc=running)
        yield running


def sign_in(site_url: str, login: str) -> requests.Response:
    """The whole dance in one fresh client: Sidebar's button, the provider's login and consent pages."""
    session = requests.Session()
    answer = start_sign_in(session, site_url, "/accounts/oidc/sso/")
    answer = submit(session, answer, login=login, password="any")  # the provider's login page
    if "/interaction/" in answer.url:  # its consent page
        answer = submit(session, answer)
    return answer


def test_the_first_sign_in_creates_the_person_with_name_department_and_job_title(live_server, provider):
    answer = sign_in(live_server.url, "ada")

    assert answer.status_code == 200, answer.text[-2000:]
    assert answer.url == f"{live_server.url}/"
    ada = User.objects.get(email="ada@example.com")
    assert (ada.display_name, department_of(ada), ada.job_title, ada.timezone) == (
        "Ada Lovelace",
        "Analytical Engines",
        "Staff Engineer",
        "Europe/London",
    )
    assert not ada.has_usable_password()
    assert EmailAddress.objects.get(user=ada).verified


def test_a_later_sign_in_updates_what_the_provider_says_and_keeps_what_it_does_not(live_server, provider):
    sign_in(live_server.url, "ada")
    changed = {"department": "Research", "job_title": None, "title": "Principal Engineer", "zoneinfo": "UTC"}
    provider.set_account("ada", {**ADA, **changed})
    ada = User.objects.get(email="ada@example.com")
    ada.timezone = "Asia/Tokyo"  # her own choice in Sidebar, which the provider's zone does not overwrite
    ada.save()

    answer = sign_in(live_server.url, "ada")

    assert answer.url == f"{live_server.url}/"
    ada.refresh_from_db()
    assert (ada.display_name, department_of(ada), ada.job_title, ada.timezone) == (
        "Ada Lovelace",
        "Research",
        "Principal Engineer",
        "Asia/Tokyo",
    )
    assert User.objects.count() == 1


def test_a_department_is_matched_whatever_its_case_and_created_once(live_server, provider):
    DepartmentFactory(name="analytical engines")
    provider.set_account("grace", {**ADA, "email": "grace@example.com", "name": "Grace Hopper"})

    sign_in(live_server.url, "ada")
    sign_in(live_server.url, "grace")

    assert list(Department.objects.values_list("name", flat=True)) == ["analytical engines"]
    assert User.objects.filter(department__name="analytical engines").count() == 2


def test_given_and_family_names_make_the_name_when_the_provider_sends_no_name(live_server, provider):
    provider.set_account(
        "lin", {"email": "lin@example.com", "email_verified": True, "given_name": "Lin", "family_name": "Wu"}
    )

    sign_in(live_server.url, "lin")

    lin = User.objects.get(email="lin@example.com")
    assert (lin.display_name, lin.department, lin.job_title) == ("Lin Wu", None, "")


@pytest.mark.parametrize("verified", [False, None])
def test_an_address_the_provider_has_not_verified_is_refused_with_a_reason(live_server, provider, verified):
    claims = (
        {**ADA, "email_verified": verified}
        if verified is not None
        else {key: value for key, value in ADA.items() if key != "email_verified"}
    )
    provider.set_account("ada", claims)

    answer = sign_in(live_server.url, "ada")

    assert answer.url == f"{live_server.url}/accounts/login/"
    assert "Acme Login has not verified your email address ada@example.com" in answer.text
    assert not User.objects.filter(email="ada@example.com").exists()


def test_an_existing_password_account_with_the_address_is_connected_not_duplicated(live_server, provider):
    existing = UserFactory(email="ada@example.com", display_name="Ada (old)", job_title="Engineer")

    answer = sign_in(live_server.url, "ada")

    assert answer.url == f"{live_server.url}/"
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert (existing.display_name, existing.job_title) == ("Ada Lovelace", "Staff Engineer")
    assert SocialAccount.objects.get(user=existing).provider == "sso"
    assert existing.has_usable_password()  # her confirmed address: her password stays


def test_an_unconfirmed_password_account_is_connected_and_loses_its_password(live_server, provider):
    """Someone may have signed up with her address without owning it: their password must not open it."""
    squatter = UserFactory(email="ada@example.com", verified_email=False)
    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=False, primary=True)

    answer = sign_in(live_server.url, "ada")

    assert answer.url == f"{live_server.url}/"  # signed in: the provider has verified the address

    squatter.refresh_from_db()
    assert User.objects.count() == 1
    assert not squatter.has_usable_password()
    assert EmailAddress.objects.get(user=squatter).verified


def test_sign_up_through_the_provider_keeps_to_signup_allowed_domains(live_server, provider, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ("example.org",)

    answer = sign_in(live_server.url, "ada")

    assert answer.url == f"{live_server.url}/accounts/login/"
    assert "Sidebar is open to addresses ending in @example.org: ada@example.com cannot join." in answer.text
    assert not User.objects.exists()

    settings.SIGNUP_ALLOWED_DOMAINS = ("example.com",)
    assert sign_in(live_server.url, "ada").url == f"{live_server.url}/"
    assert User.objects.filter(email="ada@example.com").exists()


def test_someone_already_registered_outside_signup_allowed_domains_still_signs_in(
    live_server, provider, settings
):
    settings.SIGNUP_ALLOWED_DOMAINS = ("example.org",)
    UserFactory(email="ada@example.com")

    assert sign_in(live_server.url, "ada").url == f"{live_server.url}/"
