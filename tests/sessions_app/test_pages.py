import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from marketplace.models import MentorProfile
from sessions_app.models import Booking
from sessions_app.services.bookings import book_session
from tests.factories import BookingFactory, MentorRequestFactory
from tests.sessions_app.helpers import slot


def z(instant) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def as_mentee(client, mentee):
    client.force_login(mentee)
    return client


def book_url(mentor, start, duration=30) -> str:
    return f"/sessions/book/?mentor={mentor.pk}&start={z(start)}&duration={duration}"


def test_the_confirm_step_shows_the_time_in_my_zone_and_the_mentors(as_mentee, open_mentor):
    start = slot(hour=10)  # 10:00 UTC is 10:00 in London and 11:00 in Berlin in winter, 11:00/12:00 in summer
    london = timezone.localtime(start, timezone=ZoneInfo("Europe/London"))
    berlin = timezone.localtime(start, timezone=ZoneInfo("Europe/Berlin"))

    response = as_mentee.get(book_url(open_mentor, start))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Book a session with Marco Mentor" in html
    assert f"{london:%H:%M}" in html
    assert "Europe/London" in html
    assert f"{berlin:%H:%M} for Marco Mentor (Europe/Berlin)" in html
    assert html.count('type="radio" name="duration"') == 2
    assert 'name="topic"' in html


def test_a_mentor_with_one_length_gets_no_length_choice(as_mentee, open_mentor):
    MentorProfile.objects.filter(user=open_mentor).update(session_lengths=[20])

    html = as_mentee.get(book_url(open_mentor, slot(), duration=30)).content.decode()

    assert 'type="radio" name="duration"' not in html
    assert "Length: 20 minutes" in html


@pytest.mark.parametrize("query", ["mentor=abc&start=2026-01-01T10:00:00Z", "mentor=1&start=tomorrow", ""])
def test_a_broken_booking_link_gets_a_400_page(as_mentee, open_mentor, query):
    response = as_mentee.get(f"/sessions/book/?{query}")
    assert response.status_code == 400
    assert "cannot be booked" in response.content.decode()


def test_confirming_books_and_shows_the_session_page(as_mentee, mentee, open_mentor):
    response = as_mentee.post(
        "/sessions/book/",
        {"mentor": open_mentor.pk, "start": z(slot()), "duration": 20, "topic": "Board deck", "request": ""},
        follow=True,
    )

    booking = Booking.objects.get()
    assert (booking.mentee, booking.duration, booking.topic) == (mentee, 20, "Board deck")
    assert response.redirect_chain[-1][0] == f"/sessions/{booking.pk}/"
    html = response.content.decode()
    assert "Session with Marco Mentor" in html
    assert booking.meeting_url in html
    assert f"/api/v1/bookings/{booking.pk}/ics/" in html


def test_from_a_request_the_confirm_step_has_its_topic_and_shows_its_context(as_mentee, mentee, open_mentor):
    need = MentorRequestFactory(asker=mentee, topic="Negotiating my first offer", context="Offer due Friday.")

    response = as_mentee.get(book_url(open_mentor, slot()) + f"&request={need.pk}")

    assert response.status_code == 200
    html = response.content.decode()
    assert ">Negotiating my first offer</textarea>" in html
    assert "Offer due Friday." in html
    assert f'name="request" value="{need.pk}"' in html


def test_a_topic_in_the_link_wins_over_the_requests(as_mentee, mentee, open_mentor):
    need = MentorRequestFactory(asker=mentee, topic="Negotiating my first offer")

    response = as_mentee.get(book_url(open_mentor, slot()) + f"&request={need.pk}&topic=Just+the+salary")

    assert ">Just the salary</textarea>" in response.content.decode()


