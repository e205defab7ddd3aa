"""Settings come from the environment and fail loudly, naming the variable (in a fresh interpreter)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]


# What the environment of the test run may carry that would change what a fresh interpreter reads.
RUN_ENVIRONMENT = {
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SITE_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "NUM_PROXIES",
    "PORT",
}


def fresh_interpreter(code: str, **env: str) -> subprocess.CompletedProcess:
    """Runs `code` in a new Python with Django set up from `env` only (nothing of this run's own settings)."""
    clean = {key: value for key, value in os.environ.items() if key not in RUN_ENVIRONMENT}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def last_line_as_json(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def load_settings(**env: str) -> subprocess.CompletedProcess:
    return fresh_interpreter(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.REMINDER_LEADS_MINUTES, settings.CACHES['default']['BACKEND'])",
        **env,
    )


def test_with_nothing_set_sidebar_uses_sqlite_and_in_process_tasks():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.sqlite3", "True"]
    assert "(1440, 60)" in result.stdout
    assert "LocMemCache" in result.stdout


def test_database_and_redis_urls_switch_to_postgres_redis_cache_and_a_real_broker():
    result = load_settings(
        DATABASE_URL="postgres://u:p@db.example:5432/sidebar", REDIS_URL="redis://localhost:6379/0"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.postgresql", "False"]
    assert "RedisCache" in result.stdout


def test_production_mode_refuses_to_start_without_secret_key_and_allowed_hosts():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_mode_starts_with_both_set():
    result = load_settings(
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="sidebar.example.com"
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "secret_key",
    [
        "a-short-key-of-49-characters-".ljust(49, "x"),
        "ab" * 30,  # long enough, but 2 different characters
        "django-insecure-"
        + "q8Zr2vNw5Lx1Tb7Yk3Hf9Pd4Sg6Jm0Ac" * 2,  # what startproject writes for development
    ],
)
def test_production_mode_refuses_a_weak_secret_key_naming_it(secret_key):
    result = load_settings(DEBUG="0", SECRET_KEY=secret_key, ALLOWED_HOSTS="sidebar.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr.strip().splitlines()[-1]


def test_a_weak_secret_key_is_allowed_with_debug_on():
    assert load_settings(DEBUG="1", SECRET_KEY="short").returncode == 0


HTTPS_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
    "name: getattr(s, name) for name in ('SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SECURE_PROXY_SSL_HEADER')}))"
)


def https_settings(**env: str) -> dict:
    return last_line_as_json(fresh_interpreter(HTTPS_SETTINGS, **env))


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "sidebar.example.com"}


def test_an_https_site_url_turns_on_the_ssl_redirect_hsts_and_secure_cookies():
    assert https_settings(**PRODUCTION, SITE_URL="https://sidebar.example.com") == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_make_run_with_debug_on_and_http_has_no_redirect_no_hsts_and_plain_cookies():
    assert https_settings() == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_hsts_and_the_proxy_header_are_set_from_the_environment():
    assert https_settings(
        **PRODUCTION,
        SITE_URL="https://sidebar.example.com",
        HSTS_SECONDS="3600",
        HSTS_INCLUDE_SUBDOMAINS="off",
        HSTS_PRELOAD="off",
        PROXY_SSL_HEADER="X-Forwarded-Scheme",
    ) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_SCHEME", "https"],
    }
    assert (
        https_settings(**PRODUCTION, SITE_URL="https://sidebar.example.com", PROXY_SSL_HEADER="")[
            "SECURE_PROXY_SSL_HEADER"
        ]
        is None
    )  # TLS ends at gunicorn itself: no header is trusted


def test_malformed_variables_fail_naming_the_variable():
    for name, value in (
        ("DEBUG", "maybe"),
        ("REMINDER_LEADS_MINUTES", "sixty"),
        ("REMINDER_LEADS_MINUTES", "60,-5"),
        ("FEEDBACK_PROMPT_DELAY_MINUTES", "-1"),
        ("SITE_URL", "sidebar.example.com"),
        ("SLACK_WEBHOOK_URL", "ftp://x"),
        ("TEAMS_WEBHOOK_URL", "teams.example.com/webhook"),
    ):
        result = load_settings(**{name: value})
        assert result.returncode != 0, name
        assert name in result.stderr, (name, result.stderr[-500:])


SITE_URL_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SITE_URL, s.CSRF_TRUSTED_ORIGINS]))"
)


