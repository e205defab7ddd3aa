"""API tokens (docs/api.md, "Authentication"): a lifetime from creation, rotation on every password change,
and revoking (DELETE /api/v1/auth/token/ and the profile page)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
NEW_PASSWORD = "another-long-pass-phrase"
ISSUED = datetime(2026, 3, 2, 9, 15, 30, 250_000, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth's password-reset and login limits count in the cache, which the tests of one process share."""
    cache.clear()


@pytest.fixture
def person(db):
    return UserFactory(email="someone@example.com")


def ask_token(person, password: str = PASSWORD, **headers) -> dict:
    response = APIClient().post(TOKEN_URL, {"email": person.email, "password": password}, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def me(token: str):
    return APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}")


# --- Lifetime ---


def test_the_answer_says_when_the_token_expires_counted_from_its_creation_in_whole_utc_seconds(person):
    with time_machine.travel(ISSUED, tick=False):
        answer = ask_token(person)

    assert answer == {"token": Token.objects.get(user=person).key, "expires": "2026-04-01T09:15:30Z"}
    with time_machine.travel(ISSUED + timedelta(days=29), tick=False):
        assert ask_token(person) == answer, "asking again answers the same token and the same expiry"


def test_the_lifetime_is_a_setting(person, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 2
    with time_machine.travel(ISSUED, tick=False):
        assert ask_token(person)["expires"] == "2026-03-04T09:15:30Z"


def test_a_token_works_until_its_lifetime_ends_then_is_refused_deleted_and_replaced(person):
    with time_machine.travel(ISSUED, tick=False):
        token = ask_token(person)["token"]

    with time_machine.travel(ISSUED + timedelta(days=30, seconds=-1), tick=False):
        assert me(token).status_code == 200
    with time_machine.travel(ISSUED + timedelta(days=30), tick=False):
        refused = me(token)
        assert refused.status_code == 401
        assert "expired" in refused.json()["detail"]
        assert not Token.objects.filter(key=token).exists()
        assert me(token).status_code == 401

        renewed = ask_token(person)
        assert renewed["token"] != token
        assert renewed["expires"] == "2026-05-01T09:15:30Z"
        assert me(renewed["token"]).status_code == 200


def test_an_expired_token_not_used_since_is_replaced_when_a_new_one_is_asked_for(person):
    with time_machine.travel(ISSUED, tick=False):
        old = ask_token(person)["token"]
    with time_machine.travel(ISSUED + timedelta(days=45), tick=False):
        new = ask_token(person)["token"]
        assert new != old
        assert list(Token.objects.values_list("key", flat=True)) == [new]


def test_asking_for_a_token_with_an_expired_one_in_the_header_still_answers_a_new_one(person):
    with time_machine.travel(ISSUED, tick=False):
        old = ask_token(person)["token"]
    with time_machine.travel(ISSUED + timedelta(days=31), tick=False):
        answer = ask_token(person, HTTP_AUTHORIZATION=f"Token {old}")
        assert answer["token"] != old


def test_asking_for_a_token_from_a_logged_in_browser_needs_no_csrf_token(person):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(person)
    response = browser.post(TOKEN_URL, {"email": person.email, "password": PASSWORD})
    assert response.status_code == 200


# --- Rotation on a password change ---


def assert_token_ended(token: str, person) -> None:
    assert me(token).status_code == 401
    assert not Token.objects.filter(user=person).exists()


def test_set_password_and_save_deletes_the_token(person):
    token = ask_token(person)["token"]
    person.set_password(NEW_PASSWORD)
    person.save()

    assert_token_ended(token, person)
    assert ask_token(person, NEW_PASSWORD)["token"] != token


def test_saves_that_do_not_change_the_password_keep_the_token(person, client):
    token = ask_token(person)["token"]

    person.display_name = "Renamed"
    person.save()
    person.save(update_fields=["display_name"])
    assert (
        APIClient().patch(ME_URL, {"headline": "Hi"}, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    )
    client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})  # saves last_login
    assert "_auth_user_id" in client.session

    assert me(token).status_code == 200


def test_a_password_change_ends_only_that_persons_token(person):
    other = UserFactory()
    mine, theirs = ask_token(person)["token"], ask_token(other)["token"]
    other.set_password(NEW_PASSWORD)
    other.save()

    assert me(mine).status_code == 200
    assert me(theirs).status_code == 401


