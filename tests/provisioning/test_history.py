"""HR's figures keep a deactivated person's history: the weeks they were there still count them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from insights import rollups
from provisioning.models import ProvisionedPerson
from provisioning.services import deactivate_person
from sessions_app.models import Booking
from tests.factories import BookingFactory, DepartmentFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db
SUMMARY = "/api/v1/insights/summary/"


def figures(api, start, end) -> dict:
    rollups.refresh(now=timezone.now(), full=True)
    response = api.get(SUMMARY, {"start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    return {key: body[key] for key in ("employees", "participants", "sessions_held", "minutes_held")}


def test_a_person_deactivated_today_still_counts_in_the_weeks_they_were_there(api_as, hr):
    now = timezone.now()
    joined = now - timedelta(days=200)
    sales = DepartmentFactory(name="Sales")
    hr.department = sales
    hr.date_joined = joined
    hr.save()
    mentor = MentorFactory(department=sales, date_joined=joined)
    people = [UserFactory(department=sales, date_joined=joined) for _ in range(6)]
    for week, mentee in enumerate(people[:3], start=3):
        held = now - timedelta(weeks=week)
        BookingFactory(mentor=mentor, mentee=mentee, start=held, status=Booking.Status.COMPLETED)
    gone_long_ago = UserFactory(department=sales, date_joined=joined)
    api = api_as(hr)
    start, end = (now - timedelta(weeks=6)).date(), (now - timedelta(weeks=2)).date()
    before = figures(api, start, end)

    deactivate_person(person=mentor, now=now)
    deactivate_person(person=gone_long_ago, now=now)
    ProvisionedPerson.objects.filter(user=gone_long_ago).update(deactivated_at=now - timedelta(weeks=10))

    after = figures(api, start, end)
    assert after == {**before, "employees": before["employees"] - 1}
    assert after["participants"] == 4  # the mentor and their three mentees
    assert after["sessions_held"] == 3
