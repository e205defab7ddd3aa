"""Demo written answers: mentors who answered requests in writing when nobody could meet in time.

Requests nobody booked are the ones answered in writing: a share of those whose deadline passed got an answer
the asker marked helpful (their request is `answered`), a few one that did not help; some of those still open
have an answer the asker has not judged yet. Some threads have a reply from the asker. Answers come from
mentors who offer one of the request's skills, before the deadline. The demo mentee's open request has an
answer waiting to be judged, so the request page shows the whole thread.

Seeded after the requests (demo.requests), before the join dates (demo.joins counts an answer as activity).
Deterministic for a given random generator and `now`; written in bulk like the rest of the demo.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from psycopg2.extras import execute_values

from answers.models import Answer, Reply
from demo.bulk import BulkWriter, Progress, first_free_id, reset_id_sequence, timestamp_formatter
from marketplace.models import UserSkill
from matching.models import MentorRequest

ANSWERED_PAST_SHARE = 0.35  # of the unbooked requests whose deadline passed
NOT_HELPFUL_SHARE = 0.15  # of the answers judged
ANSWERED_OPEN_SHARE = 0.3  # of the unbooked requests still open, made over an hour ago
REPLY_SHARE = 0.4  # threads where the asker wrote back
FIRST_ANSWER_AFTER = (timedelta(minutes=30), timedelta(hours=20))
JUDGED_AFTER = (timedelta(minutes=10), timedelta(hours=8))
UPDATE_BATCH_SIZE = 5000

ANSWERS = (
    "I had the same question last quarter. What worked for me: write the one sentence you want them to "
    "remember first, then cut every slide that does not support it.",
    "Short version: agree on the decision you need before the meeting, not in it. Send a one-page summary a "
    "day ahead and ask for objections by noon.",
    "Our team's checklist is here: https://wiki.example.com/checklists/review - items 3 and 5 catch most of "
    "the surprises.",
    "Try framing it as a trade-off with two options and your recommendation. People push back less when they "
    "can see what you gave up.",
    "Two things I would check: who owns the follow-up, and what happens if the date slips by a week. If both "
    "are clear you are in good shape.",
    "I wrote up how we handled a similar case: https://wiki.example.com/notes/lessons-learned - happy to "
    "answer questions here.",
    "Start with the data you already trust and say plainly what you do not know yet. That buys you more "
    "credibility than a perfect model.",
)
REPLIES = (
    "Thank you, that is exactly what I was missing.",
    "Helpful - one more question: would you send the summary to everyone or only the decision makers?",
    "Thanks! I will try this tomorrow and let you know how it went.",
    "That makes sense. Do you have an example I could look at?",
)


@dataclass(frozen=True)
class SeededAnswers:
    answers: int
    helpful: int
    replies: int


@dataclass(frozen=True)
class _Unbooked:
    request_id: int
    asker_id: int
    created_at: datetime
    needed_by: datetime
    status: str
    skill_ids: tuple[int, ...]


def seed_answers(
    *, rng: random.Random, now: datetime, demo_mentee_id: int | None, progress: Progress
) -> SeededAnswers:
    """Written answers (and replies) to requests nobody booked; helpful ones make their request answered."""
    offered: dict[int, list[int]] = defaultdict(list)
    for mentor_id, skill_id in (
        UserSkill.objects.filter(user__is_mentor=True, user__is_active=True)
        .order_by("skill_id", "user_id")
        .values_list("user_id", "skill_id")
    ):
        offered[skill_id].append(mentor_id)
    postgres = connection.vendor == "postgresql"
    stamp = timestamp_formatter(postgres)

    def at(moment: datetime) -> str:
        return stamp(int(moment.timestamp()))

    answer_ids = iter(range(first_free_id(Answer._meta.db_table), 1 << 62))
    reply_ids = iter(range(first_free_id(Reply._meta.db_table), 1 << 62))
    answers = BulkWriter(
        Answer._meta.db_table,
        ("id", "request_id", "author_id", "text", "created_at", "helpful", "marked_at"),
        progress,
        "written answers",
    )
    replies = BulkWriter(
        Reply._meta.db_table, ("id", "answer_id", "author_id", "text", "created_at"), progress, "replies"
    )
    answered: list[tuple[str, int]] = []
    helpful_count = 0
    for request in _unbooked_requests():
        past = request.needed_by <= now
        featured = request.asker_id == demo_mentee_id and not past
        if past and request.status != MentorRequest.Status.EXPIRED:
            continue
        chance = ANSWERED_PAST_SHARE if past else ANSWERED_OPEN_SHARE
        if not featured and (rng.random() >= chance or request.created_at > now - timedelta(hours=1)):
            continue
        mentors = [
            mentor
            for skill in request.skill_ids
            for mentor in offered.get(skill, ())
            if mentor != request.asker_id
        ]
        if not mentors:
            continue
        latest = min(request.needed_by, now) - timedelta(minutes=5)
        written = request.created_at + _between(rng, *FIRST_ANSWER_AFTER)
        if written >= latest:
            written = request.created_at + (latest - request.created_at) / 2
        author = rng.choice(mentors)
        answer_id = next(answer_ids)
        last_word = written
        if rng.random() < REPLY_SHARE:
            last_word = min(written + _between(rng, timedelta(minutes=15), timedelta(hours=3)), now)
            replies.add((next(reply_ids), answer_id, request.asker_id, rng.choice(REPLIES), at(last_word)))
        helpful: bool | None = None
        marked_at: datetime | None = None
        if past:
            marked_at = min(last_word + _between(rng, *JUDGED_AFTER), now)
            helpful = rng.random() >= NOT_HELPFUL_SHARE
        answers.add(
            (
                answer_id,
                request.request_id,
                author,
                rng.choice(ANSWERS),
                at(written),
                helpful,
                at(marked_at) if marked_at else None,
            )
        )
        if helpful and marked_at is not None:
            helpful_count += 1
            answered.append((at(marked_at), request.request_id))
    made = answers.close()
    made_replies = replies.close()
    reset_id_sequence(Answer._meta.db_table)
    reset_id_sequence(Reply._meta.db_table)
    _mark_answered(answered)
    return SeededAnswers(answers=made, helpful=helpful_count, replies=made_replies)


def _between(rng: random.Random, low: timedelta, high: timedelta) -> timedelta:
    return low + (high - low) * rng.random()


def _unbooked_requests() -> list[_Unbooked]:
    skills: dict[int, list[int]] = defaultdict(list)
    through = MentorRequest.skills.through
    for request_id, skill_id in through.objects.order_by("mentorrequest_id", "skill_id").values_list(
        "mentorrequest_id", "skill_id"
    ):
        skills[request_id].append(skill_id)
    return [
        _Unbooked(
            request_id,
            asker_id,
            created.astimezone(UTC),
            needed_by.astimezone(UTC),
            status,
            tuple(skills[request_id]),
        )
        for request_id, asker_id, created, needed_by, status in MentorRequest.objects.exclude(
            status=MentorRequest.Status.BOOKED
        )
        .order_by("id")
        .values_list("id", "asker_id", "created_at", "needed_by", "status")
    ]


def _mark_answered(answered: list[tuple[str, int]]) -> None:
    """Requests with a helpful answer become answered when it was marked (one statement per batch)."""
    table = connection.ops.quote_name(MentorRequest._meta.db_table)
    with connection.cursor() as cursor:
        for offset in range(0, len(answered), UPDATE_BATCH_SIZE):
            batch = answered[offset : offset + UPDATE_BATCH_SIZE]
            if connection.vendor == "postgresql":
                execute_values(
                    cursor.cursor,
                    f"UPDATE {table} AS request SET status = 'answered', answered_at = done.at::timestamptz "
                    "FROM (VALUES %s) AS done (at, id) WHERE request.id = done.id",
                    batch,
                    page_size=UPDATE_BATCH_SIZE,
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET status = 'answered', answered_at = %s WHERE id = %s", batch
                )
