"""A Redis cache that an unreachable or frozen Redis cannot turn into server errors (issue 13, item 12).

The login pages and the token endpoint keep their rate limits in the cache. With Django's RedisCache a Redis
that is down raises from every cache call, so logging in answered 500; one that is frozen held each request
for as long as the socket waited. Here a connection error or a timeout makes the call a miss (get answers
the default, set stores nothing) and opens a short window in which this process does not try Redis at all, so
a frozen Redis costs one socket timeout per window, not one per call. `add` answers True: allauth takes its
rate-limit lock with it, and a lock that is never granted would refuse every login. So while Redis is away
the rate limits count nothing (they fail open) and logging in works; they count again when it is back.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")
SOCKET_TIMEOUT_SECONDS = 0.5
RETRY_AFTER_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

_down_until: dict[str, float] = {}  # per LOCATION, shared by the threads' cache instances
_down_lock = threading.Lock()


class ForgivingRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = server

    def _attempt(self, call: Callable[[], T], fallback: T) -> T:
        if time.monotonic() < _down_until.get(self._location, 0.0):
            return fallback
        try:
            return call()
        except UNREACHABLE as error:
            with _down_lock:
                _down_until[self._location] = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning(
                "cache unreachable (%s): answering misses for %ss", type(error).__name__, RETRY_AFTER_SECONDS
            )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        return self._attempt(lambda: super(ForgivingRedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: super(ForgivingRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._attempt(lambda: super(ForgivingRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._attempt(lambda: super(ForgivingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._attempt(lambda: super(ForgivingRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        answer = self._attempt(lambda: super(ForgivingRedisCache, self).incr(key, delta, version), missing)
        if answer is missing:
            raise ValueError(f"Key '{key}' not found")  # what a miss answers
        return answer

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(
            lambda: super(ForgivingRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        self._attempt(lambda: super(ForgivingRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        self._attempt(lambda: super(ForgivingRedisCache, self).clear(), None)