def test_without_site_url_links_follow_the_port_sidebar_is_served_on():
    assert json.loads(fresh_interpreter(SITE_URL_SETTINGS).stdout.splitlines()[-1]) == [
        "http://127.0.0.1:8000",
        ["http://127.0.0.1:8000"],
    ]
    assert json.loads(fresh_interpreter(SITE_URL_SETTINGS, PORT="8202").stdout.splitlines()[-1]) == [
        "http://127.0.0.1:8202",
        ["http://127.0.0.1:8202"],
    ]


def test_a_site_url_wins_over_the_port():
    result = fresh_interpreter(SITE_URL_SETTINGS, PORT="8202", SITE_URL="https://sidebar.example.com/")
    assert json.loads(result.stdout.splitlines()[-1])[0] == "https://sidebar.example.com"


@pytest.mark.parametrize("port", ["eighty", "0", "65536", "-1", "8000.5"])
def test_a_port_that_is_no_port_stops_start_up_naming_it(port):
    result = load_settings(PORT=port)
    assert result.returncode != 0
    assert "PORT" in result.stderr.strip().splitlines()[-1]
    assert "port number from 1 to 65535" in result.stderr


def test_reminder_leads_are_read_as_minutes():
    result = load_settings(REMINDER_LEADS_MINUTES="2880, 30")
    assert result.returncode == 0, result.stderr
    assert "(2880, 30)" in result.stdout


SETTINGS_AS_JSON = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
    "'OUTBOX_BATCH_SIZE': s.OUTBOX_BATCH_SIZE, "
    "'OUTBOX_RECLAIM_AFTER_SECONDS': s.OUTBOX_RECLAIM_AFTER_SECONDS, "
    "'OUTBOX_SWEEP_EVERY_SECONDS': s.CELERY_BEAT_SCHEDULE['send-due-messages']['schedule'], "
    "'SIGNED_LINK_MAX_AGE_DAYS': s.SIGNED_LINK_MAX_AGE_DAYS, "
    "'FEEDBACK_PROMPT_DELAY_MINUTES': s.FEEDBACK_PROMPT_DELAY_MINUTES, "
    "'DATABASE_CONN_MAX_AGE': s.DATABASES['default'].get('CONN_MAX_AGE'), "
    "'LOG_LEVEL': s.LOGGING['root']['level'], 'ACCOUNT_EMAIL_VERIFICATION': s.ACCOUNT_EMAIL_VERIFICATION, "
    "'SIGNUP_ALLOWED_DOMAINS': s.SIGNUP_ALLOWED_DOMAINS, "
    "'API_TOKEN_LIFETIME_DAYS': s.API_TOKEN_LIFETIME_DAYS, "
    "'email': [s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
    "s.EMAIL_USE_TLS, s.EMAIL_USE_SSL]}))"
)
POSTGRES_URL = "postgres://u:p@db.example:5432/sidebar"  # only parsed: CONN_MAX_AGE is read for it


def settings_values(**env: str) -> dict:
    return last_line_as_json(fresh_interpreter(SETTINGS_AS_JSON, **{"DATABASE_URL": POSTGRES_URL, **env}))


def test_with_nothing_set_every_setting_has_its_default():
    assert settings_values() == {
        "OUTBOX_BATCH_SIZE": 50,
        "OUTBOX_RECLAIM_AFTER_SECONDS": 45,  # + a sweep period: a stuck message is re-claimed within a minute
        "OUTBOX_SWEEP_EVERY_SECONDS": 15.0,
        "SIGNED_LINK_MAX_AGE_DAYS": 14,
        "FEEDBACK_PROMPT_DELAY_MINUTES": 5,
        "DATABASE_CONN_MAX_AGE": 60,
        "LOG_LEVEL": "INFO",
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
        "SIGNUP_ALLOWED_DOMAINS": [],
        "API_TOKEN_LIFETIME_DAYS": 30,
        "email": ["django.core.mail.backends.console.EmailBackend", "localhost", 25, "", "", False, False],
    }


