"""Queuing a Celery task from a web request, without letting the broker hold the request up (issue 13,
item 11).

What a request queues after its commit is a nudge: the rows it wrote (the outbox) are the truth, and beat's
periodic sweep delivers them anyway. So publishing here is bounded and forgiving: its own connection with
short socket timeouts and no publish retries (Celery's pooled connection has none of these: a frozen Redis
held each booking for 45 s, then every thread), a failure is logged and swallowed, and after one this process
does not try the broker for RETRY_AFTER_SECONDS, so a frozen Redis costs one timeout per window, not one per
request (as config/redis_cache.py does for the cache).

Workers keep Celery's own connections and settings: a socket timeout shorter than the Redis transport's
blocking poll would make a consuming worker fail.
"""

import logging
import threading
import time

from celery import current_app

logger = logging.getLogger(__name__)

SOCKET_TIMEOUT_SECONDS = 1.0
RETRY_AFTER_SECONDS = 5.0

_down_until = 0.0
_down_lock = threading.Lock()


def publish_quietly(task_name: str, *, args: tuple = ()) -> bool:
    """Queues the task `task_name` with `args`: True if it was queued, False (logged) if the broker was
    away.

    With task_always_eager (no REDIS_URL) the task runs here and now, as Celery would run it.
    """
    global _down_until
    app = current_app
    if app.conf.task_always_eager:
        app.signature(task_name, args=args).delay()
        return True
    if time.monotonic() < _down_until:
        logger.info("broker unreachable a moment ago: %s not queued (beat's sweep catches up)", task_name)
        return False
    try:
        with app.connection_for_write(
            connect_timeout=SOCKET_TIMEOUT_SECONDS,
            transport_options={
                "socket_timeout": SOCKET_TIMEOUT_SECONDS,
                "socket_connect_timeout": SOCKET_TIMEOUT_SECONDS,
                "max_retries": 0,
            },
        ) as connection:
            app.send_task(task_name, args=args, connection=connection, retry=False, ignore_result=True)
    except Exception as error:  # whatever the broker's trouble, the request has committed and must answer
        with _down_lock:
            _down_until = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning(
            "broker unreachable (%r): %s not queued, not trying again for %ss (beat's sweep catches up)",
            error,
            task_name,
            RETRY_AFTER_SECONDS,
        )
        return False
    return True
