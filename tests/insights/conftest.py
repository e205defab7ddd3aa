"""Fixtures of the insights tests: a small organisation whose every figure is worked out by hand.

Time is frozen on Wednesday 19 March 2025, 12:00 UTC. The range is the two weeks starting Monday 3 March (W1)
and Monday 10 March (W2). Everyone's zone is Europe/London (region EMEA), everyone joined in 2024.

    Engineering (6): e1 e2 e3 e4, mentors m1 m2
    Sales (5):       s1 s2 s3 s4, mentor m3
    Legal (4):       l1 l2 l3 l4            <- fewer than 5: never broken down

    sessions (mentee ← mentor)          week  status     minutes  mentee's feedback
    b1  e1 ← m1 (Eng ← Eng)             W1    completed  30       5, helped       (+ mentor's own: 1)
    b2  s1 ← m1 (Sales ← Eng, cross)    W1    completed  20       3, did not help
    b3  e2 ← m3 (Eng ← Sales, cross)    W2    completed  30       4, helped
    b4  e3 ← m1                         W2    no_show    30
    b5  l1 ← m2                         W2    cancelled  30
    b6  s2 ← m3 (Sales ← Sales)         W2    completed  30       none
    b0  e4 ← m1                         W0    completed  30       (the week before the range: not counted)

    one-week follow-ups (the mentee's): b1 yes (with a note), b2 no, b3 partly, b6 none;
    b0 yes (before the range); b4 yes (stored on a no-show: only held sessions count)

    moments   author  happened        moments   author  happened
              e1      W1 Tue (tip)              l3      W2 Fri (Legal, never broken down)
              e1      W1 Thu                    m1      W0 Fri (before the range)
              s1      W2 Mon                    e2      W3 Mon (after the range)

    requests  asker  made            skills    status  session start   deadline          wait
    r1        e1     W1 Mon 08:00    speaking  booked  W1 Mon 10:00    W1 Mon 18:00      2 h, served
    r2        s1     W1 Mon 12:00    speaking  booked  W1 Tue 10:00    W1 Tue 10:15      22 h, ends too late
    r3        e2     W2 Mon 09:00    writing   booked  W2 Mon 19:00    W2 Wed 12:00      10 h, served
    r4        l2     W2 Tue 09:00    speaking  open    -               W2 Fri 17:00      past deadline
    r5        e4     W2 Wed 09:00    writing   open    -               25 Mar (future)   undecided

    group sessions  host  week        seats  seated (at the start)         waiting, gone
    g1              m1    W1 Thu 15h  4      e1 e2 s2, s1 from the list    l1 still waiting; e3 gave up a seat
    g2              m3    W2 Tue 15h  3      e4 s3                         l2 left the list
    g3              m1    W2 Fri 15h  5      e1 (cancelled: not counted)
    g4              m2    W3 Thu 15h  5      s4 (after NOW: not held yet)
    → W1: 1 held, 4 of 4 seats, 4 attendees, 1 of 2 waiting places seated (s1; l1 not)
      W2: 1 held, 2 of 3 seats, 2 attendees, 0 of 1 waiting place seated (l2)

    mentors  weekly blocks                cap   offers    weekly capacity = min(cap, blocks)
    m1       Mon 09:00–12:00 (180 min)    600   speaking  180
    m2       Tue 09:00–10:00 (60 min)     30    -         30
    m3       Wed 09–11 + Thu 14–15 (180)  120   writing   120
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from groups.models import GroupSession
from insights import rollups
from insights.models import RollupState
from insights.tasks import STALE_AFTER
from marketplace.models import AvailabilityBlock, JobLevel
from sessions_app.models import Booking, Feedback, FollowUp, Moment
from tests.factories import (
    BookingFactory,
    DepartmentFactory,
    FeedbackFactory,
    FollowUpFactory,
    GroupSessionFactory,
    MentorFactory,
    MentorRequestFactory,
    MomentFactory,
    SeatFactory,
    SkillFactory,
    UserFactory,
    UserSkillFactory,
)

NOW = datetime(2025, 3, 19, 12, 0, tzinfo=UTC)
W0, W1, W2, W3 = date(2025, 2, 24), date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17)
JOINED = datetime(2024, 1, 1, tzinfo=UTC)


STALE = NOW - STALE_AFTER - timedelta(minutes=1)


def make_tables_stale() -> None:
    """Summary tables older than STALE_AFTER: the next view of the figures refreshes them."""
    RollupState.objects.update(refreshed_at=STALE)


def tables_refreshed_at() -> list[datetime]:
    return list(RollupState.objects.values_list("refreshed_at", flat=True))


def at(week: date, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in a week: day 0 is Monday."""
    return datetime.combine(week + timedelta(days=day), time(hour, minute), tzinfo=UTC)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@dataclass
