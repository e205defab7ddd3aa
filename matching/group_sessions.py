"""Group sessions a request can be pointed to when no mentor has a 1:1 slot in time: a hook, because the
groups app depends on matching's neighbours (sessions_app), so matching cannot import it.

groups registers a finder in its AppConfig.ready(). Without one, nobody is pointed to a group session.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class GroupSessionSuggestion:
    id: int
    title: str
    host_id: int
    host_name: str
    start: datetime  # UTC
    end: datetime  # UTC
    seats_left: int
    waitlist_length: int
    my_status: str | None  # seated, waitlisted or None


# (skill ids, asker id, ends by, now, at most) → the suggestions, soonest first.
GroupSessionFinder = Callable[[Collection[int], int, datetime, datetime, int], list[GroupSessionSuggestion]]

_finders: list[GroupSessionFinder] = []


def register_group_session_finder(finder: GroupSessionFinder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def group_sessions_before(
    *, skill_ids: Collection[int], asker_id: int, ends_by: datetime, now: datetime, limit: int = 3
) -> list[GroupSessionSuggestion]:
    found: list[GroupSessionSuggestion] = []
    for finder in _finders:
        found.extend(finder(skill_ids, asker_id, ends_by, now, limit))
    return sorted(found, key=lambda suggestion: (suggestion.start, suggestion.id))[:limit]
