"""Settings come from the environment and fail loudly, naming the variable (in a fresh interpreter)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
            "settings.REMINDER_LEADS_MINUTES, settings.CACHES['default']['BACKEND'])",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
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
    result = load_settings(DEBUG="false", SECRET_KEY="s" * 50, ALLOWED_HOSTS="sidebar.example.com")
    assert result.returncode == 0, result.stderr


def test_malformed_variables_fail_naming_the_variable():
    for name, value in (
        ("DEBUG", "maybe"),
        ("REMINDER_LEADS_MINUTES", "sixty"),
        ("REMINDER_LEADS_MINUTES", "60,-5"),
        ("FEEDBACK_PROMPT_DELAY_MINUTES", "-1"),
        ("SITE_URL", "sidebar.example.com"),
        ("SLACK_WEBHOOK_URL", "ftp://x"),
    ):
        result = load_settings(**{name: value})
        assert result.returncode != 0, name
        assert name in result.stderr, (name, result.stderr[-500:])


def test_reminder_leads_are_read_as_minutes():
    result = load_settings(REMINDER_LEADS_MINUTES="2880, 30")
    assert result.returncode == 0, result.stderr
    assert "(2880, 30)" in result.stdout
