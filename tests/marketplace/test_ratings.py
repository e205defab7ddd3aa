"""An average rating reads the same on every page: one decimal, rounded once from the exact average, halves up
(marketplace/ratings.py); the API keeps two decimals, rounded the same way."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.utils import translation

from insights import rollups
from marketplace.models import AvailabilityBlock, User, UserSkill
from marketplace.ratings import rating_for_api, rating_for_page
from marketplace.services import make_hr_admin
from tests.factories import (
    PASSWORD,
    BookingFactory,
    FeedbackFactory,
    MentorFactory,
    SkillFactory,
    UserFactory,
)

MONDAY = datetime(2026, 11, 23, 8, tzinfo=UTC)
JOINED = datetime(2026, 1, 5, tzinfo=UTC)  # long before the dashboard's range, which counts who had joined


@pytest.mark.parametrize(
    ("average", "on_page", "in_api"),
    [
        (4.25, "4.3", 4.25),  # a half goes up, whichever way binary floats lean
        (4.35, "4.4", 4.35),
        (50 / 11, "4.5", 4.55),  # 4.5454…: rounded once, never 4.55 then 4.6
        (4.125, "4.1", 4.13),
        (4.0, "4.0", 4.0),
        (5.0, "5.0", 5.0),
    ],
)
def test_one_rounding_for_pages_and_api(average, on_page, in_api):
    assert rating_for_page(average) == on_page
    assert rating_for_api(average) == in_api


def test_pages_write_the_rating_in_the_readers_notation():
    with translation.override("fr"):
        assert rating_for_page(4.25) == "4,3"


@pytest.fixture
def frozen_monday():
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY


@pytest.fixture
def speaking(db):
    return SkillFactory(name="Public speaking", slug="public-speaking")


def rated_mentor(ratings: list[int], speaking) -> User:
    """A London mentor of public speaking, free on weekdays, whose past sessions got these ratings, each from
    another mentee."""
    mentor = MentorFactory(
        email="rita@example.com", display_name="Rita Rated", timezone="Europe/London", date_joined=JOINED
    )
    UserSkill.objects.create(user=mentor, skill=speaking, level=3)
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(9), end=time(17)) for weekday in range(5)
    )
    for number, rating in enumerate(ratings):
        mentee = UserFactory(
            email=f"mentee{number}@example.com", timezone="Europe/London", date_joined=JOINED
        )
        booking = BookingFactory(
            mentor=mentor,
            mentee=mentee,
            start=MONDAY - timedelta(days=3, hours=number),
            status="completed",
        )
        FeedbackFactory(booking=booking, author=mentee, role="mentee", rating=rating)
    return mentor


def figure(html: str, label: str) -> str:
    """The value of the figure whose label (or data-figure) is `label`."""
    found = re.search(
        rf'(?:data-figure="{label}">|>{label}</h3>).*?<p class="figure-value">(.*?)</p>', html, re.S
    )
    assert found, f"no {label} figure"
    return found.group(1)


@pytest.mark.parametrize(
    ("ratings", "shown", "in_api"),
    [
        ([4, 4, 4, 4, 4, 4, 5, 5], "4.3", 4.25),  # 4.25
        ([5] * 6 + [4] * 5, "4.5", 4.55),  # 4.5454…
    ],
)
def test_the_same_rating_reads_the_same_on_every_page(
    client, api_as, speaking, frozen_monday, monkeypatch, ratings, shown, in_api
):
    mentor = rated_mentor(ratings, speaking)
    asker = UserFactory(email="asker@example.com", timezone="Europe/London")
    hr = UserFactory(email="hr@example.com")
    make_hr_admin(user=hr)
    monkeypatch.setattr("insights.selectors.privacy.MIN_PEOPLE_BEHIND_A_RATE", 1)
    rollups.refresh(now=MONDAY, full=True)
    count = len(ratings)
    rated = f"Rated {shown} by {count} colleagues"

    assert client.login(email=asker.email, password=PASSWORD)
    mentor_list = client.get("/mentors/").content.decode()
    mentor_page = client.get(f"/mentors/{mentor.pk}/").content.decode()
    asked = api_as(asker).post(
        "/api/v1/requests/",
        {"topic": "Board talk", "skills": ["public-speaking"], "needed_by": "2026-11-27T17:00:00Z"},
        format="json",
    )
    shortlist = client.get(f"/requests/{asked.json()['id']}/").content.decode()
    assert client.login(email=mentor.email, password=PASSWORD)
    impact = client.get("/me/impact/").content.decode()
    assert client.login(email=hr.email, password=PASSWORD)
    dashboard = client.get("/insights/", {"start": "2026-11-16", "end": "2026-11-22"}).content.decode()
    mentor_api = api_as(asker).get(f"/api/v1/mentors/{mentor.pk}/").json()
    summary_api = api_as(hr).get("/api/v1/insights/summary/?start=2026-11-16&end=2026-11-22").json()

    assert rated in mentor_list
    assert rated in mentor_page
    assert rated in asked.json()["matches"][0]["reasons"]
    assert rated in shortlist
    assert figure(impact, "Average rating") == f"{shown} / 5"
    assert figure(dashboard, "avg_rating") == f"{shown} / 5"
    assert mentor_api["rating"] == in_api
    assert summary_api["avg_rating"] == in_api
