"""With Redis down or frozen, logging in (page and token) still works within a bound: the rate limits keep
their counts in the cache, and the cache answers misses instead of errors (config/redis_cache.py)."""

import socket
import time
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient

from config import redis_cache
from tests.factories import PASSWORD, UserFactory

BOUND_SECONDS = 3.0


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on leaving: connections are refused


@pytest.fixture
def frozen_port() -> Iterator[int]:
    """Accepts connections (the kernel completes them) and never answers, like a SIGSTOPped Redis."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


@pytest.fixture(params=["closed", "frozen"])
def unreachable_redis(request, settings) -> Iterator[None]:
    port = request.getfixturevalue(f"{request.param}_port")
    redis_cache._down_until.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": django_settings.REDIS_CACHE_BACKEND,
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    yield
    redis_cache._down_until.clear()


def test_page_login_works_without_redis(db, unreachable_redis):
    person = UserFactory(email="someone@example.com")
    started = time.monotonic()

    response = Client().post("/accounts/login/", {"login": person.email, "password": PASSWORD})

    assert response.status_code == 302
    assert time.monotonic() - started < BOUND_SECONDS


def test_token_endpoint_works_without_redis(db, unreachable_redis):
    person = UserFactory(email="someone@example.com")
    started = time.monotonic()

    response = APIClient().post("/api/v1/auth/token/", {"email": person.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "token" in response.json()
    assert time.monotonic() - started < BOUND_SECONDS


def test_a_wrong_password_without_redis_is_still_a_400(db, unreachable_redis):
    person = UserFactory(email="someone@example.com")

    response = APIClient().post("/api/v1/auth/token/", {"email": person.email, "password": "nope"})

    assert response.status_code == 400
