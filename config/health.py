"""`GET /healthz` for load balancers and docker-compose: can this process reach its database and its broker?

200 `{"database": "ok", "broker": "ok" | "not configured"}`, or 503 with `"down"` for what cannot be reached.
A middleware answers it, placed first in MIDDLEWARE: a load balancer calls each instance by its own address
over plain HTTP, so neither ALLOWED_HOSTS nor the HTTPS redirect may stand in its way, and no login is
needed. The broker check gives up after BROKER_TIMEOUT_SECONDS, so a frozen Redis makes the answer a 503, not
a hang; the database check is as quick as the database connection's own timeouts (connect_timeout).
"""

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

PATH = "/healthz"
BROKER_TIMEOUT_SECONDS = 1.5


def database_status(alias: str = "default") -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health check: database %r is down", alias, exc_info=True)
        return "down"
    return "ok"


def broker_status() -> str:
    """Whether Redis answers a PING in time; "not configured" without REDIS_URL (tasks run in-process)."""
    url = settings.CELERY_BROKER_URL
    if not url or url.startswith("memory://"):
        return "not configured"
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except (redis.RedisError, OSError):
        logger.warning("health check: the broker is down", exc_info=True)
        return "down"
    finally:
        client.close()
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    statuses = {"database": database_status(), "broker": broker_status()}
    healthy = all(status != "down" for status in statuses.values())
    response = JsonResponse(statuses, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers GET and HEAD /healthz before any other middleware runs (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
