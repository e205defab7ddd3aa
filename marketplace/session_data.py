"""What marketplace needs to know about sessions, without knowing about bookings.

docs/design.md: marketplace knows nothing of bookings except through the slot engine's input (a list of busy
intervals). sessions_app registers its providers in its AppConfig.ready(); with none registered, nobody is
busy.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Commitment:
    """Time a person is taken: a session they take part in, busy time from their own calendar, or a slot of
    theirs held for someone on their waiting list."""

    # Identifies the session, so that a reschedule can leave the session itself out; None for busy time
    # that is not a session (a person's own calendar), which never counts against the weekly cap.
    key: int | None
    start: datetime
    end: datetime
    as_mentor: bool  # sessions given as mentor count against the weekly cap
    # A slot held for one person (a waiting list's offer): busy time for everyone but them, who sees and
    # books it as free.
    held_for: int | None = None


@dataclass(frozen=True, slots=True)
class Rating:
    average: float
    count: int


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """A mentor's recent record, for ranking: sessions held, and how often sessions fell through."""

    held_recently: int  # completed sessions given as mentor since `since`
    held_total: int
    no_shows: int  # sessions given as mentor marked no_show (all time)
    cancelled_by_mentor: int  # sessions the mentor cancelled (all time)


BusyProvider = Callable[[Collection[int], datetime, datetime], Mapping[int, list[Commitment]]]
RatingProvider = Callable[[Collection[int]], Mapping[int, Rating]]

TrackRecordProvider = Callable[[Collection[int], datetime], Mapping[int, TrackRecord]]

_busy_providers: list[BusyProvider] = []
_track_record_providers: list[TrackRecordProvider] = []
_rating_providers: list[RatingProvider] = []


def register_busy_provider(provider: BusyProvider) -> None:
    if provider not in _busy_providers:
        _busy_providers.append(provider)


def register_rating_provider(provider: RatingProvider) -> None:
    if provider not in _rating_providers:
        _rating_providers.append(provider)


def register_track_record_provider(provider: TrackRecordProvider) -> None:
    if provider not in _track_record_providers:
        _track_record_providers.append(provider)


def commitments(user_ids: Collection[int], start: datetime, end: datetime) -> dict[int, list[Commitment]]:
    """Each person's busy time overlapping [start, end) (sessions, their own calendars), in one query per
    provider."""
    found: dict[int, list[Commitment]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    for provider in _busy_providers:
        for user_id, items in provider(user_ids, start, end).items():
            found.setdefault(user_id, []).extend(items)
    return found


def ratings(mentor_ids: Collection[int]) -> dict[int, Rating]:
    found: dict[int, Rating] = {}
    if not mentor_ids:
        return found
    for provider in _rating_providers:
        found.update(provider(mentor_ids))
    return found


def track_records(mentor_ids: Collection[int], since: datetime) -> dict[int, TrackRecord]:
    """Each mentor's record (missing mentors have none yet), one query per provider."""
    found: dict[int, TrackRecord] = {}
    if not mentor_ids:
        return found
    for provider in _track_record_providers:
        found.update(provider(mentor_ids, since))
    return found
