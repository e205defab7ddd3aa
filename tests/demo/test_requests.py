import random
import statistics
from collections import Counter
from datetime import UTC, datetime

from demo.people import seed_people
from demo.requests import REQUESTS_PER_ASKER_PER_WEEK, seed_requests
from demo.story import SCARCE_SKILLS, ZONES_SHORT_OF_MENTORS
from marketplace.models import UserSkill
from matching.models import MentorRequest

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_seeded_requests_cover_skills_and_every_status_with_consistent_history(db):
    people = seed_people(rng=random.Random(1), mentors=20, employees=200, progress=lambda *args: None)
    seen = []

    made = seed_requests(
        rng=random.Random(2), people=people, progress=lambda *args: seen.append(args), now=NOW
    )

    requests = list(MentorRequest.objects.prefetch_related("skills"))
    assert made == len(requests) == int(200 * REQUESTS_PER_ASKER_PER_WEEK * 8) + 3
    assert ("requests", made, made) in seen
    assert Counter(request.status for request in requests).keys() == {"open", "booked", "expired"}
    assert len({skill.pk for request in requests for skill in request.skills.all()}) > 10
    for request in requests:
        assert 1 <= request.skills.count() <= 3
        assert request.created_at <= NOW < request.needed_by or request.status != "open"
        if request.status == "booked":
            assert request.booked_at is not None
            assert request.booked_session_start is not None
            assert request.created_at <= request.booked_at <= NOW
            assert request.booked_at <= request.booked_session_start
            assert (
                request.booked_session_start.timestamp() + request.duration * 60
                <= request.needed_by.timestamp()
            )
        if request.status == "expired":
            assert request.needed_by <= NOW
    mine = Counter(request.status for request in requests if request.asker_id == people.mentee_id)
    assert set(mine) == {"open", "booked", "expired"}  # the featured three, and maybe more of their own


def test_seeding_is_deterministic_for_a_seed(db):
    people = seed_people(rng=random.Random(1), mentors=5, employees=40, progress=lambda *args: None)

    def run():
        MentorRequest.objects.all().delete()
        seed_requests(rng=random.Random(7), people=people.employee_ids, progress=lambda *args: None, now=NOW)
        return list(
            MentorRequest.objects.order_by("created_at", "asker_id").values_list(
                "asker_id", "topic", "status", "needed_by", "booked_session_start"
            )
        )

    assert run() == run()


def test_requests_for_scarce_skills_go_unbooked_more_often_and_far_askers_wait_longer(db):
    people = seed_people(rng=random.Random(1), mentors=60, employees=400, progress=lambda *args: None)

    seed_requests(
        rng=random.Random(2), people=people, progress=lambda *args: None, now=NOW, weeks_of_history=12
    )

    decided = MentorRequest.objects.filter(needed_by__lte=NOW)
    scarce = set(decided.filter(skills__slug__in=SCARCE_SKILLS).values_list("pk", flat=True))
    booked = set(decided.filter(status="booked").values_list("pk", flat=True))
    ordinary = set(decided.values_list("pk", flat=True)) - scarce
    assert len(booked & scarce) / len(scarce) < 0.5 * len(booked & ordinary) / len(ordinary)
    waits: dict[bool, list[float]] = {True: [], False: []}
    for zone, made, start in MentorRequest.objects.filter(status="booked").values_list(
        "asker__timezone", "created_at", "booked_session_start"
    ):
        assert start is not None
        waits[zone in ZONES_SHORT_OF_MENTORS].append((start - made).total_seconds())
    assert statistics.median(waits[True]) > 1.2 * statistics.median(waits[False])
    offered = set(UserSkill.objects.values_list("user_id", "skill_id"))
    for request in MentorRequest.objects.filter(status="booked").prefetch_related("skills"):
        asked = {skill.pk for skill in request.skills.all()}
        if asked & {skill for _mentor, skill in offered}:
            assert any((request.booked_mentor_id, skill) in offered for skill in asked), request
