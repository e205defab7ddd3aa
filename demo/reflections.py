"""What people make of the help they get: feedback on completed sessions, the one-week follow-up ("did it
unblock you?") and the informal moments people log. demo.sessions writes feedback and follow-ups as it
generates each session; seed_moments runs on its own.
"""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from django.db import connection
from django.utils import timezone

from demo.bulk import EPOCH_ORDINAL, BulkWriter, Progress, timestamp_formatter
from marketplace.models import User
from marketplace.timezones import get_zone
from sessions_app.models import Moment

COMMENTS = (
    "Exactly what I needed.",
    "Very practical, thank you!",
    "Good questions that made me rethink the plan.",
    "Helpful, though we ran out of time.",
    "",
    "",
)
NEXT_STEPS = (
    "Rehearse the opening twice",
    "Send the proposal draft on Friday",
    "Book a follow-up in two weeks",
    "Try the framework on the next review",
    "Ask my manager for a stretch project",
    "",
)
RATINGS = (1, 2, 3, 4, 5)
RATING_WEIGHTS = (2, 3, 10, 35, 50)
MENTEE_FEEDBACK_SHARE = 0.6
MENTEE_HELPFUL_SHARE = 0.86

# The one-week follow-up ("did it unblock you?"): asked a week after the end, answered for some sessions.
FOLLOW_UP_AFTER_SECONDS = 7 * 86_400
FOLLOW_UP_SHARE = 0.6
DEMO_MENTEE_FOLLOW_UP_SHARE = 0.9  # so the demo logins' pages show outcomes
FOLLOW_UP_LATEST_SECONDS = 4 * 86_400  # answered within a few days of being asked
OUTCOMES = ("yes", "partly", "no")
OUTCOME_WEIGHTS = (55, 30, 15)
# A mentee who said the session did not help rarely says a week later that it unblocked them.
OUTCOME_WEIGHTS_NOT_HELPED = (15, 35, 50)
FOLLOW_UP_NOTE_SHARE = 0.4
FOLLOW_UP_NOTES = {
    "yes": (
        "Presented on Thursday and it went well",
        "Sent the proposal, it was approved",
        "Used the framework in my review, it worked",
        "Had the conversation, we agreed a plan",
    ),
    "partly": (
        "Better, but I still need a second opinion",
        "Fixed half of it; the rest waits on another team",
        "Clearer plan, not started yet",
    ),
    "no": (
        "The deadline moved and it no longer mattered",
        "Still stuck; I will ask someone in my team",
        "Turned out to be a different problem",
    ),
}

# Informal moments: some people log a few a week; the demo mentee keeps a streak up to this week.
MOMENT_LOGGER_SHARE = 0.15
MOMENTS_PER_WEEK = (0, 1, 2, 3)
MOMENTS_PER_WEEK_WEIGHTS = (45, 33, 15, 7)
DEMO_MENTEE_STREAK_WEEKS = 4
DEMO_MENTEE_MOMENTS_PER_WEEK = 3  # sessions_app.selectors.MOMENTS_WEEKLY_GOAL
MOMENT_WITH_COLLEAGUE_SHARE = 0.7  # someone in the same department
MOMENT_WITH_ANYONE_SHARE = 0.15  # someone elsewhere; the rest are people not on Sidebar (a name)
MOMENT_KINDS = ("tip", "encouragement", "introduction", "advice", "other")
MOMENT_KIND_WEIGHTS = (30, 25, 15, 25, 5)
MOMENT_NOTES = {
    "tip": (
        "Showed me a shortcut for slicing the dashboard",
        "Shared the checklist she uses before a release",
        "Pointed me to the right template for the proposal",
        "Quick tip on structuring the first slide",
    ),
    "encouragement": (
        "Told me to go for the stretch project",
        "Cheered me on before the board meeting",
        "Reminded me how far the team has come",
    ),
    "introduction": (
        "Introduced me to the pricing team",
        "Connected me with someone who ran the same migration",
        "Put me in touch with a mentor in Data",
    ),
    "advice": (
        "Talked through how to push back on scope",
        "Advice on preparing for the salary conversation",
        "Helped me think through the reorg news",
        "Walked me through how they plan a quarter",
    ),
    "other": ("Coffee chat about careers in product", "Paired on a tricky query over lunch"),
}
OUTSIDE_NAMES = (
    "Sam (new joiner)",
    "Alex from the agency",
    "Priya, a contractor",
    "Jordan (starts next month)",
)

FOLLOW_UP_COLUMNS = ("booking_id", "outcome", "note", "created_at")
MOMENT_COLUMNS = ("author_id", "kind", "with_person_id", "with_name", "note", "happened_on", "created_at")
FEEDBACK_COLUMNS = (
    "booking_id",
    "author_id",
    "role",
    "rating",
    "helpful",
    "comment",
    "next_step",
    "created_at",
)


def add_feedback(
    rng, writer: BulkWriter, stamp, booking_id: int, mentor_id: int, mentee_id: int, end_ts: int
) -> bool | None:
    """Feedback from either side, or none; returns whether the mentee said it helped (None: no answer)."""
    helped = None
    if rng.random() < MENTEE_FEEDBACK_SHARE:
        helped = rng.random() < MENTEE_HELPFUL_SHARE
        writer.add(
            (
                booking_id,
                mentee_id,
                "mentee",
                rng.choices(RATINGS, RATING_WEIGHTS)[0],
                helped,
                rng.choice(COMMENTS),
                rng.choice(NEXT_STEPS),
                stamp(end_ts + 60 * rng.randrange(5, 600)),
            )
        )
    if rng.random() < 0.3:
        writer.add(
            (
                booking_id,
                mentor_id,
                "mentor",
                rng.choices(RATINGS, RATING_WEIGHTS)[0],
                rng.random() < 0.9,
                rng.choice(COMMENTS),
                "",
                stamp(end_ts + 60 * rng.randrange(5, 600)),
            )
        )
    return helped


