"""What the home page shows a signed-in person now (docs/design.md, "Home"): their next session, the
feedback and follow-ups waiting for their answer, the state of their open requests, and for a mentor this
week's minutes against their weekly budget.

marketplace knows nothing of sessions or requests: sessions_app and matching register the providers below in
their AppConfig.ready(), as with marketplace.session_data. With none registered the page shows its empty
states. Each provider answers in one query, so the page costs the same whatever a person's history.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from django.db.models import Exists, OuterRef

from marketplace.models import AvailabilityBlock, MentorProfile, User
from marketplace.timezones import iso_week_bounds

# What a page shows of each list; a provider returns one more, so that the page knows there are more.
WAITING_SHOWN = 5
REQUESTS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class NextSession:
    """The person's next confirmed session (or the one under way)."""

    start: datetime
    end: datetime
    under_way: bool  # started, not ended
    with_name: str  # the other participant
    as_mentor: bool
    topic: str  # a group session's: its title
    meeting_url: str
    url: str  # the session's page
    # A group session (groups): `with_name` is its host, `as_mentor` whether the person hosts it.
    group: bool = False


@dataclass(frozen=True, slots=True)
class Waiting:
    """A question a session left for the person: feedback after it, the mentee's follow-up a week on, the
    feedback on a group session they had a seat in (`with_name`: its title); or a time held for them."""

    kind: Literal["feedback", "follow_up", "group_feedback", "held_offer"]
    with_name: str
    session_start: datetime
    url: str
    # A time a full mentor has come free for the person (waitlists): `with_name` the mentor, `url` its
    # booking step, held until then.
    held_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """A request for help still open: how many mentors its shortlist offers (none is booked yet)."""

    topic: str
    needed_by: datetime
    shortlisted: int
    url: str


@dataclass(frozen=True, slots=True)
class MentorWeek:
    """A mentor's minutes this ISO week (Monday 00:00 to Sunday 24:00 in the zone of their weekly blocks,
    the week their budget is counted in) against their weekly budget."""

    used_minutes: int
    cap_minutes: int
    week_start: date  # a Monday
    timezone: str  # the zone the week is counted in
    accepting: bool
    has_availability: bool

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def left_minutes(self) -> int:
        return max(self.cap_minutes - self.used_minutes, 0)


@dataclass(frozen=True)
class HomePage:
    next_session: NextSession | None
    waiting: list[Waiting] = field(default_factory=list)
    more_waiting: bool = False  # more than WAITING_SHOWN are waiting
    open_requests: list[OpenRequest] = field(default_factory=list)
    more_requests: bool = False
    mentor_week: MentorWeek | None = None  # None unless the person mentors

    @property
    def is_quiet(self) -> bool:
        """Nothing booked, nothing asked, nothing waiting: the page tells a newcomer where to start."""
        return self.next_session is None and not self.open_requests and not self.waiting


# (person id, now) -> the answer; the "minutes given" provider takes (mentor id, start, end).
NextSessionProvider = Callable[[int, datetime], NextSession | None]
WaitingProvider = Callable[[int, datetime, int], list[Waiting]]  # the last argument: at most this many
OpenRequestsProvider = Callable[[int, datetime, int], list[OpenRequest]]
MinutesGivenProvider = Callable[[int, datetime, datetime], int]

_next_session_providers: list[NextSessionProvider] = []
_waiting_providers: list[WaitingProvider] = []
_open_requests_providers: list[OpenRequestsProvider] = []
_minutes_given_providers: list[MinutesGivenProvider] = []


def register_next_session_provider(provider: NextSessionProvider) -> None:
    if provider not in _next_session_providers:
        _next_session_providers.append(provider)


def register_waiting_provider(provider: WaitingProvider) -> None:
    if provider not in _waiting_providers:
        _waiting_providers.append(provider)


def register_open_requests_provider(provider: OpenRequestsProvider) -> None:
    if provider not in _open_requests_providers:
        _open_requests_providers.append(provider)


def register_minutes_given_provider(provider: MinutesGivenProvider) -> None:
    """Minutes the mentor gives in sessions starting in [start, end), held or still to come."""
    if provider not in _minutes_given_providers:
        _minutes_given_providers.append(provider)


def home_page(user: User, *, now: datetime) -> HomePage:
    """Everything the signed-in home page shows `user` at `now`: one query per provider, plus one for a
    mentor's settings."""
    upcoming = [
        found for provider in _next_session_providers if (found := provider(user.pk, now)) is not None
    ]
    waiting = sorted(
        (item for provider in _waiting_providers for item in provider(user.pk, now, WAITING_SHOWN + 1)),
        key=lambda item: item.session_start,
        reverse=True,
    )
    requests = sorted(
        (
            item
            for provider in _open_requests_providers
            for item in provider(user.pk, now, REQUESTS_SHOWN + 1)
        ),
        key=lambda item: item.needed_by,
    )
    return HomePage(
        next_session=min(upcoming, key=lambda session: session.start, default=None),
        waiting=waiting[:WAITING_SHOWN],
        more_waiting=len(waiting) > WAITING_SHOWN,
        open_requests=requests[:REQUESTS_SHOWN],
        more_requests=len(requests) > REQUESTS_SHOWN,
        mentor_week=mentor_week(user, now=now) if user.is_mentor else None,
    )


def mentor_week(user: User, *, now: datetime) -> MentorWeek:
    """The mentor's minutes in the ISO week of `now` in their availability zone, against their budget.

    A mentor who has never saved their settings has the defaults (and no weekly blocks).
    """
    found = (
        MentorProfile.objects.filter(user_id=user.pk)
        .annotate(has_blocks=Exists(AvailabilityBlock.objects.filter(mentor_id=OuterRef("user_id"))))
        .first()
    )
    has_blocks = bool(found.has_blocks) if found is not None else False
    profile = (
        found if found is not None else MentorProfile(user_id=user.pk, availability_timezone=user.timezone)
    )
    monday, start, end = iso_week_bounds(now, profile.availability_timezone)
    used = sum(provider(user.pk, start, end) for provider in _minutes_given_providers)
    return MentorWeek(
        used_minutes=used,
        cap_minutes=profile.weekly_minutes_cap,
        week_start=monday,
        timezone=profile.availability_timezone,
        accepting=profile.accepting,
        has_availability=has_blocks,
    )
