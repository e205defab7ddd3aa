"""The home page leads with a time a full mentor has come free for the person: who, when, until when it is
held, and the link that books it."""

import pytest
from django.test import Client

from marketplace.home import home_page
from sessions_app.services.bookings import cancel_booking
from tests.factories import PASSWORD, UserFactory
from tests.waitlists.conftest import MONDAY, TUESDAY_1030
from tests.waitlists.test_offers import held_offer, wait

pytestmark = pytest.mark.django_db


def test_a_time_held_for_me_is_on_my_home_page_with_its_booking_link(
    full_mentor, bookings, django_capture_on_commit_callbacks
):
    waiting = UserFactory(timezone="UTC")
    entry = wait(waiting, full_mentor)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[1], by=bookings[1].mentee, reason="")
    offer = held_offer(entry)

    [item] = home_page(waiting, now=MONDAY).waiting
    assert (item.kind, item.with_name, item.session_start, item.held_until) == (
        "held_offer",
        "Fiona Full",
        TUESDAY_1030,
        offer.expires_at,
    )
    client = Client()
    assert client.login(email=waiting.email, password=PASSWORD)
    html = client.get("/").content.decode()
    assert "Fiona Full has a time for you: Tue 2 Mar, 10:30, held until 08:15. Book it" in html
    assert f'href="{item.url.replace("&", "&amp;")}"' in html
    assert client.get(item.url).status_code == 200


def test_nobody_else_sees_the_held_time_on_their_home_page(
    full_mentor, bookings, django_capture_on_commit_callbacks
):
    wait(UserFactory(), full_mentor)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[1], by=bookings[1].mentee, reason="")

    assert home_page(bookings[1].mentee, now=MONDAY).waiting == []
