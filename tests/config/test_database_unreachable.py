"""config/errors.py: a request that cannot reach the database answers 503 with Retry-After, on the API and on
the pages, from a view or from a middleware; any other failure stays Django's 500. (The real outage, a
PostgreSQL restarted under load, is tests/integration/test_postgres_restart.py.)"""

import pytest
from django.db import OperationalError
from django.test import Client

from marketplace import middleware, selectors
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_seeing_errors() -> Client:
    return Client(raise_request_exception=False)


def unreachable(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def test_the_api_answers_503_with_retry_after_when_a_view_cannot_reach_the_database(
    client_seeing_errors, monkeypatch
):
    person = UserFactory()
    client_seeing_errors.login(email=person.email, password=PASSWORD)
    monkeypatch.setattr(selectors, "person_with_details", unreachable)

    response = client_seeing_errors.get("/api/v1/me/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "Sidebar cannot reach its database for a moment. Try again in a few seconds."
    }


def test_a_page_answers_503_when_a_middleware_cannot_reach_the_database(client_seeing_errors, monkeypatch):
    monkeypatch.setattr(middleware.UserTimezoneMiddleware, "__call__", lambda self, request: unreachable())

    response = client_seeing_errors.get("/accounts/login/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "<h1>Sidebar is briefly unavailable</h1>" in response.content.decode()


def test_any_other_failure_is_still_a_500(client_seeing_errors, monkeypatch):
    def broken(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(middleware.UserTimezoneMiddleware, "__call__", broken)

    response = client_seeing_errors.get("/api/v1/me/")

    assert response.status_code == 500
    assert "Retry-After" not in response