def test_the_password_change_page_deletes_the_token(person, client):
    token = ask_token(person)["token"]
    client.force_login(person)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert_token_ended(token, person)


def test_the_password_reset_pages_delete_the_token(person, client):
    token = ask_token(person)["token"]

    client.post("/accounts/password/reset/", {"email": person.email})
    (reset_mail,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", str(reset_mail.body))
    assert link is not None
    form = client.get(link.group(1))
    assert form.status_code == 302  # allauth moves the key into the session
    done = client.post(form["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert_token_ended(token, person)
    assert ask_token(person, NEW_PASSWORD)["token"] != token


def test_the_admin_password_form_deletes_the_token(person, client):
    token = ask_token(person)["token"]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        f"/admin/marketplace/user/{person.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert_token_ended(token, person)


def test_manage_py_changepassword_deletes_the_token(person, monkeypatch):
    token = ask_token(person)["token"]
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)

    call_command("changepassword", person.email, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert_token_ended(token, person)


# --- Revoking ---


def test_delete_with_the_token_revokes_it(person):
    token = ask_token(person)["token"]

    response = APIClient().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 204
    assert response.content == b""
    assert_token_ended(token, person)


def test_delete_with_the_browser_session_revokes_the_persons_token(person):
    token = ask_token(person)["token"]
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(person)

    assert browser.delete(TOKEN_URL).status_code == 403, "a session write needs the CSRF token"
    assert me(token).status_code == 200
    csrf = Client().get("/accounts/login/").cookies["csrftoken"].value
    browser.cookies["csrftoken"] = csrf
    assert browser.delete(TOKEN_URL, HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert_token_ended(token, person)


def test_delete_without_a_token_to_revoke_is_still_a_204(person, api_as):
    assert api_as(person).delete(TOKEN_URL).status_code == 204


def test_delete_without_credentials_is_a_401(person):
    token = ask_token(person)["token"]
    assert APIClient().delete(TOKEN_URL).status_code == 401
    assert APIClient().delete(TOKEN_URL, HTTP_AUTHORIZATION="Token not-a-token").status_code == 401
    assert me(token).status_code == 200


def test_the_schema_declares_the_expiry_and_the_revoke(client, db):
    schema = client.get("/api/schema/?format=json").json()
    token_path = schema["paths"]["/api/v1/auth/token/"]

    assert set(schema["components"]["schemas"]["Token"]["properties"]) == {"token", "expires"}
    assert set(token_path["delete"]["responses"]) == {"204", "400", "401", "403"}
    assert token_path["post"]["security"] == [{}]


# --- The profile page ---


def test_the_profile_page_says_when_there_is_no_token(person, client):
    client.force_login(person)
    html = client.get("/me/profile/").content.decode()
    assert "You have no API token." in html
    assert 'action="/me/api-token/revoke/"' not in html


def test_the_profile_page_shows_the_token_dates_and_revokes_it(person, client):
    person.timezone = "Europe/Berlin"
    person.save()
    with time_machine.travel(ISSUED, tick=False):
        token = ask_token(person)["token"]
    client.force_login(person)

    with time_machine.travel(ISSUED + timedelta(days=1), tick=False):
        html = client.get("/me/profile/").content.decode()
    assert '<time datetime="2026-03-02T09:15:30Z">Mon 2 Mar 2026 10:15</time>' in html
    assert '<time datetime="2026-04-01T09:15:30Z">Wed 1 Apr 2026 11:15</time>' in html
    assert "expires" in html
    assert token not in html, "the page never shows the secret itself"
    assert re.search(
        r'<form method="post" action="/me/api-token/revoke/">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )

    response = client.post("/me/api-token/revoke/")

    assert response.status_code == 302
    assert response["Location"] == "/me/profile/#api-token"
    assert_token_ended(token, person)
    after = client.get(response["Location"]).content.decode()
    assert "API token revoked" in after
    assert "You have no API token." in after


def test_revoking_on_the_page_takes_a_logged_in_post(person, client):
    token = ask_token(person)["token"]

    assert client.post("/me/api-token/revoke/")["Location"].startswith("/accounts/login/")
    client.force_login(person)
    assert client.get("/me/api-token/revoke/").status_code == 405
    assert me(token).status_code == 200
