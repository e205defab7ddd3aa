"""The waiting-list pages: "tell me when they have time" on a mentor's page, joining from it, "My waiting
lists" with the held offer and its Book button, withdrawing. Every form works without JavaScript."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_app.models import Booking
from tests.factories import MentorFactory, MentorRequestFactory, UserFactory
from tests.waitlists.conftest import MONDAY, TUESDAY_1030, WEDNESDAY_EVENING
from waitlists.models import WaitlistEntry, WaitlistOffer
from waitlists.services.entries import join_waitlist

pytestmark = pytest.mark.django_db


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.status_code
    return response.content.decode()


def test_a_full_mentors_page_offers_to_tell_me_when_they_have_time(client, full_mentor, bookings):
    client.force_login(UserFactory(timezone="Europe/Paris"))

    html = page(client, f"/mentors/{full_mentor.pk}/")

    assert '<h2 id="waitlist-heading">Tell me when they have time</h2>' in html
    assert f'action="/mentors/{full_mentor.pk}/waitlist/"' in html
    assert 'value="2027-03-04T17:00"' in html  # three working days ahead, 17:00 on the viewer's clock
    assert "<details>" not in html


def test_with_a_request_the_deadline_is_the_requests_and_said(client, full_mentor):
    asker = UserFactory(timezone="UTC")
    need = MentorRequestFactory(
        asker=asker, created_at=MONDAY, needed_by=MONDAY + timedelta(hours=2), duration=20
    )
    client.force_login(asker)

    html = page(client, f"/mentors/{full_mentor.pk}/?request={need.pk}")

    # Free on Tuesday, but not before the request's deadline of Monday 10:00.
    assert "Fiona Full has no free time before your deadline, Monday 1 March, 10:00." in html
    assert 'value="2027-03-01T10:00"' in html
    assert re.search(r'name="duration" value="20"[^>]*checked', html)


def test_with_free_times_before_the_deadline_the_form_is_folded_away(client, full_mentor):
    client.force_login(UserFactory())

    html = page(client, f"/mentors/{full_mentor.pk}/")

    assert "<details>" in html
    assert "Tell me when they have time" in html


def test_joining_from_the_page_redirects_to_my_waiting_lists_which_shows_it(client, full_mentor, bookings):
    person = UserFactory(timezone="UTC")
    client.force_login(person)

    response = client.post(
        f"/mentors/{full_mentor.pk}/waitlist/", {"before": "2027-03-03T17:00", "duration": "30"}, follow=True
    )

    assert response.redirect_chain == [("/me/waitlist/", 302)]
    html = response.content.decode()
    assert "You are on Fiona Full&#x27;s waiting list" in html
    assert "A 30-minute session before Wednesday 3 March, 17:00." in html
    entry = WaitlistEntry.objects.get(person=person)
    assert (entry.before, entry.duration, entry.status) == (WEDNESDAY_EVENING, 30, "waiting")
    assert "Your place on the waiting list" in page(client, f"/mentors/{full_mentor.pk}/")


def test_a_bad_form_says_why_and_stores_nothing(client, full_mentor):
    client.force_login(UserFactory(timezone="UTC"))

    response = client.post(
        f"/mentors/{full_mentor.pk}/waitlist/", {"before": "2027-02-01T17:00", "duration": "30"}
    )

    assert response.status_code == 400
    assert "The deadline has already passed" in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_my_waiting_lists_show_the_held_time_its_expiry_and_a_book_button(client, full_mentor, bookings):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    person = UserFactory(timezone="UTC")
    join_waitlist(person=person, mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    client.force_login(person)

    html = page(client, "/me/waitlist/")

    assert "Held for you: Tuesday 2 March, 10:30–11:00" in html
    assert "Book it by 08:15, or it passes to the next person waiting." in html
    assert (
        f'href="/sessions/book/?mentor={full_mentor.pk}&amp;start=2027-03-02T10%3A30%3A00Z&amp;duration=30"'
        in html
    )
    booking_step = page(
        client, f"/sessions/book/?mentor={full_mentor.pk}&start=2027-03-02T10:30:00Z&duration=30"
    )
    assert "just taken" not in booking_step


def test_withdrawing_from_the_page_releases_the_slot_and_someone_elses_is_a_404(
    client, full_mentor, bookings
):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    first = join_waitlist(person=UserFactory(), mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    second = join_waitlist(person=UserFactory(), mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    client.force_login(second.person)
    assert client.post(f"/me/waitlist/{first.pk}/withdraw/").status_code == 404

    client.force_login(first.person)
    response = client.post(f"/me/waitlist/{first.pk}/withdraw/", follow=True)

    assert "You left Fiona Full&#x27;s waiting list." in response.content.decode()
    first.refresh_from_db()
    assert first.status == "withdrawn"
    assert WaitlistOffer.objects.get(entry=second, outcome="held").start == TUESDAY_1030


def test_support_reads_the_waits_and_offers_in_the_admin_and_cannot_change_them(client, full_mentor):
    entry = join_waitlist(person=UserFactory(), mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert "Fiona Full" in page(client, "/admin/waitlists/waitlistentry/")
    assert "held" in page(client, "/admin/waitlists/waitlistoffer/")
    assert client.get("/admin/waitlists/waitlistentry/add/").status_code == 403
    assert (
        client.post(f"/admin/waitlists/waitlistentry/{entry.pk}/change/", {"status": "booked"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.status == "offered"


def test_the_deadline_typed_is_read_on_the_viewers_clock_across_a_change_of_time(client, full_mentor):
    # New York moves its clocks forward on Sunday 14 March 2027: 17:00 on the 15th is 21:00 UTC, not 22:00.
    client.force_login(UserFactory(timezone="America/New_York"))

    client.post(f"/mentors/{full_mentor.pk}/waitlist/", {"before": "2027-03-15T17:00", "duration": "30"})

    assert WaitlistEntry.objects.get().before == datetime(2027, 3, 15, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize("request_id", ["²", "-1", "abc", str(2**63), "1e3"])
def test_a_request_id_that_is_not_the_viewers_request_lends_the_page_nothing(client, full_mentor, request_id):
    client.force_login(UserFactory(timezone="UTC"))

    html = page(client, f"/mentors/{full_mentor.pk}/?request={request_id}")

    assert "before your deadline," not in html


def test_my_waiting_lists_page_costs_the_same_queries_for_few_entries_and_many(client, full_mentor):
    person = UserFactory(timezone="UTC")
    join_waitlist(person=person, mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    client.force_login(person)
    page(client, "/me/waitlist/")  # the session and the language are read once

    with CaptureQueriesContext(connection) as few:
        page(client, "/me/waitlist/")
    for _ in range(6):
        join_waitlist(
            person=person, mentor=MentorFactory(timezone="UTC"), before=WEDNESDAY_EVENING, duration=30
        )
    with CaptureQueriesContext(connection) as many:
        html = page(client, "/me/waitlist/")

    assert html.count("<article ") == 7
    assert html.count("Held for you:") == 1  # the others have no time at all yet
    assert len(many) == len(few)
