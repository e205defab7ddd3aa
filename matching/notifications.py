"""Telling an asker that someone can now help: a hook, because the outbox lives in sessions_app.

Dependencies point `sessions_app → matching`, so matching cannot write outbox rows itself. sessions_app
registers a notifier in its AppConfig.ready(); matching calls every registered notifier inside the
transaction that records the new shortlist, so a notifier should only write (an outbox row), never send.
With none registered, nobody is told (the shortlist is still on the request page).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class MatchFound:
    """An open request that had nobody on its shortlist now has someone."""

    request_id: int
    asker_id: int
    topic: str
    needed_by: datetime
    match_count: int
    first_mentor_id: int
    first_slot_start: datetime  # UTC


MatchNotifier = Callable[[MatchFound], None]

_match_notifiers: list[MatchNotifier] = []


def register_match_notifier(notifier: MatchNotifier) -> None:
    if notifier not in _match_notifiers:
        _match_notifiers.append(notifier)


def unregister_match_notifier(notifier: MatchNotifier) -> None:
    if notifier in _match_notifiers:
        _match_notifiers.remove(notifier)


def notify_match_found(event: MatchFound) -> None:
    for notifier in _match_notifiers:
        notifier(event)