class Org:
    eng: object
    sales: object
    legal: object
    people: dict
    bookings: dict
    requests: dict
    speaking: object
    writing: object

    def __getattr__(self, name):
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def person(name: str, department, *, mentor: bool = False, level: str = JobLevel.PROFESSIONAL):
    factory = MentorFactory if mentor else UserFactory
    return factory(
        email=f"{name}@example.com",
        display_name=name.upper(),
        department=department,
        job_level=level,
        timezone="Europe/London",
        date_joined=JOINED,
    )


def session(mentee, mentor, start, *, status="completed", minutes=30):
    return BookingFactory(mentee=mentee, mentor=mentor, start=start, duration=minutes, status=status)


def group_session(host, start, *, capacity, seated=(), from_waitlist=(), waiting=(), left=(), **extra):
    """A group session whose seats are stored as the services leave them: `seated` joined with a seat,
    `from_waitlist` seated after waiting, `waiting` still on the list, `left` (person, had a seat) gone."""
    session = GroupSessionFactory(host=host, start=start, duration=60, capacity=capacity, **extra)
    joined = start - timedelta(days=2)
    for number, person in enumerate([*seated, *from_waitlist], start=1):
        SeatFactory(
            session=session,
            person=person,
            seat_number=number,
            joined_at=joined,
            seated_at=joined + timedelta(hours=5 if person in from_waitlist else 0),
            from_waitlist=person in from_waitlist,
        )
    for position, person in enumerate(waiting, start=1):
        SeatFactory(
            session=session,
            person=person,
            status="waitlisted",
            seat_number=None,
            session_capacity=None,
            position=position,
            joined_at=joined,
        )
    for person, had_a_seat in left:
        SeatFactory(
            session=session,
            person=person,
            status="left",
            seat_number=None,
            session_capacity=None,
            joined_at=joined,
            seated_at=joined if had_a_seat else None,
            left_at=joined + timedelta(hours=5),
        )
    GroupSession.objects.filter(pk=session.pk).update(
        seats_taken=len(seated) + len(from_waitlist), waitlist_length=len(waiting)
    )
    return session


