"""Browse and slots with 10,000 mentors, 50,000 employees and 100,000 future sessions (issue 4).

Target: `/mentors/` (a page of 20 with next slots) and the slots endpoint answer in at most 100 ms median
server time. Server time here is Django handling the request in-process (test client), without network.
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: bench.*, the apps

from bench.benchdb import ensure_organisation, setup_django, summary, timed

REPEAT = 40


def main() -> None:
    setup_django()
    ensure_organisation()
    from django.test import Client

    from marketplace.models import Skill, User

    client = Client()
    viewer = User.objects.get(email="employee1@example.com")
    client.force_login(viewer)
    rng = random.Random(7)
    mentor_ids = list(User.objects.filter(is_mentor=True).values_list("pk", flat=True))
    skills = list(Skill.objects.values_list("slug", flat=True))
    print(f"{len(mentor_ids):,} mentors; viewer {viewer.email} in {viewer.timezone}")

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    print(summary("/mentors/ page 1 (20 cards, 3 next slots each)", timed(lambda: get("/mentors/"), REPEAT)))
    print(
        summary(
            "/mentors/?page=N (random page)",
            timed(lambda: get(f"/mentors/?page={rng.randint(1, 400)}"), REPEAT),
        )
    )
    print(
        summary(
            "/mentors/?skill=S (random skill)",
            timed(lambda: get(f"/mentors/?skill={rng.choice(skills)}"), REPEAT),
        )
    )
    print(summary("/api/v1/mentors/ (20 with next_slot)", timed(lambda: get("/api/v1/mentors/"), REPEAT)))
    print(
        summary(
            "/api/v1/mentors/{id}/slots/ (14 days, random mentor)",
            timed(lambda: get(f"/api/v1/mentors/{rng.choice(mentor_ids)}/slots/"), REPEAT),
        )
    )
    print(
        summary(
            "/api/v1/mentors/{id}/slots/?end=+31 days (31-day range)",
            timed(lambda: get(f"/api/v1/mentors/{rng.choice(mentor_ids)}/slots/?end={_in_days(30)}"), REPEAT),
        )
    )
    print(
        summary(
            "/mentors/{id}/ (profile + 14-day picker)",
            timed(lambda: get(f"/mentors/{rng.choice(mentor_ids)}/"), REPEAT),
        )
    )
    print(
        summary(
            "/api/v1/mentors/?skill=S&available_before=+3 days",
            timed(
                lambda: get(f"/api/v1/mentors/?skill={rng.choice(skills)}&available_before={_in_days(3)}"),
                REPEAT,
            ),
        )
    )


def _in_days(days: int) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    main()
