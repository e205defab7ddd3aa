"""Shared fixtures: named personas (mentee, mentor, outsider, hr), API clients, and Celery in-process.

Browser fixtures live in tests/e2e/conftest.py, real-worker fixtures in tests/integration/conftest.py.
tests/child_processes.py fails a test (and the run) that leaves a process running.
"""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test.utils import override_settings
from django.utils import translation
from rest_framework.test import APIClient
from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]  # xdist ships no types

from config.celery import app as celery_app
from marketplace.services import make_hr_admin
from tests.factories import MentorFactory, UserFactory

pytest_plugins = ["tests.child_processes"]
MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


# Each is one unit of work for pytest-xdist: the real-worker tests, and the schemathesis runs (each of which
# keeps both cores busy).
TOGETHER = ("tests/integration/", "tests/deploy/test_schemathesis.py")


class IntegrationTestsTogether(LoadScopeScheduling):
    """`--dist load`, except that tests/integration/ is one unit of work, run by one pytest-xdist worker.

    The real-worker tests take turns anyway (a lock on their Redis database, tests/integration/conftest.py):
    spread over two workers, one would wait for the other. `--dist loadgroup` and an xdist_group would say
    the same, but pytest-xdist 3.8 does not group on pytest 9.2 (pytest-dev/pytest-xdist#1386).
    """

    def _split_scope(self, nodeid: str) -> str:
        return next((unit for unit in TOGETHER if nodeid.startswith(unit)), nodeid)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: unknown under -p no:xdist
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "load":
        return IntegrationTestsTogether(config, log)
    return None


def pytest_sessionstart(session):
    """Compiles the translations when a catalog changed since (`make test` has done it already): the French
    and German pages the tests read come from the .mo files. Once, in the controlling process."""
    if hasattr(session.config, "workerinput"):
        return
    for catalog in Path(django_settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"):
        compiled = catalog.with_suffix(".mo")
        if not compiled.exists() or compiled.stat().st_mtime < catalog.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(catalog)], check=True)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Every factory-made person gets a hashed password, and the default hasher is slow on purpose: MD5 makes
    the new hashes for the whole run. The configured hashers stay in the list, so that hashes written by
    processes the tests start (which use the real settings, e.g. seed_demo in a subprocess) still verify.
    """
    with override_settings(PASSWORD_HASHERS=[MD5_HASHER, *django_settings.PASSWORD_HASHERS]):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request served in French (the test client runs the
    middleware in this thread) would otherwise leave French active for the tests after it."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _tasks_in_process(request, settings):
    """Unit tests run Celery tasks in-process and use a private cache; integration tests use the real ones."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def mentee(db):
    return UserFactory(email="mentee@example.com", display_name="Maya Mentee", timezone="Europe/London")


@pytest.fixture
def mentor(db):
    return MentorFactory(email="mentor@example.com", display_name="Marco Mentor", timezone="Europe/Berlin")


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.com", display_name="Oscar Outsider")


@pytest.fixture
def hr(db):
    user = UserFactory(email="hr@example.com", display_name="Hana HR")
    make_hr_admin(user=user)
    return user


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` or `as_user(api, user)` to act as someone."""
    return APIClient()


@pytest.fixture
def api_as(api):
    def login(user):
        api.force_authenticate(user)
        return api

    return login
