"""GET /healthz: 200 when the database and the broker answer, 503 naming what is down, quickly, for anyone.

The broker is real: Redis from REDIS_URL, a closed port, and a server that accepts connections but never
answers (what a frozen Redis looks like from outside). The database down is a gunicorn whose DATABASE_URL
names a closed port.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import yaml

from tests.deploy.conftest import ROOT, database_url, free_port, production_env


@pytest.fixture
def real_redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail(
            "REDIS_URL is not set: run the suite with `make test`, which starts Redis on a private port"
        )
    return url


@pytest.fixture
def frozen_server() -> Iterator[int]:
    """A port on which connections are accepted (by the kernel) and nothing is ever answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def compose_web_health_check(port: int) -> subprocess.CompletedProcess:
    """docker-compose.yml's health check of the web service, run here against `port` instead of 8000."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    kind, *command = compose["services"]["web"]["healthcheck"]["test"]
    assert kind == "CMD"
    assert command[0] == "python"  # the image has no curl
    assert any("/healthz" in part for part in command), command
    command = [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in command]
    return subprocess.run(
        [sys.executable, *command[1:]], capture_output=True, text=True, timeout=30, check=False
    )


@pytest.mark.django_db
def test_healthy_with_the_real_redis_broker(client, settings, real_redis_url):
    settings.CELERY_BROKER_URL = real_redis_url

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_without_a_broker_it_says_not_configured_and_is_healthy(client, settings):
    settings.CELERY_BROKER_URL = "memory://"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured"}


@pytest.mark.django_db
def test_a_broker_on_a_closed_port_is_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_a_frozen_broker_is_down_within_the_timeout(client, settings, frozen_server):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{frozen_server}/0"

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}
    assert elapsed < 3, f"the check waited {elapsed:.1f}s"


@pytest.mark.django_db
def test_it_needs_no_login_and_answers_any_host_name(client, settings):
    """A load balancer calls an instance by its address, which is not among ALLOWED_HOSTS."""
    settings.CELERY_BROKER_URL = "memory://"

    assert client.get("/accounts/login/", HTTP_HOST="10.1.2.3").status_code == 400
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured"}


def test_a_database_that_cannot_be_reached_is_down(start_gunicorn):
    closed = free_port()
    server = start_gunicorn(
        production_env(DATABASE_URL=f"postgres://sidebar@127.0.0.1:{closed}/sidebar"), ready_path="/healthz"
    )

    started = time.monotonic()
    response = server.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status == 503, server.log()
    assert response.json() == {"database": "down", "broker": "not configured"}
    assert elapsed < 3, f"the check waited {elapsed:.1f}s"
    assert compose_web_health_check(server.port).returncode != 0


@pytest.mark.django_db
def test_docker_compose_web_health_check_calls_healthz_and_passes_on_a_healthy_server(
    start_gunicorn, tmp_path, real_redis_url
):
    server = start_gunicorn(production_env(DATABASE_URL=database_url(tmp_path), REDIS_URL=real_redis_url))

    assert server.get("/healthz").json() == {"database": "ok", "broker": "ok"}
    result = compose_web_health_check(server.port)
    assert result.returncode == 0, result.stderr


def test_a_frozen_database_is_down_within_its_connect_timeout(start_gunicorn, frozen_server):
    server = start_gunicorn(
        production_env(DATABASE_URL=f"postgres://sidebar@127.0.0.1:{frozen_server}/sidebar")
    )

    started = time.monotonic()
    response = server.get("/healthz", timeout=30)
    elapsed = time.monotonic() - started

    assert response.status == 503, server.log()
    assert response.json() == {"database": "down", "broker": "not configured"}
    assert elapsed < 8, f"the check waited {elapsed:.1f}s (connect_timeout is 5 s)"
