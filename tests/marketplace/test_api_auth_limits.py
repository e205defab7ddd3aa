"""Password guessing on the token endpoint: throttled per real client address and per account, and the
failed-login lockout is the page login's (allauth's "login_failed"), shared both ways (docs/api.md)."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(db):
    return UserFactory(email="someone@example.com")


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**django_settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_a_new_forwarded_for_per_try_is_still_throttled(api, db):
    statuses = [
        api.post(
            TOKEN_URL,
            {"email": f"nobody{n}@example.com", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(25)
    ]

    assert statuses[0] == 400
    assert statuses[-1] == 429


def test_guesses_at_one_account_from_many_addresses_are_throttled(api, person):
    statuses = [
        api.post(
            TOKEN_URL, {"email": person.email, "password": f"guess{n}"}, REMOTE_ADDR=f"198.51.100.{n}"
        ).status_code
        for n in range(12)
    ]

    assert statuses[0] == 400
    assert statuses[-1] == 429


def test_behind_one_proxy_the_rightmost_forwarded_address_is_the_client(api, db, behind_one_proxy):
    def guess(n: int, forwarded_for: str) -> int:
        return api.post(
            TOKEN_URL,
            {"email": f"nobody{n}@example.com", "password": "guess"},
            HTTP_X_FORWARDED_FOR=forwarded_for,
        ).status_code

    # The client may prepend anything; the proxy appends the address it saw.
    statuses = [guess(n, f"10.9.{n}.1, 192.0.2.7") for n in range(25)]
    assert statuses[0] == 400
    assert statuses[-1] == 429

    assert guess(99, "192.0.2.7, 192.0.2.8") == 400


def test_a_page_lockout_refuses_the_right_password_on_the_token_endpoint(api, person):
    page = Client()
    for n in range(5):
        response = page.post(LOGIN_URL, {"login": person.email, "password": f"wrong{n}"})
        assert response.status_code == 200  # the form again, with an error
    assert (
        "Too many failed login attempts"
        in page.post(LOGIN_URL, {"login": person.email, "password": PASSWORD}).content.decode()
    )

    response = api.post(TOKEN_URL, {"email": person.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "token" not in response.json()
    assert "Too many failed login attempts" in response.json()["detail"]


def test_failed_token_requests_count_toward_the_page_lockout(api, person):
    for n in range(5):
        assert api.post(TOKEN_URL, {"email": person.email, "password": f"wrong{n}"}).status_code == 400

    response = Client().post(LOGIN_URL, {"login": person.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()


def test_a_right_password_does_not_use_up_the_failure_allowance(api, person):
    for _ in range(8):
        assert api.post(TOKEN_URL, {"email": person.email, "password": PASSWORD}).status_code == 200
