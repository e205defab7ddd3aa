import random
from collections import Counter
from datetime import UTC, datetime

from marketplace.demo import seed_people
from matching.demo import seed_requests
from matching.models import MentorRequest

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_seeded_requests_cover_skills_and_every_status_with_consistent_history(db):
    people = seed_people(rng=random.Random(1), mentors=20, employees=200, progress=lambda *args: None)
    seen = []

    made = seed_requests(
        rng=random.Random(2), people=people, progress=lambda *args: seen.append(args), now=NOW
    )

    requests = list(MentorRequest.objects.prefetch_related("skills"))
    assert made == len(requests) == 50 + 3
    assert seen[-1] == ("requests", made, made)
    assert Counter(request.status for request in requests).keys() == {"open", "booked", "expired"}
    assert len({skill.pk for request in requests for skill in request.skills.all()}) > 10
    for request in requests:
        assert 1 <= request.skills.count() <= 3
        assert request.created_at <= NOW < request.needed_by or request.status != "open"
        if request.status == "booked":
            assert request.created_at <= request.booked_at <= NOW
            assert request.booked_at <= request.booked_session_start
            assert (
                request.booked_session_start.timestamp() + request.duration * 60
                <= request.needed_by.timestamp()
            )
        if request.status == "expired":
            assert request.needed_by <= NOW
    mine = Counter(request.status for request in requests if request.asker_id == people.mentee_id)
    assert mine == {"open": 1, "booked": 1, "expired": 1}


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