@pytest.fixture
def org(db, frozen_now, monkeypatch) -> Org:
    # Its rates come from 1 to 4 people, so that each can be worked out by hand: the tests of this
    # organisation check the arithmetic with the 5-people rule of rates off (it is tested in test_privacy.py).
    monkeypatch.setattr("insights.selectors.privacy.MIN_PEOPLE_BEHIND_A_RATE", 1)
    eng, sales, legal = (DepartmentFactory(name=name) for name in ("Engineering", "Sales", "Legal"))
    people = {}
    for name in ("e1", "e2", "e3", "e4"):
        people[name] = person(name, eng)
    for name in ("m1", "m2"):
        people[name] = person(name, eng, mentor=True)
    for name in ("s1", "s2", "s3", "s4"):
        people[name] = person(name, sales)
    people["m3"] = person("m3", sales, mentor=True)
    for name, level in (("l1", JobLevel.PROFESSIONAL), ("l2", JobLevel.PROFESSIONAL)):
        people[name] = person(name, legal, level=level)
    for name in ("l3", "l4"):
        people[name] = person(name, legal, level=JobLevel.SENIOR)
    p = people

    for mentor, cap, blocks in (
        (p["m1"], 600, [(0, time(9), time(12))]),
        (p["m2"], 30, [(1, time(9), time(10))]),
        (p["m3"], 120, [(2, time(9), time(11)), (3, time(14), time(15))]),
    ):
        mentor.mentor_profile.weekly_minutes_cap = cap
        mentor.mentor_profile.save()
        AvailabilityBlock.objects.bulk_create(
            AvailabilityBlock(mentor=mentor, weekday=weekday, start=start, end=end)
            for weekday, start, end in blocks
        )
    speaking = SkillFactory(name="Public speaking", slug="public-speaking")
    writing = SkillFactory(name="Technical writing", slug="technical-writing")
    UserSkillFactory(user=p["m1"], skill=speaking)
    UserSkillFactory(user=p["m3"], skill=writing)

    b = {
        "b1": session(p["e1"], p["m1"], at(W1, 0, 10)),
        "b2": session(p["s1"], p["m1"], at(W1, 1, 10), minutes=20),
        "b3": session(p["e2"], p["m3"], at(W2, 0, 19)),
        "b4": session(p["e3"], p["m1"], at(W2, 1, 11), status=Booking.Status.NO_SHOW),
        "b5": session(p["l1"], p["m2"], at(W2, 1, 9), status=Booking.Status.CANCELLED),
        "b6": session(p["s2"], p["m3"], at(W2, 2, 9)),
        "b0": session(p["e4"], p["m1"], at(W0, 0, 10)),
    }
    FeedbackFactory(booking=b["b1"], author=p["e1"], rating=5, helpful=True, comment="Clear and kind.")
    FeedbackFactory(booking=b["b1"], author=p["m1"], role=Feedback.Role.MENTOR, rating=1, helpful=False)
    FeedbackFactory(booking=b["b2"], author=p["s1"], rating=3, helpful=False, comment="Too rushed.")
    FeedbackFactory(booking=b["b3"], author=p["e2"], rating=4, helpful=True)
    FeedbackFactory(booking=b["b0"], author=p["e4"], rating=1, helpful=False)
    for booking, outcome, note in (
        ("b1", FollowUp.Outcome.YES, "Gave the talk; the opening landed."),
        ("b2", FollowUp.Outcome.NO, ""),
        ("b3", FollowUp.Outcome.PARTLY, ""),
        ("b0", FollowUp.Outcome.YES, ""),
        ("b4", FollowUp.Outcome.YES, ""),
    ):
        FollowUpFactory(booking=b[booking], outcome=outcome, note=note)
    for author, day in (
        ("e1", W1 + timedelta(days=1)),
        ("e1", W1 + timedelta(days=3)),
        ("s1", W2),
        ("l3", W2 + timedelta(days=4)),
        ("m1", W0 + timedelta(days=4)),
        ("e2", W3),
    ):
        MomentFactory(author=p[author], kind=Moment.Kind.TIP, happened_on=day)

    def booked(asker, made, start, deadline, skill, minutes=30):
        return MentorRequestFactory(
            asker=asker,
            created_at=made,
            needed_by=deadline,
            duration=minutes,
            status="booked",
            booked_at=made + timedelta(minutes=5),
            booked_session_start=start,
            skills=[skill],
        )

    r = {
        "r1": booked(p["e1"], at(W1, 0, 8), at(W1, 0, 10), at(W1, 0, 18), speaking),
        "r2": booked(p["s1"], at(W1, 0, 12), at(W1, 1, 10), at(W1, 1, 10, 15), speaking, minutes=20),
        "r3": booked(p["e2"], at(W2, 0, 9), at(W2, 0, 19), at(W2, 2, 12), writing),
        "r4": MentorRequestFactory(
            asker=p["l2"], created_at=at(W2, 1, 9), needed_by=at(W2, 4, 17), skills=[speaking]
        ),
        "r5": MentorRequestFactory(
            asker=p["e4"], created_at=at(W2, 2, 9), needed_by=NOW + timedelta(days=6), skills=[writing]
        ),
    }
    group_session(
        p["m1"],
        at(W1, 3, 15),
        capacity=4,
        seated=[p["e1"], p["e2"], p["s2"]],
        from_waitlist=[p["s1"]],
        waiting=[p["l1"]],
        left=[(p["e3"], True)],
    )
    group_session(p["m3"], at(W2, 1, 15), capacity=3, seated=[p["e4"], p["s3"]], left=[(p["l2"], False)])
    group_session(p["m1"], at(W2, 4, 15), capacity=5, seated=[p["e1"]], status="cancelled")
    group_session(p["m2"], at(W3, 3, 15), capacity=5, seated=[p["s4"]])
    rollups.refresh(now=NOW, full=True)
    return Org(eng, sales, legal, people, b, r, speaking, writing)