def add_follow_up(
    rng, writer: BulkWriter, stamp, booking_id: int, end_ts: int, now_ts: int, helped: bool | None
) -> None:
    """The mentee's answer to "did it unblock you?", a week or a few days more after the end."""
    weights = OUTCOME_WEIGHTS_NOT_HELPED if helped is False else OUTCOME_WEIGHTS
    outcome = rng.choices(OUTCOMES, weights)[0]
    note = rng.choice(FOLLOW_UP_NOTES[outcome]) if rng.random() < FOLLOW_UP_NOTE_SHARE else ""
    asked_ts = end_ts + FOLLOW_UP_AFTER_SECONDS
    answered_ts = min(asked_ts + rng.randrange(600, FOLLOW_UP_LATEST_SECONDS), now_ts)
    writer.add((booking_id, outcome, note, stamp(answered_ts)))


def seed_moments(
    *,
    rng: random.Random,
    demo_mentee_id: int | None,
    weeks_of_history: int,
    progress: Progress,
    now: datetime | None = None,
) -> int:
    """Informal moments over the history: a share of everyone logs a few a week; returns how many.

    The demo mentee logs DEMO_MENTEE_MOMENTS_PER_WEEK moments in each of the last weeks, this one included,
    so their moments page shows a streak. Moments happen up to yesterday (UTC) for everyone else, which is
    never in anyone's future whatever their zone.
    """
    now = now or timezone.now()
    now_ts = int(now.timestamp())
    people = list(
        User.objects.filter(is_active=True).order_by("pk").values_list("pk", "department_id", "timezone")
    )
    if not people:
        return 0
    colleagues: dict[int | None, list[int]] = defaultdict(list)
    for person_id, department_id, _zone in people:
        colleagues[department_id].append(person_id)
    everyone = [person_id for person_id, _department, _zone in people]
    stamp = timestamp_formatter(connection.vendor == "postgresql")
    writer = BulkWriter(Moment._meta.db_table, MOMENT_COLUMNS, progress, "moments")
    kinds_cum = list(accumulate(MOMENT_KIND_WEIGHTS))
    per_week_cum = list(accumulate(MOMENTS_PER_WEEK_WEIGHTS))
    choices, randrange, random_float = rng.choices, rng.randrange, rng.random

    def add(author_id: int, department_id: int | None, day: date) -> None:
        kind = choices(MOMENT_KINDS, cum_weights=kinds_cum)[0]
        with_person, with_name = None, ""
        pick = random_float()
        team = colleagues[department_id]
        if pick < MOMENT_WITH_COLLEAGUE_SHARE and len(team) > 1:
            with_person = team[randrange(len(team))]
        elif pick < MOMENT_WITH_COLLEAGUE_SHARE + MOMENT_WITH_ANYONE_SHARE:
            with_person = everyone[randrange(len(everyone))]
        if with_person == author_id or with_person is None:
            with_person, with_name = None, OUTSIDE_NAMES[randrange(len(OUTSIDE_NAMES))]
        notes = MOMENT_NOTES[kind]
        day_ts = (day.toordinal() - EPOCH_ORDINAL) * 86_400
        created_ts = min(day_ts + randrange(9 * 3600, 21 * 3600), now_ts)
        writer.add(
            (
                author_id,
                kind,
                with_person,
                with_name,
                notes[randrange(len(notes))],
                day.isoformat(),
                stamp(created_ts),
            )
        )

    yesterday = now.astimezone(UTC).date() - timedelta(days=1)
    first_monday = yesterday - timedelta(days=yesterday.weekday(), weeks=weeks_of_history)
    for person_id, department_id, zone in people:
        if person_id == demo_mentee_id:
            _add_demo_mentee_moments(rng, add, person_id, department_id, zone, now, first_monday)
            continue
        if random_float() >= MOMENT_LOGGER_SHARE:
            continue
        for week in range(weeks_of_history + 1):
            monday = first_monday + timedelta(weeks=week)
            for _ in range(choices(MOMENTS_PER_WEEK, cum_weights=per_week_cum)[0]):
                day = monday + timedelta(days=randrange(7))
                if day <= yesterday:
                    add(person_id, department_id, day)
    return writer.close()


def _add_demo_mentee_moments(
    rng: random.Random, add, person_id: int, department_id: int | None, zone: str, now: datetime, first: date
) -> None:
    """A streak of weeks that met the weekly goal, up to today in the mentee's own zone; before it, a few."""
    today = now.astimezone(get_zone(zone)).date()
    this_monday = today - timedelta(days=today.weekday())
    streak_from = this_monday - timedelta(weeks=DEMO_MENTEE_STREAK_WEEKS - 1)
    monday = first
    while monday <= this_monday:
        if monday >= streak_from:
            last_day = min(monday + timedelta(days=6), today)
            days = [
                monday + timedelta(days=rng.randrange((last_day - monday).days + 1))
                for _ in range(DEMO_MENTEE_MOMENTS_PER_WEEK)
            ]
        else:
            days = [monday + timedelta(days=rng.randrange(7)) for _ in range(rng.choice(MOMENTS_PER_WEEK))]
        for day in sorted(days):
            add(person_id, department_id, day)
        monday += timedelta(weeks=1)
