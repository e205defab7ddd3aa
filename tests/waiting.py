"""Waiting for something to happen: poll a condition up to a deadline instead of sleeping a fixed time.

A fixed sleep is too long on a quiet machine and too short on a busy one; `wait_until` returns as soon as the
condition holds and fails naming what it waited for when it never does.
"""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T | None],
    *,
    message: str | Callable[[], str],
    timeout: float = 10,
    interval: float = 0.05,
) -> T:
    """Calls `condition` until it returns something truthy, and returns that (so never None).

    After `timeout` seconds (the condition is tried once more at the deadline) raises AssertionError with
    `message`: what was awaited, or a function that describes the state at that moment (e.g. a log's tail).
    An exception from `condition` (e.g. "the worker exited") ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            described = message() if callable(message) else message
            raise AssertionError(f"gave up after {timeout:g}s waiting for {described}")
        time.sleep(interval)
