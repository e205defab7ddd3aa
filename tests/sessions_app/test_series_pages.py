"""The pages of a series: "Repeat" on the confirm step (mentor's page and shortlist alike, no script
needed), every date on the viewer's clock once booked, "Session 2 of 3" in the lists, and cancelling one
session or this one and the later ones."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, timezone

from sessions_app.models import Booking, BookingSeries
from sessions_app.services.bookings import book_session
from sessions_app.services.series import Repeat, book_series
from tests.factories import MentorRequestFactory
from tests.sessions_app.helpers import slot, z

WEEK = timedelta(weeks=1)


def confirm(client, mentor, **change):
    data = {"mentor": mentor.pk, "start": z(slot()), "duration": 30, "topic": "Board deck", "request": ""}
    return client.post("/sessions/book/", data | change, follow=True)


def london(instant) -> str:
    return formats.date_format(timezone.localtime(instant, ZoneInfo("Europe/London")), "D j M Y, H:i")


def test_the_confirm_step_offers_to_repeat_weekly_or_every_other_week_two_to_four_times(
    as_mentee, utc_mentor
):
    html = as_mentee.get(f"/sessions/book/?mentor={utc_mentor.pk}&start={z(slot())}").content.decode()

    radios = re.findall(r'<input type="radio" name="repeat" value="(\d?)"[^>]*>', html)
    assert radios == ["", "1", "2"]
    assert re.search(r'<input type="radio" name="repeat" value=""[^>]*checked', html)
    assert re.findall(r'<option value="(\d)"', html) == ["2", "3", "4"]
    assert "<legend>Repeat</legend>" in html
    # The dates each choice would give, on my clock, up to four sessions.
    dates = {
        label: re.findall(r'<time datetime="([^"]+)">', line)
        for label, line in re.findall(r"<li>(Weekly|Every other week): (.*?)</li>", html)
    }
    assert dates == {
        "Weekly": [z(slot() + WEEK * index).replace("Z", "+00:00") for index in range(4)],
        "Every other week": [z(slot() + 2 * WEEK * index).replace("Z", "+00:00") for index in range(4)],
    }
    assert (
        formats.date_format(timezone.localtime(slot() + WEEK, ZoneInfo("Europe/London")), "D j M, H:i")
        in html
    )


def test_the_confirm_step_marks_the_dates_that_are_not_free(as_mentee, outsider, utc_mentor):
    book_session(mentee=outsider, mentor=utc_mentor, start=slot() + 2 * WEEK, minutes=30, topic="Mine")

    html = as_mentee.get(f"/sessions/book/?mentor={utc_mentor.pk}&start={z(slot())}").content.decode()

    lines = dict(re.findall(r"<li>(Weekly|Every other week): (.*?)</li>", html))
    weekly = re.split(r", (?=<time)", lines["Weekly"])
    assert ["(not free)" in date for date in weekly] == [False, False, True, False]
    every_other = re.split(r", (?=<time)", lines["Every other week"])
    assert ["(not free)" in date for date in every_other] == [False, True, False, False]


def test_booking_a_weekly_series_lists_every_date_on_my_clock(as_mentee, mentee, utc_mentor):
    response = confirm(as_mentee, utc_mentor, repeat="1", times="3")

    sessions = list(Booking.objects.order_by("start"))
    assert [session.start for session in sessions] == [slot(), slot() + WEEK, slot() + 2 * WEEK]
    assert response.redirect_chain[-1][0] == f"/sessions/{sessions[0].pk}/"
    html = response.content.decode()
    assert "Booked: 3 sessions of 30 minutes with Marco Mentor" in html
    for session in sessions:
        assert london(session.start) in html
    assert "Session 1 of 3, weekly" in html
    assert html.count('class="badge badge-confirmed"') >= 3  # the series' list on the session page


def test_every_other_week_from_the_page(as_mentee, utc_mentor):
    confirm(as_mentee, utc_mentor, repeat="2", times="4")

    assert list(Booking.objects.order_by("start").values_list("start", flat=True)) == [
        slot() + 2 * WEEK * index for index in range(4)
    ]


def test_no_repeat_books_one_session_as_before(as_mentee, utc_mentor):
    confirm(as_mentee, utc_mentor, repeat="", times="3")

    assert Booking.objects.count() == 1
    assert not BookingSeries.objects.exists()


def test_a_series_that_cannot_be_booked_whole_says_which_session_and_books_nothing(
    as_mentee, outsider, utc_mentor
):
    book_session(mentee=outsider, mentor=utc_mentor, start=slot() + 2 * WEEK, minutes=30, topic="Mine")

    response = confirm(as_mentee, utc_mentor, repeat="1", times="3")

    assert response.status_code == 409
    html = response.content.decode()
    assert "Session 3 of 3" in html
    assert "so none of the series was" in html
    assert Booking.objects.count() == 1
    assert not BookingSeries.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"), [({"repeat": "3"}, "repeat"), ({"repeat": "1", "times": "5"}, "times")]
)
def test_a_bad_repeat_on_the_page_is_400_and_books_nothing(as_mentee, utc_mentor, change, field):
    response = confirm(as_mentee, utc_mentor, **change)

    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert not Booking.objects.exists()


def test_a_series_from_a_shortlist_answers_the_request(as_mentee, mentee, utc_mentor):
    need = MentorRequestFactory(asker=mentee, topic="Negotiating my first offer")
    step = as_mentee.get(f"/sessions/book/?mentor={utc_mentor.pk}&start={z(slot())}&request={need.pk}")
    assert 'name="repeat"' in step.content.decode()

    confirm(as_mentee, utc_mentor, repeat="1", times="2", request=str(need.pk), topic=need.topic)

    need.refresh_from_db()
    assert need.status == "booked"
    assert list(Booking.objects.values_list("request_id", flat=True)) == [need.pk, need.pk]


@pytest.fixture
def three(mentee, utc_mentor) -> list[Booking]:
    return book_series(
        mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="Deck", repeat=Repeat(3, 1)
    )


def test_my_sessions_show_each_ones_place_and_offer_to_cancel_the_later_ones(as_mentee, three):
    html = as_mentee.get("/sessions/").content.decode()

    for position in (1, 2, 3):
        assert f"Session {position} of 3, weekly" in html
    assert "Cancel this and the 2 later sessions" in html
    assert "Cancel this and the later session" in html
    assert html.count('name="scope" value="later"') == 2  # the last has no later one


def test_cancelling_this_and_the_later_ones_from_my_sessions(as_mentee, three):
    response = as_mentee.post(
        f"/sessions/{three[1].pk}/cancel/", {"reason": "New role", "scope": "later"}, follow=True
    )

    assert "2 sessions cancelled" in response.content.decode()
    assert [Booking.objects.get(pk=s.pk).status for s in three] == ["confirmed", "cancelled", "cancelled"]


def test_cancelling_only_this_one_from_the_session_page(as_mentee, three):
    page = as_mentee.get(f"/sessions/{three[0].pk}/").content.decode()
    assert "Cancel only this session" in page
    assert "Cancel this and the 2 later sessions" in page
    for session in three:
        assert london(session.start) in page

    as_mentee.post(f"/sessions/{three[0].pk}/cancel/", {"reason": "Ill", "scope": "this"})

    assert [Booking.objects.get(pk=s.pk).status for s in three] == ["cancelled", "confirmed", "confirmed"]


def test_the_session_page_of_the_last_offers_no_later_ones(as_mentee, three):
    page = as_mentee.get(f"/sessions/{three[2].pk}/").content.decode()

    assert "Session 3 of 3, weekly" in page
    assert 'value="later"' not in page


def test_my_sessions_with_series_needs_a_fixed_number_of_queries(
    as_mentee, mentee, utc_mentor, django_assert_max_num_queries, django_assert_num_queries
):
    book_series(mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="A", repeat=Repeat(2, 1))
    with django_assert_max_num_queries(10) as few:
        as_mentee.get("/sessions/")
    for day in range(1, 5):
        book_series(
            mentee=mentee,
            mentor=utc_mentor,
            start=slot(days=2 + day),
            minutes=30,
            topic="More",
            repeat=Repeat(4, 1),
        )

    with django_assert_num_queries(len(few)):
        response = as_mentee.get("/sessions/")

    assert response.content.decode().count('class="session-item"') == 18