def test_each_setting_is_read_in_its_unit_and_an_allowed_zero_is_kept():
    assert settings_values(
        OUTBOX_BATCH_SIZE="10",
        OUTBOX_RECLAIM_AFTER_SECONDS="3",
        OUTBOX_SWEEP_EVERY_SECONDS="1",
        SIGNED_LINK_MAX_AGE_DAYS="2",
        FEEDBACK_PROMPT_DELAY_MINUTES="0",
        DATABASE_CONN_MAX_AGE="0",
        LOG_LEVEL="WARNING",
        ACCOUNT_EMAIL_VERIFICATION="optional",
        SIGNUP_ALLOWED_DOMAINS=" Example.com, team.example.org ",
        API_TOKEN_LIFETIME_DAYS="1",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587",
    ) == {
        "OUTBOX_BATCH_SIZE": 10,
        "OUTBOX_RECLAIM_AFTER_SECONDS": 3,
        "OUTBOX_SWEEP_EVERY_SECONDS": 1.0,
        "SIGNED_LINK_MAX_AGE_DAYS": 2,
        "FEEDBACK_PROMPT_DELAY_MINUTES": 0,
        "DATABASE_CONN_MAX_AGE": 0,
        "LOG_LEVEL": "WARNING",
        "ACCOUNT_EMAIL_VERIFICATION": "optional",
        "SIGNUP_ALLOWED_DOMAINS": ["example.com", "team.example.org"],
        "API_TOKEN_LIFETIME_DAYS": 1,
        "email": [
            "django.core.mail.backends.smtp.EmailBackend",
            "smtp.example.com",
            587,
            "mailer",
            "secret",
            True,
            False,
        ],
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OUTBOX_BATCH_SIZE", "0"),
        ("OUTBOX_SWEEP_EVERY_SECONDS", "0"),
        ("OUTBOX_RECLAIM_AFTER_SECONDS", "-5"),
        ("SIGNED_LINK_MAX_AGE_DAYS", "0"),
        ("DATABASE_CONN_MAX_AGE", "a minute"),
        ("LOG_LEVEL", "loud"),
        ("ACCOUNT_EMAIL_VERIFICATION", "sometimes"),
        ("SIGNUP_ALLOWED_DOMAINS", "@example.com"),
        ("API_TOKEN_LIFETIME_DAYS", "0"),
        ("EMAIL_URL", "pigeon://coop.example.com"),
        ("HSTS_SECONDS", "a year"),
        ("PROXY_SSL_HEADER", "X Forwarded: Proto"),
    ],
)
def test_a_nonsense_setting_stops_the_start_naming_the_variable(name, value):
    result = load_settings(DATABASE_URL=POSTGRES_URL, **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr.strip().splitlines()[-1]


# --- Each reader of config/env.py, in this process (monkeypatch sets the variable) ---

VARIABLE = "SIDEBAR_TEST_SETTING"
UNSET = object()


def read_with(monkeypatch, raw, reader, *args, **kwargs):
    if raw is UNSET:
        monkeypatch.delenv(VARIABLE, raising=False)
    else:
        monkeypatch.setenv(VARIABLE, raw)
    return reader(VARIABLE, *args, **kwargs)


@pytest.mark.parametrize(
    ("reader", "arguments", "raw", "expected"),
    [
        (env.read_minutes, (5,), "30", 30),
        (env.read_minutes, (5,), " 45 ", 45),
        (env.read_minutes, (5,), UNSET, 5),
        (env.read_minutes, (5,), "0", 0),
        (env.read_seconds, (60,), "3", 3),
        (env.read_seconds, (60,), UNSET, 60),
        (env.read_seconds, (60,), "0", 0),
        (env.read_days, (14,), "2", 2),
        (env.read_days, (14,), UNSET, 14),
        (env.read_count, (50,), "10", 10),
        (env.read_count, (50,), UNSET, 50),
        (env.read_bool, (True,), "off", False),
        (env.read_bool, (True,), "0", False),
        (env.read_bool, (False,), "Yes", True),
        (env.read_bool, (True,), UNSET, True),
        (env.read_list, (["a"],), "x, y,,", ["x", "y"]),
        (env.read_list, (["a"],), "", []),
        (env.read_list, (["a"],), UNSET, ["a"]),
        (env.read_minutes_list, ((1440, 60),), "30, 5", (30, 5)),
        (env.read_minutes_list, ((1440, 60),), UNSET, (1440, 60)),
        (env.read_choice, ("INFO", ("DEBUG", "INFO")), "DEBUG", "DEBUG"),
        (env.read_choice, ("INFO", ("DEBUG", "INFO")), UNSET, "INFO"),
        (
            env.read_url,
            ("http://127.0.0.1:8000",),
            "https://sidebar.example.com/",
            "https://sidebar.example.com",
        ),
        (env.read_url, ("http://127.0.0.1:8000",), UNSET, "http://127.0.0.1:8000"),
        (env.read_optional_url, (), "https://hooks.example.com/x", "https://hooks.example.com/x"),
        (env.read_optional_url, (), "", None),
        (env.read_optional_url, (), UNSET, None),
        (env.read_email, (), "", None),
        (env.read_email, (), UNSET, None),
        (env.read_header_name, ("X-Forwarded-Proto",), "X-Scheme", "X-Scheme"),
        (env.read_header_name, ("X-Forwarded-Proto",), "", ""),
        (env.read_header_name, ("X-Forwarded-Proto",), UNSET, "X-Forwarded-Proto"),
        (env.read_domains, (), "example.com, Team.Example.ORG,", ("example.com", "team.example.org")),
        (env.read_domains, (), "", ()),
        (env.read_domains, (), UNSET, ()),
    ],
)
def test_a_reader_takes_a_valid_value_keeps_an_allowed_zero_and_defaults_when_unset(
    monkeypatch, reader, arguments, raw, expected
):
    assert read_with(monkeypatch, raw, reader, *arguments) == expected


def test_bounds_of_a_reader_are_inclusive(monkeypatch):
    assert read_with(monkeypatch, "1", env.read_seconds, 60, low=1) == 1
    assert read_with(monkeypatch, "60", env.read_minutes, 5, high=60) == 60


@pytest.mark.parametrize(
    ("reader", "arguments", "raw", "limits"),
    [
        (env.read_minutes, (5,), "ten", {}),
        (env.read_minutes, (5,), "1.5", {}),
        (env.read_minutes, (5,), "-1", {}),
        (env.read_minutes, (5,), "", {}),
        (env.read_minutes, (5,), "61", {"high": 60}),
        (env.read_seconds, (60,), "a minute", {}),
        (env.read_seconds, (60,), "-5", {}),
        (env.read_seconds, (60,), "0", {"low": 1}),
        (env.read_days, (14,), "0", {}),
        (env.read_days, (14,), "two weeks", {}),
        (env.read_count, (50,), "0", {}),
        (env.read_count, (50,), "-10", {}),
        (env.read_count, (50,), "lots", {}),
        (env.read_bool, (True,), "maybe", {}),
        (env.read_minutes_list, ((1440, 60),), "sixty", {}),
        (env.read_minutes_list, ((1440, 60),), "60,0", {}),
        (env.read_minutes_list, ((1440, 60),), "", {}),
        (env.read_choice, ("INFO", ("DEBUG", "INFO")), "info", {}),
        (env.read_choice, ("INFO", ("DEBUG", "INFO")), "LOUD", {}),
        (env.read_url, ("http://127.0.0.1:8000",), "sidebar.example.com", {}),
        (env.read_optional_url, (), "ftp://files.example.com", {}),
        (env.read_email, (), "pigeon://coop.example.com", {}),
        (env.read_email, (), "smtp://mail.example.com?timeout=5", {}),
        (env.read_header_name, ("X-Forwarded-Proto",), "X_Forwarded_Proto", {}),
        (env.read_header_name, ("X-Forwarded-Proto",), "X-Forwarded-Proto: https", {}),
        (env.read_domains, (), "someone@example.com", {}),
        (env.read_domains, (), "https://example.com", {}),
        (env.read_domains, (), "example", {}),
        (env.read_domains, (), "example.com example.org", {}),
    ],
)
def test_a_reader_refuses_nonsense_naming_the_variable(monkeypatch, reader, arguments, raw, limits):
    with pytest.raises(ImproperlyConfigured, match=VARIABLE):
        read_with(monkeypatch, raw, reader, *arguments, **limits)


PROXIES_AS_JSON = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps("
    "[s.NUM_PROXIES, s.REST_FRAMEWORK['NUM_PROXIES'], s.ALLAUTH_TRUSTED_PROXY_COUNT]))"
)


def proxy_counts(**env: str) -> subprocess.CompletedProcess:
    return fresh_interpreter(PROXIES_AS_JSON, **env)


def test_no_forwarded_for_is_trusted_by_default_and_num_proxies_sets_both_rate_limiters():
    default = proxy_counts()
    assert default.returncode == 0, default.stderr
    assert json.loads(default.stdout.strip().splitlines()[-1]) == [0, 0, 0]

    behind_one = proxy_counts(NUM_PROXIES="1")
    assert behind_one.returncode == 0, behind_one.stderr
    assert json.loads(behind_one.stdout.strip().splitlines()[-1]) == [1, 1, 1]

    nonsense = proxy_counts(NUM_PROXIES="-1")
    assert nonsense.returncode != 0
    assert "NUM_PROXIES" in nonsense.stderr


def test_a_short_scim_token_stops_the_start_naming_the_variable_but_not_the_value():
    weak = "short-scim-token"

    refused = load_settings(SCIM_TOKEN=weak)
    accepted = fresh_interpreter(
        "import django; django.setup(); from django.conf import settings; print(len(settings.SCIM_TOKEN))",
        SCIM_TOKEN=" " + "t" * 40 + " ",
    )

    assert refused.returncode != 0
    assert "SCIM_TOKEN" in refused.stderr.strip().splitlines()[-1]
    assert weak not in refused.stderr
    assert accepted.stdout.strip() == "40"