def test_someone_elses_request_lends_the_confirm_step_nothing(as_mentee, outsider, open_mentor):
    theirs = MentorRequestFactory(asker=outsider, topic="Their private worry", context="Their secret.")

    response = as_mentee.get(book_url(open_mentor, slot()) + f"&request={theirs.pk}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Their private worry" not in html
    assert "Their secret." not in html


def test_confirming_from_a_request_links_the_booking_and_the_mentor_sees_the_context(
    client, mentee, open_mentor
):
    need = MentorRequestFactory(asker=mentee, topic="Negotiating my first offer", context="Offer due Friday.")
    client.force_login(mentee)
    client.post(
        "/sessions/book/",
        {
            "mentor": open_mentor.pk,
            "start": z(slot()),
            "duration": 30,
            "topic": need.topic,
            "request": need.pk,
        },
    )
    booking = Booking.objects.get()
    assert (booking.request, booking.topic) == (need, "Negotiating my first offer")

    client.force_login(open_mentor)
    html = client.get(f"/sessions/{booking.pk}/").content.decode()

    assert "Negotiating my first offer" in html
    assert "Offer due Friday." in html


def test_a_slot_taken_meanwhile_re_renders_the_form_with_the_409_message(as_mentee, outsider, open_mentor):
    book_session(mentee=outsider, mentor=open_mentor, start=slot(), minutes=30, topic="First")

    response = as_mentee.post(
        "/sessions/book/", {"mentor": open_mentor.pk, "start": z(slot()), "duration": 30, "topic": "Mine"}
    )

    assert response.status_code == 409
    assert "just taken" in response.content.decode()
    assert Booking.objects.count() == 1


def test_an_empty_topic_is_named_in_the_form(as_mentee, open_mentor):
    response = as_mentee.post(
        "/sessions/book/", {"mentor": open_mentor.pk, "start": z(slot()), "duration": 30, "topic": " "}
    )
    assert response.status_code == 400
    assert 'id="topic-error"' in response.content.decode()
    assert not Booking.objects.exists()


def test_booking_pages_need_a_login(client, open_mentor):
    response = client.get(book_url(open_mentor, slot()))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_sessions_lists_upcoming_and_past_in_my_zone_with_status(as_mentee, mentee, outsider, open_mentor):
    BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(hour=15), topic="Upcoming one")
    BookingFactory(mentor=mentee, mentee=outsider, start=slot(days=3, hour=9), topic="I mentor this")
    BookingFactory(
        mentor=open_mentor,
        mentee=mentee,
        start=timezone.now() - timedelta(days=2),
        status="completed",
        topic="Done",
    )
    BookingFactory(
        mentor=open_mentor, mentee=mentee, start=slot(days=4), status="cancelled", topic="Called off"
    )

    html = as_mentee.get("/sessions/").content.decode()

    upcoming, past = html.split('id="past-heading"')
    for topic in ("Upcoming one", "I mentor this", "(your mentee)"):
        assert topic in upcoming
    for topic in ("Done", "Called off", "badge-completed", "badge-cancelled"):
        assert topic in past
    local = timezone.localtime(slot(hour=15), timezone=ZoneInfo("Europe/London"))
    assert f"{local:%H:%M}" in upcoming
    assert 'name="reason"' in upcoming


def test_my_sessions_say_who_is_whose_mentor_from_both_sides(client, mentee, open_mentor, outsider):
    BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(hour=15))
    BookingFactory(mentor=mentee, mentee=outsider, start=slot(days=3, hour=9))

    client.force_login(mentee)
    mine = client.get("/sessions/").content.decode().split('id="past-heading"')[0]
    client.force_login(open_mentor)
    theirs = client.get("/sessions/").content.decode().split('id="past-heading"')[0]

    assert re.search(r"Marco Mentor\s*<span class=\"muted\">\(your mentor\)</span>", mine)
    assert re.search(r"Oscar Outsider\s*<span class=\"muted\">\(your mentee\)</span>", mine)
    assert re.search(r"Maya Mentee\s*<span class=\"muted\">\(your mentee\)</span>", theirs)
    assert "(you mentor)" not in mine + theirs


def test_my_sessions_needs_a_fixed_number_of_queries(
    as_mentee, mentee, open_mentor, django_assert_max_num_queries, django_assert_num_queries
):
    def add_sessions(days: range) -> None:
        for day in days:
            BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(days=day))
            BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(days=-day), status="completed")

    add_sessions(range(1, 3))
    # Two are the group sessions' section (sessions_app.list_sections): those to come, feedback waiting.
    with django_assert_max_num_queries(10) as few:
        assert as_mentee.get("/sessions/").content.decode().count('class="session-item"') == 2
    add_sessions(range(3, 12))

    with django_assert_num_queries(len(few)):
        response = as_mentee.get("/sessions/")

    assert response.content.decode().count('class="session-item"') == 11


