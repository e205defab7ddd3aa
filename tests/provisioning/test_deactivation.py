"""A deactivated person: no login anywhere, nobody's mentor, their upcoming sessions cancelled with notice to
the other person, their history kept; reactivated, they can log in again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from marketplace.errors import InvalidInput
from marketplace.models import Skill, User
from matching.services import create_request
from provisioning.models import ProvisionedPerson
from provisioning.services import deactivate_person, reactivate_person
from sessions_app.models import Booking, Feedback, OutboundMessage
from sessions_app.services.bookings import DEACTIVATED_REASON, book_session
from sessions_app.sweep import deliver_due_messages
from tests.factories import (
    PASSWORD,
    BookingFactory,
    FeedbackFactory,
    SkillFactory,
    UserSkillFactory,
)

pytestmark = pytest.mark.django_db


def in_days(days: float):
    now = timezone.now().replace(second=0, microsecond=0)
    return now.replace(minute=now.minute - now.minute % 10) + timedelta(days=days)


def test_a_deactivated_person_cannot_log_in_on_the_page_or_for_a_token(client, api, mentee):
    deactivate_person(person=mentee, now=timezone.now())

    client.post("/accounts/login/", {"login": mentee.email, "password": PASSWORD})
    token = api.post("/api/v1/auth/token/", {"email": mentee.email, "password": PASSWORD}, format="json")

    assert client.get("/me/profile/").status_code == 302
    assert token.status_code == 400
    assert not Token.objects.filter(user=mentee).exists()


def test_their_open_browser_session_and_api_token_stop_working(client, api, mentee):
    client.force_login(mentee)
    token = Token.objects.create(user=mentee)
    assert client.get("/me/profile/").status_code == 200

    deactivate_person(person=mentee, now=timezone.now())

    assert client.get("/me/profile/").status_code == 302
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401
    assert not Token.objects.filter(user=mentee).exists()


def ask_for_negotiation(asker: User):
    return create_request(
        asker=asker,
        topic="A pay talk",
        skills=list(Skill.objects.filter(slug="negotiation")),
        needed_by=in_days(5),
        duration=30,
    )


def test_a_deactivated_mentor_is_hidden_everywhere_a_mentor_is_shown(client, api_as, mentee, bookable):
    skill = SkillFactory(name="Negotiation", slug="negotiation")
    UserSkillFactory(user=bookable, skill=skill)
    client.force_login(mentee)
    assert bookable.display_name in client.get("/mentors/").content.decode()
    assert ask_for_negotiation(mentee).match_count == 1

    deactivate_person(person=bookable, now=timezone.now())

    assert bookable.display_name not in client.get("/mentors/").content.decode()
    assert client.get(f"/mentors/{bookable.pk}/").status_code == 404
    api = api_as(mentee)
    assert api.get("/api/v1/mentors/").json()["results"] == []
    assert api.get(f"/api/v1/mentors/{bookable.pk}/").status_code == 404
    assert api.get(f"/api/v1/mentors/{bookable.pk}/slots/").status_code == 404
    assert ask_for_negotiation(mentee).match_count == 0


def test_a_booking_with_a_person_loaded_before_their_deactivation_is_refused(mentee, bookable):
    stale_mentor = User.objects.get(pk=bookable.pk)
    stale_mentee = User.objects.get(pk=mentee.pk)
    deactivate_person(person=bookable, now=timezone.now())

    with pytest.raises(InvalidInput) as error:
        book_session(mentee=stale_mentee, mentor=stale_mentor, start=in_days(2), minutes=30, topic="Help")
    assert error.value.field == "mentor"
    assert not Booking.objects.exists()


def test_a_deactivated_mentee_loaded_before_cannot_book_either(mentee, bookable):
    from django.core.exceptions import PermissionDenied

    stale_mentee = User.objects.get(pk=mentee.pk)
    deactivate_person(person=mentee, now=timezone.now())

    with pytest.raises(PermissionDenied):
        book_session(mentee=stale_mentee, mentor=bookable, start=in_days(2), minutes=30, topic="Help")
    assert not Booking.objects.exists()


def test_upcoming_sessions_are_cancelled_with_notice_in_the_other_persons_language(mentee, bookable):
    mentee.language = "fr"
    mentee.save()
    upcoming = book_session(mentee=mentee, mentor=bookable, start=in_days(2), minutes=30, topic="Un exposé")
    deliver_due_messages()
    mail.outbox.clear()

    cancelled = deactivate_person(person=bookable, now=timezone.now())

    assert [booking.pk for booking in cancelled] == [upcoming.pk]
    upcoming.refresh_from_db()
    assert upcoming.status == Booking.Status.CANCELLED
    with translation.override("fr"):  # the reason is written in French, the mentee's language
        assert upcoming.cancel_reason == gettext(DEACTIVATED_REASON) % {"name": "Marco Mentor"}
    pending = OutboundMessage.objects.filter(booking=upcoming, status=OutboundMessage.Status.PENDING)
    assert list(pending.values_list("kind", "recipient__email")) == [("cancellation", mentee.email)]
    deliver_due_messages()
    assert [message.to for message in mail.outbox] == [[mentee.email]]
    assert mail.outbox[0].attachments[0].get_param("method") == "CANCEL"


def test_history_is_kept_and_a_session_under_way_is_left_alone(mentee, bookable):
    held = BookingFactory(mentor=bookable, mentee=mentee, start=in_days(-7), status=Booking.Status.COMPLETED)
    FeedbackFactory(booking=held, author=mentee, rating=4)
    now = timezone.now()
    under_way = BookingFactory(mentor=bookable, mentee=mentee, start=now - timedelta(minutes=10))

    deactivate_person(person=bookable, now=now)

    assert Booking.objects.get(pk=held.pk).status == Booking.Status.COMPLETED
    assert Booking.objects.get(pk=under_way.pk).status == Booking.Status.CONFIRMED
    assert Feedback.objects.filter(booking=held).count() == 1
    assert User.objects.filter(pk=bookable.pk).exists()
    assert ProvisionedPerson.objects.get(user=bookable).deactivated_at == now


def test_deactivating_twice_cancels_and_sends_nothing_more(mentee, bookable):
    book_session(mentee=mentee, mentor=bookable, start=in_days(2), minutes=30, topic="Help")
    deactivate_person(person=bookable, now=timezone.now())
    before = OutboundMessage.objects.count()

    assert deactivate_person(person=bookable, now=timezone.now()) == []
    assert OutboundMessage.objects.count() == before


def test_reactivation_restores_login_but_not_the_cancelled_sessions(client, mentee, bookable):
    upcoming = book_session(mentee=mentee, mentor=bookable, start=in_days(2), minutes=30, topic="Help")
    deactivate_person(person=bookable, now=timezone.now())

    reactivate_person(person=bookable, now=timezone.now())

    client.post("/accounts/login/", {"login": bookable.email, "password": PASSWORD})
    assert client.get("/me/profile/").status_code == 200
    assert Booking.objects.get(pk=upcoming.pk).status == Booking.Status.CANCELLED
    assert ProvisionedPerson.objects.get(user=bookable).deactivated_at is None
    assert User.objects.get(pk=bookable.pk).is_active


def test_a_session_with_someone_deactivated_meanwhile_locks_them_too(mentee, bookable, outsider):
    # Two upcoming sessions with two different people: both are cancelled, each other person told once.
    first = book_session(mentee=mentee, mentor=bookable, start=in_days(2), minutes=30, topic="Help")
    second = book_session(mentee=outsider, mentor=bookable, start=in_days(3), minutes=30, topic="Help")

    deactivate_person(person=bookable, now=timezone.now())

    notices = OutboundMessage.objects.filter(kind="cancellation").order_by("booking_id")
    assert list(notices.values_list("booking_id", "recipient_id")) == [
        (first.pk, mentee.pk),
        (second.pk, outsider.pk),
    ]


def test_a_provisioned_person_has_a_confirmed_address_and_no_password(scim):
    from allauth.account.models import EmailAddress

    from tests.provisioning.scim_client import USER_SCHEMA

    created = scim.post("/Users", {"schemas": [USER_SCHEMA], "userName": "New.Person@Example.com"}).json()

    person = User.objects.get(pk=created["id"])
    assert person.email == "new.person@example.com"
    assert not person.has_usable_password()
    assert list(EmailAddress.objects.filter(user=person).values_list("email", "verified", "primary")) == [
        ("new.person@example.com", True, True)
    ]
