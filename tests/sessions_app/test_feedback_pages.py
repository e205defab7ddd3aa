"""Flow 5 in the browser: feedback and follow-up pages opened from the emails' signed links."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from sessions_app import links
from sessions_app.models import Booking, Feedback
from tests.factories import BookingFactory, FeedbackFactory, FollowUpFactory
from tests.sessions_app.helpers import slot


@pytest.fixture
def held(mentee, mentor):
    return BookingFactory(
        mentor=mentor,
        mentee=mentee,
        start=timezone.now() - timedelta(days=8),
        status=Booking.Status.COMPLETED,
    )


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_signed_link_opens_the_feedback_form_without_a_password(client, held, mentee):
    response = client.get(path_of(links.feedback_url(booking_id=held.pk, user_id=mentee.pk)))

    assert response.status_code == 200
    assert "How was your session with Marco Mentor?" in response.content.decode()


def test_the_form_behind_the_link_records_the_persons_feedback(client, held, mentee):
    url = path_of(links.feedback_url(booking_id=held.pk, user_id=mentee.pk))
    token = url.split("t=", 1)[1]

    response = client.post(
        url.split("?")[0],
        {
            "t": token,
            "rating": "4",
            "helpful": "yes",
            "next_step": "Rehearse with a timer",
            "comment": "Sharp",
        },
    )

    assert response.status_code == 302
    feedback = Feedback.objects.get(booking=held)
    assert (feedback.author, feedback.role, feedback.rating, feedback.helpful) == (mentee, "mentee", 4, True)
    assert feedback.next_step == "Rehearse with a timer"
    assert "your feedback is saved" in client.get(response["Location"]).content.decode()


def test_opening_a_rating_link_stores_nothing_and_shows_the_rating_chosen(client, held, mentor):
    url = path_of(links.feedback_url(booking_id=held.pk, user_id=mentor.pk, rating=2))
    token = url.split("t=", 1)[1].split("&")[0]

    opened = client.get(url)

    assert opened.status_code == 200
    assert Feedback.objects.count() == 0
    page = opened.content.decode()
    assert '<input type="radio" name="rating" value="2" id="id_rating_1" required checked>' in page
    assert '<input type="radio" name="helpful" value="no" id="id_helpful_1" required checked>' in page
    assert page.count(" checked>") == 2
    assert f'<input type="hidden" name="t" value="{token}">' in page
    assert page.count('<button type="submit"') == 1
    assert "Confirm your rating (2/5)" in page


def test_a_mail_scanner_opening_every_rating_link_stores_nothing(client, held, mentee, mentor):
    for person in (mentee, mentor):
        for rating in (1, 2, 3, 4, 5, 1):
            url = path_of(links.feedback_url(booking_id=held.pk, user_id=person.pk, rating=rating))
            assert client.get(url).status_code == 200
            client.head(url)
    url = path_of(links.follow_up_url(booking_id=held.pk, user_id=mentee.pk))
    for outcome in ("yes", "partly", "no"):
        assert client.get(f"{url}&outcome={outcome}").status_code == 200

    assert Feedback.objects.count() == 0
    held.refresh_from_db()
    assert not hasattr(held, "follow_up")


def test_confirming_the_chosen_rating_records_it_with_the_csrf_cookie_of_the_page(held, mentor):
    """The signed link is the credential; the page it opens sets the CSRF cookie its form posts back."""
    browser = Client(enforce_csrf_checks=True)
    url = path_of(links.feedback_url(booking_id=held.pk, user_id=mentor.pk, rating=2))
    token = url.split("t=", 1)[1].split("&")[0]
    browser.get(url)

    forged = browser.post(url.split("?")[0], {"t": token, "rating": "1", "helpful": "no"})
    confirmed = browser.post(
        url.split("?")[0],
        {
            "t": token,
            "rating": "2",
            "helpful": "no",
            "comment": "Mentee came late",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )

    assert forged.status_code == 403
    assert confirmed.status_code == 302
    [feedback] = Feedback.objects.filter(booking=held)
    assert (feedback.author, feedback.role, feedback.rating, feedback.helpful) == (mentor, "mentor", 2, False)
    assert feedback.comment == "Mentee came late"


def test_a_signed_in_person_confirms_a_rating_by_post_only(client, held, mentee):
    client.force_login(mentee)

    opened = client.get(f"/sessions/{held.pk}/feedback/?rating=5")
    assert Feedback.objects.count() == 0
    client.post(f"/sessions/{held.pk}/feedback/", {"rating": "5", "helpful": "yes"})

    assert 'name="rating" value="5" id="id_rating_4" required checked>' in opened.content.decode()
    assert Feedback.objects.get().rating == 5


def test_a_link_for_another_booking_is_refused(client, held, mentee, mentor):
    other = BookingFactory(mentor=mentor, mentee=mentee, start=timezone.now() - timedelta(days=1))
    token = links.make_token(booking_id=held.pk, user_id=mentee.pk, purpose=links.FEEDBACK)

    response = client.get(f"/sessions/{other.pk}/feedback/?t={token}&rating=1")

    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_a_tampered_link_is_refused(client, held, mentee, mentor):
    token = links.make_token(booking_id=held.pk, user_id=mentee.pk, purpose=links.FEEDBACK)
    payload, signature = token.rsplit(":", 1)
    forged = links.make_token(booking_id=held.pk, user_id=mentor.pk, purpose=links.FEEDBACK).rsplit(":", 1)[0]

    for bad in (f"{payload}:{signature[:-2]}xx", f"{forged}:{signature}", "garbage"):
        response = client.get(f"/sessions/{held.pk}/feedback/?t={bad}&rating=1")
        assert response.status_code == 403, bad
    assert not Feedback.objects.exists()


def test_an_expired_link_is_refused(client, held, mentee, settings):
    settings.SIGNED_LINK_MAX_AGE_DAYS = 14
    url = path_of(links.feedback_url(booking_id=held.pk, user_id=mentee.pk, rating=5))

    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        response = client.get(url)

    assert response.status_code == 403
    assert "expired" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_follow_up_link_does_not_open_the_feedback_page(client, held, mentee):
    token = links.make_token(booking_id=held.pk, user_id=mentee.pk, purpose=links.FOLLOW_UP)

    assert client.get(f"/sessions/{held.pk}/feedback/?t={token}&rating=5").status_code == 403
    assert not Feedback.objects.exists()


def test_without_a_link_or_a_login_the_feedback_page_asks_to_sign_in(client, held):
    response = client.get(f"/sessions/{held.pk}/feedback/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_feedback_before_the_end_is_not_recorded(client, mentee, mentor):
    upcoming = BookingFactory(mentor=mentor, mentee=mentee, start=slot())
    url = path_of(links.feedback_url(booking_id=upcoming.pk, user_id=mentee.pk, rating=5))
    token = url.split("t=", 1)[1].split("&")[0]

    opened = client.get(url)
    response = client.post(url.split("?")[0], {"t": token, "rating": "5", "helpful": "yes"})

    assert opened.status_code == 200
    assert "once the session has ended" in opened.content.decode()
    assert response.status_code == 409
    assert not Feedback.objects.exists()


def test_the_mentor_sees_ratings_and_comments_on_the_session_page(client, held, mentee, mentor):
    FeedbackFactory(
        booking=held, author=mentee, rating=4, comment="Clear and kind", next_step="Ship the deck"
    )

    client.force_login(mentor)
    page = client.get(f"/sessions/{held.pk}/").content.decode()

    assert "4/5" in page
    assert "Clear and kind" in page
    assert "Ship the deck" in page


def test_the_mentee_sees_only_their_own_feedback_on_the_session_page(client, held, mentee, mentor):
    FeedbackFactory(booking=held, author=mentor, role="mentor", rating=2, comment="Came unprepared")

    client.force_login(mentee)
    page = client.get(f"/sessions/{held.pk}/").content.decode()

    assert "Came unprepared" not in page
    assert "Give feedback" in page


def test_the_follow_up_link_shows_the_answer_chosen_and_the_button_records_it(client, held, mentee):
    url = path_of(links.follow_up_url(booking_id=held.pk, user_id=mentee.pk))
    token = url.split("t=", 1)[1]

    opened = client.get(url + "&outcome=partly")
    held.refresh_from_db()
    assert not hasattr(held, "follow_up")
    confirmed = client.post(url.split("?")[0], {"t": token, "outcome": "partly", "note": ""})

    assert opened.status_code == 200
    page = opened.content.decode()
    assert 'name="outcome" value="partly" id="id_outcome_1" required checked>' in page
    assert f'<input type="hidden" name="t" value="{token}">' in page
    assert page.count('<button type="submit"') == 1
    assert confirmed.status_code == 200
    held.refresh_from_db()
    assert held.follow_up.outcome == "partly"
    assert "Partly" in confirmed.content.decode()


def test_the_follow_up_page_takes_a_note_and_the_session_page_shows_it(client, held, mentee, mentor):
    url = path_of(links.follow_up_url(booking_id=held.pk, user_id=mentee.pk))
    token = url.split("t=", 1)[1]

    client.post(url.split("?")[0], {"t": token, "outcome": "yes", "note": "Board approved the plan"})

    client.force_login(mentor)
    page = client.get(f"/sessions/{held.pk}/").content.decode()
    assert "A week later" in page
    assert "Board approved the plan" in page


def test_the_mentor_cannot_answer_the_follow_up(client, held, mentor):
    url = path_of(links.follow_up_url(booking_id=held.pk, user_id=mentor.pk))

    assert client.get(url + "&outcome=no").status_code == 403
    held.refresh_from_db()
    assert not hasattr(held, "follow_up")


def test_a_second_follow_up_answer_keeps_the_first(client, held, mentee):
    FollowUpFactory(booking=held, outcome="no")
    url = path_of(links.follow_up_url(booking_id=held.pk, user_id=mentee.pk))
    token = url.split("t=", 1)[1]

    client.get(url + "&outcome=yes")
    client.post(url.split("?")[0], {"t": token, "outcome": "yes", "note": ""})

    held.follow_up.refresh_from_db()
    assert held.follow_up.outcome == "no"