def test_cancelling_from_the_page_needs_a_reason_and_then_cancels(as_mentee, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot())

    refused = as_mentee.post(f"/sessions/{booking.pk}/cancel/", {"reason": ""})
    done = as_mentee.post(f"/sessions/{booking.pk}/cancel/", {"reason": "Solved"}, follow=True)

    assert refused.status_code == 400
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Solved")
    assert "Session cancelled" in done.content.decode()


def test_the_reschedule_page_offers_slots_as_buttons_and_moves_the_session(as_mentee, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(hour=10))

    page = as_mentee.get(f"/sessions/{booking.pk}/reschedule/")
    new_start = z(slot(days=3, hour=13))
    moved = as_mentee.post(f"/sessions/{booking.pk}/reschedule/", {"start": new_start})

    assert page.status_code == 200
    assert f'value="{new_start}"' in page.content.decode()
    assert f'value="{z(slot(hour=10, minute=10))}"' in page.content.decode(), "may overlap its own old time"
    assert f'value="{z(slot(hour=10))}"' not in page.content.decode(), "where it is now is no move"
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert (booking.start, booking.sequence) == (slot(days=3, hour=13), 1)


def test_a_reschedule_into_a_taken_slot_says_so_and_keeps_the_session(
    as_mentee, mentee, outsider, open_mentor
):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(hour=10))
    BookingFactory(mentor=open_mentor, mentee=outsider, start=slot(hour=14))

    response = as_mentee.post(f"/sessions/{booking.pk}/reschedule/", {"start": z(slot(hour=14))})

    assert response.status_code == 409
    assert "just taken" in response.content.decode()
    booking.refresh_from_db()
    assert booking.start == slot(hour=10)


def test_the_mentor_can_mark_a_no_show_from_the_session_page_after_the_start(client, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(minutes=10))
    client.force_login(open_mentor)

    assert "Mark as no-show" in client.get(f"/sessions/{booking.pk}/").content.decode()
    client.post(f"/sessions/{booking.pk}/no-show/", {"confirm": "on"})

    booking.refresh_from_db()
    assert booking.status == "no_show"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/sessions/{}/"),
        ("post", "/sessions/{}/cancel/"),
        ("get", "/sessions/{}/reschedule/"),
        ("post", "/sessions/{}/reschedule/"),
        ("post", "/sessions/{}/no-show/"),
    ],
)
def test_session_pages_are_404_for_anyone_else(client, outsider, mentee, open_mentor, method, path):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot())
    client.force_login(outsider)

    response = getattr(client, method)(path.format(booking.pk), {"reason": "x", "start": z(slot(days=3))})

    assert response.status_code == 404
    booking.refresh_from_db()
    assert (booking.status, booking.start) == ("confirmed", slot())


def test_rotating_the_feed_from_the_page_changes_the_address(as_mentee, mentee):
    old = mentee.calendar_token
    as_mentee.post("/sessions/calendar-feed/rotate/")
    mentee.refresh_from_db()
    assert mentee.calendar_token != old
    assert mentee.calendar_token in as_mentee.get("/sessions/").content.decode()


def test_the_admin_lists_bookings_messages_and_feedback_but_adds_no_bookings(client, mentee, open_mentor):
    from tests.factories import FeedbackFactory, UserFactory

    FeedbackFactory(booking__mentor=open_mentor, booking__mentee=mentee)
    book_session(mentee=mentee, mentor=open_mentor, start=slot(), minutes=30, topic="Admin check")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for url in (
        "/admin/sessions_app/booking/",
        "/admin/sessions_app/outboundmessage/",
        "/admin/sessions_app/feedback/",
    ):
        assert client.get(url).status_code == 200, url
    found = client.get("/admin/sessions_app/booking/?q=admin").content.decode()
    assert found.count('name="_selected_action"') == 1
    assert client.get("/admin/sessions_app/booking/add/").status_code == 403
