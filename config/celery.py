"""The Celery app. Without REDIS_URL tasks run in-process (task_always_eager); with it, on real workers."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sidebar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping() -> str:
    """Answers 'pong': used by health checks and the integration tests to see a worker is alive."""
    return "pong"
