"""The Celery app. Without REDIS_URL tasks run in-process (task_always_eager); with it, on real workers."""

import os

from celery import Celery
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sidebar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


_connparams = kombu_redis.Channel._connparams  # type: ignore[attr-defined]  # private, left out of the stubs


def _connparams_of_a_live_connection(self, asynchronous=False):
    """kombu's Redis Channel._connparams, raising a connection error for a channel whose connection is gone.

    A worker that loses Redis while it holds a task (acks_late) drops its connection; kombu then still uses
    that connection's channel, to restore the unacknowledged messages as it closes it and to acknowledge the
    task when it ends after the reconnect, and so reads the parameters of a connection it already dropped:
    AttributeError, which celery reports as "Unrecoverable error" and the worker exits for good (issue 13,
    item 13; the same path as celery/kombu#970). As a connection error it is what it is: celery logs it and
    carries on, and the message, still in Redis's unacked set, is returned to the queue by the transport after
    visibility_timeout (the outbox's claims keep a second run from sending twice).
    """
    if self.connection.client is None:
        raise RedisConnectionError("this channel's broker connection was closed")
    return _connparams(self, asynchronous=asynchronous)


kombu_redis.Channel._connparams = _connparams_of_a_live_connection  # type: ignore[attr-defined]


@app.task(name="config.ping")
def ping() -> str:
    """Answers 'pong': used by health checks and the integration tests to see a worker is alive."""
    return "pong"
