""" "This mentor's bookable time may have changed": the hook every place that can free (or take) a mentor's
time calls, and apps above marketplace listen to without marketplace importing them.

A change calls `mentor_time_may_have_changed(mentor_id)` inside its transaction; the listeners hear it once
the transaction has committed (never for a change rolled back), each on its own: one failing does not keep
the others from hearing. Listeners only queue work (a Celery task by name, tolerant of a broker that is
away: config/publishing.py), so a web request is never held up; beat's periodic jobs catch up whatever a
lost nudge missed. Registered in AppConfig.ready(): waitlists (offer the freed time to the first person
waiting), matching (re-match the open requests the mentor could help with).
"""

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

TimeChangeListener = Callable[[int], None]

_listeners: list[TimeChangeListener] = []


def register_time_change_listener(listener: TimeChangeListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def mentor_time_may_have_changed(mentor_id: int) -> None:
    """Tells the listeners about `mentor_id` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(_announce, mentor_id), robust=True)


def _announce(mentor_id: int) -> None:
    for listener in _listeners:
        try:
            listener(mentor_id)
        except Exception:  # a nudge: the change has committed, and beat's safety net catches up
            logger.exception("Telling %r that mentor %s's time changed failed", listener, mentor_id)
