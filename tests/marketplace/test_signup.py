"""Sign-up (docs/api.md, "Pages" and SIGNUP_ALLOWED_DOMAINS): allowed domains, mandatory verification, and
an already registered address answered like a new one."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client

from marketplace.models import User
from tests.factories import PASSWORD, UserFactory

SIGNUP_URL = "/accounts/signup/"
TOKEN_URL = "/api/v1/auth/token/"
NEW_PASSWORD = "a-long-pass-phrase"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth sends one confirmation per address per 3 minutes, counted in the cache (shared by the tests
    of one process)."""
    cache.clear()


def sign_up(client, email: str, **extra):
    return client.post(
        SIGNUP_URL,
        {
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "display_name": "New Person",
            "timezone": "UTC",
            **extra,
        },
    )


def email_errors(response) -> list[str]:
    return response.context["form"].errors.get("email", [])


def visible_text(response) -> str:
    """The page as a person reads it: no tags, no CSRF tokens (they differ per session)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- SIGNUP_ALLOWED_DOMAINS ---


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["new@example.com", "New.Person@EXAMPLE.com", "new@example.org"])
def test_an_address_at_an_allowed_domain_signs_up_whatever_its_case(client, settings, email):
    settings.SIGNUP_ALLOWED_DOMAINS = ("example.com", "example.org")

    response = sign_up(client, email)

    assert response.status_code == 302, email_errors(response)
    assert User.objects.filter(email=email.lower()).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["new@elsewhere.net", "new@team.example.com", "new@example.com.evil.net", "new@notexample.com"]
)
def test_an_address_at_another_domain_or_a_subdomain_is_refused_on_the_email_field(client, settings, email):
    settings.SIGNUP_ALLOWED_DOMAINS = ("example.com",)

    response = sign_up(client, email)

    assert response.status_code == 200
    assert email_errors(response) == [
        "Use your work address: only addresses ending in @example.com can sign up."
    ]
    assert "only addresses ending in @example.com can sign up" in response.content.decode()
    assert not User.objects.filter(email=email).exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_listed_subdomain_is_allowed(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ("example.com", "team.example.com")
    assert sign_up(client, "new@team.example.com").status_code == 302
    assert User.objects.filter(email="new@team.example.com").exists()


@pytest.mark.django_db
def test_without_allowed_domains_any_domain_signs_up(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ()
    assert sign_up(client, "new@anywhere.example.net").status_code == 302
    assert User.objects.filter(email="new@anywhere.example.net").exists()


@pytest.mark.django_db
def test_an_outside_address_is_refused_alike_whether_or_not_someone_has_it(client, settings):
    UserFactory(email="old@elsewhere.net")
    settings.SIGNUP_ALLOWED_DOMAINS = ("example.com",)

    registered = sign_up(client, "old@elsewhere.net")
    unknown = sign_up(client, "new@elsewhere.net")

    assert email_errors(registered) == email_errors(unknown)
    assert mail.outbox == []


def test_a_person_cannot_add_an_outside_address_to_their_account(client, settings, mentee):
    settings.SIGNUP_ALLOWED_DOMAINS = ("example.com",)
    client.login(email=mentee.email, password=PASSWORD)

    refused = client.post("/accounts/email/", {"action_add": "", "email": "me@elsewhere.net"})
    accepted = client.post("/accounts/email/", {"action_add": "", "email": "maya@example.com"})

    assert refused.status_code == 200
    assert refused.context["form"].errors["email"] == [
        "Use your work address: only addresses ending in @example.com can sign up."
    ]
    assert accepted.status_code == 302
    addresses = EmailAddress.objects.filter(user=mentee).order_by("email")
    assert list(addresses.values_list("email", flat=True)) == ["maya@example.com", "mentee@example.com"]


@pytest.mark.django_db
def test_a_person_registered_at_another_domain_can_still_reset_their_password(client, settings):
    UserFactory(email="old@elsewhere.net")
    settings.SIGNUP_ALLOWED_DOMAINS = ("example.com",)

    response = client.post("/accounts/password/reset/", {"email": "old@elsewhere.net"})

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["old@elsewhere.net"]]


# --- Mandatory verification ---


def test_email_verification_is_mandatory_by_default(settings):
    from django.conf import settings as configured

    assert configured.ACCOUNT_EMAIL_VERIFICATION == "mandatory"


@pytest.mark.django_db
def test_a_new_account_is_not_logged_in_until_its_address_is_confirmed(client):
    response = sign_up(client, "new@example.com")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", str(mail.outbox[0].body))
    assert link is not None

    login = client.post("/accounts/login/", {"login": "new@example.com", "password": NEW_PASSWORD})
    assert login["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    client.post(link.group(0).removeprefix("http://testserver"))
    assert EmailAddress.objects.get(email="new@example.com").verified
    client.post("/accounts/login/", {"login": "new@example.com", "password": NEW_PASSWORD})
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_a_person_with_no_confirmed_address_is_sent_a_confirmation_at_the_page_login(client):
    UserFactory(email="made-in-admin@example.com", verified_email=False)

    response = client.post("/accounts/login/", {"login": "made-in-admin@example.com", "password": PASSWORD})

    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert [message.to for message in mail.outbox] == [["made-in-admin@example.com"]]
    assert "/accounts/confirm-email/" in str(mail.outbox[0].body)


@pytest.mark.django_db
def test_the_token_endpoint_answers_an_unverified_address_like_a_wrong_password(api):
    UserFactory(email="unverified@example.com", verified_email=False)

    right_password = api.post(TOKEN_URL, {"email": "unverified@example.com", "password": PASSWORD})
    wrong_password = api.post(TOKEN_URL, {"email": "unverified@example.com", "password": "not-it"})

    assert right_password.status_code == wrong_password.status_code == 400
    assert right_password.json() == wrong_password.json() == {"detail": ["Email or password is wrong."]}


@pytest.mark.django_db
def test_the_token_endpoint_serves_an_unverified_address_when_verification_is_optional(api, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    UserFactory(email="unverified@example.com", verified_email=False)

    response = api.post(TOKEN_URL, {"email": "unverified@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["token"]


# --- An address that is already registered ---


@pytest.mark.django_db
def test_signing_up_with_a_registered_address_looks_the_same_and_mails_its_owner(settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ("example.com",)
    existing = UserFactory(email="taken@example.com", display_name="Taken Person")
    password_before = existing.password

    def answer(email: str) -> tuple[int, str, str]:
        """What a visitor signing up with `email` sees: status, redirect, and the page it leads to (with
        the address they typed in place of itself)."""
        visitor = Client()
        response = sign_up(visitor, email)
        page = visible_text(visitor.get(response["Location"])).replace(email.lower(), "<address>")
        assert "_auth_user_id" not in visitor.session
        return response.status_code, response["Location"], page

    new = answer("fresh@example.com")
    registered = answer("Taken@Example.com")

    assert registered == new
    assert new[:2] == (302, "/accounts/confirm-email/")
    assert "Confirmation email sent to <address>" in new[2]

    fresh_mail, taken_mail = mail.outbox
    assert fresh_mail.to == ["fresh@example.com"]
    assert "confirm" in fresh_mail.subject.lower()
    assert "/accounts/confirm-email/" in fresh_mail.body
    assert taken_mail.to == ["taken@example.com"]
    assert "already exists" in taken_mail.subject.lower()
    assert "/accounts/password/reset/" in taken_mail.body
    assert "/accounts/confirm-email/" not in taken_mail.body

    assert User.objects.filter(email="taken@example.com").count() == 1
    existing.refresh_from_db()
    assert (existing.password, existing.display_name) == (password_before, "Taken Person")
