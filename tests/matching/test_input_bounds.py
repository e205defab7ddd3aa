"""The request page and the API accept and refuse exactly the same values at every input bound.

The numbers are the public contract, written out here; the code reads them from matching/models.py.
"""

import pytest

from matching.models import MentorRequest
from tests.factories import SkillFactory

SKILLS = [f"skill-{number}" for number in range(6)]
# The frozen Monday is 23 November 2026, 08:00 UTC (London is on UTC then): a deadline may be 60 days ahead.
LATEST_DEADLINE = "2027-01-22T08:00"


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("topic", "x" * 200, True),
        ("topic", "x" * 201, False),
        ("context", "x" * 2000, True),
        ("context", "x" * 2001, False),
        ("duration", 20, True),
        ("duration", 30, True),
        ("duration", 25, False),
        ("skills", SKILLS[:5], True),
        ("skills", SKILLS, False),
        ("needed_by", LATEST_DEADLINE, True),
        ("needed_by", "2027-01-22T08:01", False),
    ],
)
def test_a_request_on_the_page_and_through_the_api_draws_the_same_line(
    client, api_as, mentee, frozen_monday, field, value, accepted
):
    for slug in SKILLS:
        SkillFactory(name=slug.title(), slug=slug)
    request = {"topic": "Board pitch", "context": "", "skills": SKILLS[:1], "duration": 30} | {field: value}
    deadline = request.get("needed_by", "2026-11-26T17:00")
    client.force_login(mentee)

    page = client.post(
        "/requests/new/",
        {**request, "needed_by": deadline, "duration": str(request["duration"])},
    )

    assert page.status_code == (302 if accepted else 400)
    assert MentorRequest.objects.filter(asker=mentee).count() == (1 if accepted else 0)
    if not accepted:
        assert field in page.context["form"].errors

    api = api_as(mentee).post("/api/v1/requests/", {**request, "needed_by": f"{deadline}:00Z"}, format="json")

    assert api.status_code == (201 if accepted else 400), api.json()
    assert MentorRequest.objects.filter(asker=mentee).count() == (2 if accepted else 0)
    if not accepted:
        assert field in api.json()
